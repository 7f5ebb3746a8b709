"""Top-level ATen operators of one training step, by name: on a GPU nearly every one is a kernel launch, so their
count is what a host-bound step (a small network at small images) pays per step, and it can be counted on a CPU.

    npx tsx bench/throughput.ts --preset cpu --batch 32 --base-width 8 --threads 1 --steps 3 --warmup 2 \\
        --count 512 --source-size 28 --dump-plans /tmp/tiny.plans
    python bench/worker/op_count.py --plans /tmp/tiny.plans --count 512 --source-size 28 [--top 25]
"""

from __future__ import annotations

import argparse
import collections
import os
import sys

import torch
from torch.profiler import ProfilerActivity, profile

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "python_worker"))
sys.path.insert(0, os.path.dirname(__file__))

from plain_loop import add_plan_arguments, run_with_plans  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    add_plan_arguments(parser)
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args()
    torch.set_num_threads(1)
    run, plans = run_with_plans(args, torch.device("cpu"))
    run.step(plans[0]).resolve()  # the first step allocates and tiles what later steps reuse
    with profile(activities=[ProfilerActivity.CPU]) as prof:
        run.step(plans[1]).resolve()
    # Top level: an ATen op not called from inside another ATen op (a composite's inner ops are not extra launches
    # of the caller's; the Python code issues the top-level ones).
    counts = collections.Counter(
        e.name
        for e in prof.events()
        if e.name.startswith("aten::") and (e.cpu_parent is None or not e.cpu_parent.name.startswith("aten::"))
    )
    print(f"top-level ATen operators per step: {sum(counts.values())}")
    for name, n in counts.most_common(args.top):
        print(f"{n:6d}  {name}")


if __name__ == "__main__":
    main()
