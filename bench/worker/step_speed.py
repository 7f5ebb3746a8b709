"""The CPU preset's step against the machine's limit, interleaved in one process (bench/RESULTS.md, "Step speed").

    npx tsx bench/throughput.ts --preset cpu --threads 1 --steps 6 --warmup 1 --count 1024 --source-size 28 \\
        --dump-plans /tmp/mixmask.plans            # and again with --masker none --dump-plans /tmp/moco.plans
    nice -n 5 python bench/worker/step_speed.py --plans /tmp/mixmask.plans --plans /tmp/moco.plans \\
        --count 1024 --source-size 28 [--rounds 6] [--steps 2] [--threads 1]

For each dump (a CreateRun request and its plans), rows: the worker's step under each MIXMASK_STEP_FORMULATION
(step_formulation.py: ``legacy`` = today's, ``grouped``, ``fused`` = the default), and the model-only ceiling (the
same networks with plain ``nn.BatchNorm2d``, contiguous and channels_last, on input tensors already built: 2 online
passes + 1 momentum pass, 3 InfoNCE terms, backward, SGD, EMA, enqueue; the dump's own inputs and terms are not
used). Rounds run every row once in turn, in ABC…CBA order; each row's figure is its median round. Reported per
step: wall ms and the process's CPU ms (one thread: CPU time is what the step costs when other processes share the
cores, wall time also counts waiting for them). Also: each formulation's per-step losses against ``legacy`` on the
same plans from the same weights, the step's FLOPs (torch.utils.flop_counter) and a measured GEMM and convolution
peak of this CPU, in GFLOP/s per CPU second.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from typing import Callable

import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.flop_counter import FlopCounterMode

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "python_worker"))
sys.path.insert(0, os.path.dirname(__file__))

from plain_loop import read_records, run_with_plans  # noqa: E402

from mixmask_worker.generated.mixmask.v1 import worker_pb2  # noqa: E402

from mixmask_worker.losses.info_nce import InfoNCEWithQueue  # noqa: E402
from mixmask_worker.training.momentum import update_momentum  # noqa: E402
from mixmask_worker.training.step_formulation import ENVIRONMENT_VARIABLE, FORMULATIONS  # noqa: E402
from mixmask_worker.training.run import TrainingRun  # noqa: E402

Step = Callable[[], None]


def worker_run(
    args: argparse.Namespace, plans_path: str, formulation: str, bn_splits: int = 0
) -> tuple[TrainingRun, list]:
    os.environ[ENVIRONMENT_VARIABLE] = formulation
    try:
        namespace = argparse.Namespace(**{**vars(args), "plans": plans_path})
        if bn_splits:
            records = read_records(plans_path)
            request = worker_pb2.CreateRunRequest.FromString(records[0])
            request.moco.bn_splits = bn_splits
            patched = plans_path + ".plain-bn"
            with open(patched, "wb") as out:
                for record in [request.SerializeToString(), *records[1:]]:
                    out.write(len(record).to_bytes(4, "little") + record)
            namespace.plans = patched  # bn_splits = 1: the encoders get nn.BatchNorm2d
        return run_with_plans(namespace, torch.device("cpu"))
    finally:
        del os.environ[ENVIRONMENT_VARIABLE]


def worker_step(run: TrainingRun, plans: list) -> tuple[Step, Callable[[], list[float]]]:
    position = [0]
    losses: list[float] = []

    def step() -> None:
        result = run.step(plans[position[0] % len(plans)]).resolve()
        position[0] += 1
        losses.append(result.loss)

    return step, lambda: losses


def ceiling_step(run: TrainingRun, channels_last: bool, batch: int, mixed: bool) -> Step:
    """model_ceiling.py's step on the run's networks (plain batch norm), in the given memory format; without
    ``mixed``, plain MoCo's: one online pass and one InfoNCE term."""
    assert run.momentum is not None and run.queue is not None, "the ceiling is for MoCo v2 runs"
    memory_format = torch.channels_last if channels_last else torch.contiguous_format
    run.online.to(memory_format=memory_format)
    run.momentum.to(memory_format=memory_format)
    s = run.image_size
    x_q, x_mix, x_k = (torch.randn(batch, 3, s, s).contiguous(memory_format=memory_format) for _ in range(3))
    rev = torch.arange(batch - 1, -1, -1)
    info_nce = InfoNCEWithQueue()
    queue, online, momentum = run.queue, run.online, run.momentum

    def step() -> None:
        q = online(x_q)
        with torch.no_grad():
            k = momentum(x_k)
        loss = info_nce(q, k, queue.keys, 0.2).mean()
        if mixed:
            q_mix = online(x_mix)
            loss = loss + 0.5 * info_nce(q_mix, k, queue.keys, 0.2).mean()
            loss = loss + 0.5 * info_nce(q_mix[rev], k, queue.keys, 0.2).mean()
        run.optimizer.zero_grad(set_to_none=True)
        loss.backward()
        run.optimizer.step()
        update_momentum(online, momentum, 0.99)
        queue.enqueue(F.normalize(k.detach(), dim=1))

    return step


