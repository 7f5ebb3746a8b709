"""Prints the performance table of bench/gpu/check-performance.sh from its JSON lines: samples/s of the SDK, the
plain in-process loop, the model-only ceiling and the release-style reference, and the ratios the issue targets
(SDK ≥ 0.9 × ceiling, ≥ 2 × release-style)."""

from __future__ import annotations

import glob
import json
import os
import sys


def main(out: str, card_file: str, combined: str) -> None:
    rows: dict[str, dict[str, dict]] = {}
    for path in sorted(glob.glob(os.path.join(out, "*.json"))):
        name = os.path.basename(path)[: -len(".json")]
        config, _, bench = name.rpartition("-")
        try:
            rows.setdefault(config, {})[bench] = json.loads(open(path).read().strip().splitlines()[-1])
        except (ValueError, IndexError):
            continue
    with open(combined, "w") as file:
        for config, benches in rows.items():
            for result in benches.values():
                file.write(json.dumps({"config": config, **result}) + "\n")
    card = open(card_file).read().strip() if os.path.exists(card_file) else "?"
    lines = [f"card: {card}", "",
             "| config | SDK samples/s | plain loop | model-only ceiling | release-style | SDK/plain | SDK/ceiling | SDK/release | TS plan ms/step |",
             "|---|---|---|---|---|---|---|---|---|"]
    for config, benches in rows.items():
        value = lambda b: benches.get(b, {}).get("samplesPerSecond")  # noqa: E731
        sdk = value("sdk")
        fmt = lambda v: f"{v:,.0f}" if v else "n/a"  # noqa: E731
        ratio = lambda other: f"{sdk / other:.2f}" if sdk and other else "n/a"  # noqa: E731
        plan_ms = benches.get("sdk", {}).get("planMsPerStep")
        plan = f"{plan_ms:.2f}" if plan_ms else "n/a"
        lines.append(
            f"| {config} | {fmt(sdk)} | {fmt(value('plain'))} | {fmt(value('ceiling'))} | {fmt(value('reference'))} | "
            f"{ratio(value('plain'))} | {ratio(value('ceiling'))} | {ratio(value('reference'))} | {plan} |"
        )
    print("\n".join(lines))
    print("\nhost ms per step (worker's Python, plan to enqueued): " + ", ".join(
        f"{config}: SDK {b.get('sdk', {}).get('workerHostMsPerStep', float('nan')):.1f}, plain {b.get('plain', {}).get('hostMsPerStep', float('nan')):.1f}"
        for config, b in rows.items()))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3])
