"""The step beside competing processes: torch threads × OpenMP wait policy, each in a fresh process (bench/RESULTS.md,
"Threads on a busy machine").

    npx tsx bench/throughput.ts --preset cpu --threads 1 --steps 8 --warmup 2 --count 1024 --source-size 28 \\
        --dump-plans /tmp/mixmask.plans
    python bench/worker/busy_machine.py --plans /tmp/mixmask.plans --count 1024 --source-size 28 \\
        [--competitors 0,1,2] [--configs '1;2;2:OMP_WAIT_POLICY=PASSIVE'] [--rounds 2] [--steps 6] [--out FILE.jsonl]

For each number of competitors (processes spinning ``while True: pass``, started before and stopped after), every
configuration runs in its own process, since OpenMP reads its wait settings when torch loads (default: 1 thread;
2 threads with libgomp's own wait, not the worker's; 2 threads, PASSIVE; the worker's is
``2:GOMP_SPINCOUNT=1000``); they alternate in ABC…CBA order over the rounds. Each process replays the dumped MixMask
step with the worker's TrainingRun (the worker's malloc policy applied, as the worker does) and reports wall and CPU
ms per step after two untimed steps. One JSON line per process goes to stdout (and --out).
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_CONFIGS = "1;2;2:OMP_WAIT_POLICY=PASSIVE,KMP_BLOCKTIME=0"
WAIT_KEYS = ("OMP_WAIT_POLICY", "KMP_BLOCKTIME", "GOMP_SPINCOUNT")


def child(args: argparse.Namespace) -> None:
    """Runs in the measured process: the worker's malloc policy (not its wait policy: the configuration sets that),
    then the timed steps."""
    sys.path.insert(0, os.path.join(HERE, "..", "..", "python_worker"))
    sys.path.insert(0, HERE)
    from mixmask_worker.service.malloc_policy import apply_malloc_policy

    malloc = apply_malloc_policy()
    import torch
    from plain_loop import run_with_plans

    torch.set_num_threads(args.threads)
    run, plans = run_with_plans(args, torch.device("cpu"))
    for plan in plans[:2]:
        run.step(plan).resolve()
    wall, cpu = [], []
    for index in range(args.steps):
        w0, c0 = time.perf_counter(), time.process_time()
        run.step(plans[(2 + index) % len(plans)]).resolve()
        wall.append((time.perf_counter() - w0) * 1000)
        cpu.append((time.process_time() - c0) * 1000)
    print(json.dumps({"wallMs": statistics.median(wall), "cpuMs": statistics.median(cpu), "malloc": malloc}))


def parse_configs(text: str) -> list[tuple[str, int, dict[str, str]]]:
    """``THREADS[:KEY=VALUE,...];...`` -> (name, torch threads, environment) per configuration."""
    configs = []
    for item in text.split(";"):
        threads, _, settings = item.partition(":")
        env = dict(pair.split("=", 1) for pair in settings.split(",") if pair)
        name = f"{threads} thread{'s' if threads != '1' else ''}" + (f", {settings}" if settings else "")
        configs.append((name, int(threads), env))
    return configs


def measure(args: argparse.Namespace, threads: int, env: dict[str, str]) -> dict:
    clean = {k: v for k, v in os.environ.items() if k not in WAIT_KEYS}
    command = [sys.executable, __file__, "--child", "--threads", str(threads), "--steps", str(args.steps)]
    command += ["--plans", args.plans, "--count", str(args.count), "--source-size", str(args.source_size)]
    done = subprocess.run(command, env={**clean, **env}, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--plans", required=True)
    parser.add_argument("--count", type=int, required=True)
    parser.add_argument("--source-size", type=int, required=True)
    parser.add_argument("--source-channels", type=int, default=3)
    parser.add_argument("--competitors", default="0,1,2", help="numbers of spinning processes, comma-separated")
    parser.add_argument(
        "--configs",
        default=DEFAULT_CONFIGS,
        help=f"THREADS[:ENV=VALUE,...] separated by ';' (default {DEFAULT_CONFIGS!r})",
    )
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--steps", type=int, default=6, help="timed steps per process")
    parser.add_argument("--threads", type=int, default=1, help="(child) torch threads")
    parser.add_argument("--out", help="also append the JSON lines to this file")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args)
        return
    configs = parse_configs(args.configs)
    lines = []
    for competitors in (int(n) for n in args.competitors.split(",")):
        spinners = [
            subprocess.Popen([sys.executable, "-c", "while True: pass"], start_new_session=True)
            for _ in range(competitors)
        ]
        try:
            time.sleep(1.0 if spinners else 0.0)
            for index in range(args.rounds):
                for name, threads, env in configs if index % 2 == 0 else configs[::-1]:
                    result = {"competitors": competitors, "round": index, "config": name, **measure(args, threads, env)}
                    lines.append(result)
                    print(json.dumps(result), flush=True)
        finally:
            for spinner in spinners:
                os.killpg(spinner.pid, signal.SIGKILL)
                spinner.wait()
    if args.out:
        with open(args.out, "a") as out:
            out.writelines(json.dumps(line) + "\n" for line in lines)
    print(f"{'competitors':>11s}  {'configuration':44s} {'wall ms/step (rounds)':>28s} {'CPU ms/step':>12s}")
    for competitors in sorted({line["competitors"] for line in lines}):
        for name, _, _ in configs:
            mine = [line for line in lines if line["competitors"] == competitors and line["config"] == name]
            walls = ", ".join(f"{line['wallMs']:.0f}" for line in mine)
            cpu = statistics.median(line["cpuMs"] for line in mine)
            print(f"{competitors:11d}  {name:44s} {walls:>28s} {cpu:12.0f}")


if __name__ == "__main__":
    main()