def peak_gflops(reps: int = 5) -> dict[str, float]:
    """GFLOP/s per CPU second of a 1024² fp32 GEMM and of a 3×3 channels_last convolution forward (64→64 channels,
    batch 128 at 14 px), median of ``reps``."""
    a, b = torch.randn(1024, 1024), torch.randn(1024, 1024)
    x = torch.randn(128, 64, 14, 14).contiguous(memory_format=torch.channels_last)
    conv = nn.Conv2d(64, 64, 3, padding=1, bias=False).to(memory_format=torch.channels_last)
    figures = {}
    with torch.no_grad():
        for name, op, flops in (
            ("gemm", lambda: torch.mm(a, b), 2 * 1024**3),
            ("conv3x3", lambda: conv(x), 2 * 128 * 64 * 14 * 14 * 64 * 9),
        ):
            op()
            seconds = []
            for _ in range(reps):
                t0 = time.process_time()
                for _ in range(4):
                    op()
                seconds.append((time.process_time() - t0) / 4)
            figures[name] = flops / statistics.median(seconds) / 1e9
    return figures


def step_flops(step: Step) -> int:
    counter = FlopCounterMode(display=False)
    with counter:
        step()
    return int(counter.get_total_flops())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--plans", action="append", required=True, help="a --dump-plans file; repeat for several")
    parser.add_argument("--count", type=int, required=True)
    parser.add_argument("--source-size", type=int, required=True)
    parser.add_argument("--source-channels", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--steps", type=int, default=2, help="steps per row per round")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--compare-steps", type=int, default=3, help="steps whose losses are compared")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)

    rows: dict[str, Step] = {}
    losses: dict[str, Callable[[], list[float]]] = {}
    flops: dict[str, int] = {}
    for path in args.plans:
        label = os.path.splitext(os.path.basename(path))[0]
        for formulation in reversed(FORMULATIONS):  # legacy first
            run, plans = worker_run(args, path, formulation)
            step, read_losses = worker_step(run, plans)
            for _ in range(args.compare_steps):
                step()  # the same plans from the same weights in every formulation: the losses must agree
            rows[f"{label} {formulation}"] = step
            losses[f"{label} {formulation}"] = read_losses
        batch = len(plans[0].indices)
        if run.queue is not None:
            for channels_last in (False, True):
                ceiling_run, _ = worker_run(args, path, "legacy", bn_splits=1)
                mixed = len(plans[0].terms) > 1
                rows[f"{label} ceiling {'channels_last' if channels_last else 'contiguous'}"] = ceiling_step(
                    ceiling_run, channels_last, batch, mixed
                )
    for name, step in rows.items():
        if name.endswith(" fused") or " ceiling " in name:
            flops[name] = step_flops(step)

    comparisons = {}
    for name, read in losses.items():
        legacy = losses[name.rsplit(" ", 1)[0] + " legacy"]()[: args.compare_steps]
        mine = read()[: args.compare_steps]
        comparisons[name] = max(abs(a - b) / abs(b) for a, b in zip(mine, legacy))

    for step in rows.values():
        step()  # warm: allocations, oneDNN primitives
    names = list(rows)
    wall: dict[str, list[float]] = {name: [] for name in names}
    cpu: dict[str, list[float]] = {name: [] for name in names}
    for index in range(args.rounds):
        for name in names if index % 2 == 0 else names[::-1]:
            w0, c0 = time.perf_counter(), time.process_time()
            for _ in range(args.steps):
                rows[name]()
            wall[name].append((time.perf_counter() - w0) / args.steps * 1000)
            cpu[name].append((time.process_time() - c0) / args.steps * 1000)
        print(json.dumps({"round": index, "cpuMs": {n: round(v[-1], 1) for n, v in cpu.items()}}), flush=True)

    peaks = peak_gflops()
    result = {"threads": args.threads, "rounds": args.rounds, "stepsPerRound": args.steps, "peakGflops": peaks,
              "rows": {}, "lossRelDiffVsLegacy": comparisons}
    for name in names:
        label = name.split(" ")[0]
        base = f"{label} legacy"
        cpu_ms, wall_ms = statistics.median(cpu[name]), statistics.median(wall[name])
        row = {"cpuMs": cpu_ms, "wallMs": wall_ms, "speedupCpu": statistics.median(cpu[base]) / cpu_ms,
               "speedupWall": statistics.median(wall[base]) / wall_ms}
        if name.endswith(" fused") or " ceiling " in name:
            row["gflop"] = flops[name] / 1e9
            row["gflopsPerCpuSecond"] = flops[name] / (cpu_ms / 1000) / 1e9
        result["rows"][name] = row
    print(json.dumps(result, indent=1))
    print(f"{'row':44s} {'CPU ms':>8s} {'wall ms':>8s} {'×legacy CPU':>11s} {'×legacy wall':>12s}")
    for name, row in result["rows"].items():
        figures = f"{row['cpuMs']:8.0f} {row['wallMs']:8.0f} {row['speedupCpu']:11.2f} {row['speedupWall']:12.2f}"
        print(f"{name:44s} {figures}")


if __name__ == "__main__":
    main()
