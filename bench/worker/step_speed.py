"""The CPU preset's step against the machine's limit, interleaved (bench/RESULTS.md, "Step speed").

    npx tsx bench/throughput.ts --preset cpu --threads 1 --steps 6 --warmup 1 --count 1024 --source-size 28 \\
        --dump-plans /tmp/mixmask.plans            # and again with --masker none --dump-plans /tmp/moco.plans
    python bench/worker/step_speed.py --plans /tmp/mixmask.plans --plans /tmp/moco.plans \\
        --count 1024 --source-size 28 [--rounds 6] [--steps 2] [--threads 1] [--rows KIND:MALLOC,...]

Every row is a process of its own, as every run is in the worker: a row's speed depends on the allocator's state,
which everything else in the process changes. Per dump (a CreateRun request and its plans), the default rows:

* the worker's step under a MIXMASK_STEP_FORMULATION (step_formulation.py: ``legacy`` = the step before issue 19,
  ``grouped``, ``fused``) and a malloc policy (service/malloc_policy.py: ``system`` = glibc's defaults, the worker
  before issue 19; ``retain`` = its default now): legacy:system and fused:system (the worker before this change),
  legacy:retain, grouped:retain, fused:retain;
* the model-only ceiling under retain (``ceiling-contiguous``, ``ceiling-channels_last``): the same networks with
  plain ``nn.BatchNorm2d`` on input tensors already built: 2 online passes + 1 momentum pass, 3 InfoNCE terms,
  backward, SGD, EMA, enqueue (one pass and one term for a plain-MoCo dump); the dump's own inputs are not used.

The processes are built and warmed first; then every round runs each row once, in ABC…CBA order, one at a time; a
row's figure is its median round. Reported per step: wall ms and the process's CPU ms (one thread: CPU time is what
the step costs when other processes share the cores, wall time also counts waiting for them), minor page faults (fresh
pages the kernel had to map: what the malloc policy removes) and the process's peak RSS, × the dump's first row,
and GFLOP/s per CPU second (torch.utils.flop_counter) beside a measured GEMM and convolution peak of this CPU. Also:
each formulation's per-step losses against legacy's on the same plans from the same weights.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from typing import Callable

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "python_worker"))
sys.path.insert(0, os.path.dirname(__file__))

from worker_policies import apply_worker_policies  # noqa: E402

if "--serve" in sys.argv:  # a measured process: the worker's policies before torch loads (malloc: this row's)
    MALLOC = apply_worker_policies()["malloc"]

import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from plain_loop import read_records, run_with_plans  # noqa: E402
from torch import nn  # noqa: E402
from torch.utils.flop_counter import FlopCounterMode  # noqa: E402

from mixmask_worker.generated.mixmask.v1 import worker_pb2  # noqa: E402
from mixmask_worker.losses.info_nce import InfoNCEWithQueue  # noqa: E402
from mixmask_worker.training.momentum import update_momentum  # noqa: E402
from mixmask_worker.training.run import TrainingRun  # noqa: E402
from mixmask_worker.training.step_formulation import ENVIRONMENT_VARIABLE, FORMULATIONS  # noqa: E402

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


ROWS = ",".join(
    ["legacy:system", "fused:system", "legacy:retain", "grouped:retain", "fused:retain"]
    + ["ceiling-contiguous:retain", "ceiling-channels_last:retain"]
)
CEILINGS = {"ceiling-contiguous": False, "ceiling-channels_last": True}


def build_row(args: argparse.Namespace) -> tuple[Step, list[float], int]:
    """This process's row (``--row``) on its dump: the step, its first losses, and its FLOPs (0: not counted)."""
    if args.row in CEILINGS:
        run, plans = worker_run(args, args.plans[0], "legacy", bn_splits=1)
        step = ceiling_step(run, CEILINGS[args.row], len(plans[0].indices), mixed=len(plans[0].terms) > 1)
        losses: list[float] = []
    else:
        if args.row not in FORMULATIONS:
            raise SystemExit(
                f"--rows: unknown row {args.row!r}; expected one of {', '.join(FORMULATIONS)}, {', '.join(CEILINGS)}"
            )
        run, plans = worker_run(args, args.plans[0], args.row)
        step, read_losses = worker_step(run, plans)
        for _ in range(args.compare_steps):
            step()  # the same plans from the same weights in every formulation: the losses must agree
        losses = read_losses()[: args.compare_steps]
    flops = step_flops(step) if args.row == "fused" or args.row in CEILINGS else 0
    for _ in range(2):
        step()  # warm: allocations, oneDNN primitives, the allocator's steady state
    return step, losses, flops


def serve(args: argparse.Namespace) -> None:
    """A measured process: builds its row, announces it, then runs ``STEPS`` requests from stdin, answering wall and
    CPU ms and minor page faults per step; ``peak`` answers the GEMM and convolution peaks; an empty line quits."""
    torch.set_num_threads(args.threads)
    step, losses, flops = build_row(args)
    print(json.dumps({"malloc": MALLOC, "losses": losses, "flops": flops}), flush=True)
    for line in sys.stdin:
        if not line.strip():
            break
        if line.strip() == "peak":
            print(json.dumps(peak_gflops()), flush=True)
            continue
        steps = int(line)
        w0, c0, f0 = time.perf_counter(), time.process_time(), resource.getrusage(resource.RUSAGE_SELF).ru_minflt
        for _ in range(steps):
            step()
        wall, cpu = time.perf_counter() - w0, time.process_time() - c0
        usage = resource.getrusage(resource.RUSAGE_SELF)
        answer = {
            "wallMs": wall / steps * 1000,
            "cpuMs": cpu / steps * 1000,
            "faults": (usage.ru_minflt - f0) / steps,
            "peakRssMb": usage.ru_maxrss / 1024,  # ru_maxrss: KiB on Linux
        }
        print(json.dumps(answer), flush=True)


class Measured:
    """One ``--serve`` process: a row on a dump under a malloc policy, spoken to line by line."""

    def __init__(self, args: argparse.Namespace, plans: str, row: str, malloc: str) -> None:
        command = [sys.executable, __file__, "--serve", "--row", row, "--plans", plans, "--threads", str(args.threads)]
        command += ["--count", str(args.count), "--source-size", str(args.source_size)]
        command += ["--source-channels", str(args.source_channels), "--compare-steps", str(args.compare_steps)]
        env = {**os.environ, "MIXMASK_WORKER_MALLOC": malloc}
        self.process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env)
        self.facts = self.ask(None)  # built and warmed: its malloc policy, first losses, FLOPs

    def ask(self, line: str | None) -> dict:
        assert self.process.stdin is not None and self.process.stdout is not None
        if line is not None:
            self.process.stdin.write(line + "\n")
            self.process.stdin.flush()
        answer = self.process.stdout.readline()
        if not answer:
            raise RuntimeError(f"the measured process exited ({self.process.wait()})")
        return json.loads(answer)

    def close(self) -> None:
        if self.process.stdin is not None and not self.process.stdin.closed:
            self.process.stdin.close()
        self.process.wait()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--plans", action="append", required=True, help="a --dump-plans file; repeat for several")
    parser.add_argument("--count", type=int, required=True)
    parser.add_argument("--source-size", type=int, required=True)
    parser.add_argument("--source-channels", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--steps", type=int, default=2, help="steps per row per round")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--rows", default=ROWS, help=f"KIND:MALLOC rows per dump (default {ROWS})")
    parser.add_argument("--compare-steps", type=int, default=3, help="steps whose losses are compared")
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--row", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args)
        return

    specs = [tuple(spec.split(":")) for spec in args.rows.split(",")]
    names, processes = [], {}
    try:
        for path in args.plans:  # one at a time: building a row takes the cores it would otherwise slow down
            label = os.path.splitext(os.path.basename(path))[0]
            for row, malloc in specs:
                name = f"{label} {row} [{malloc}]"
                processes[name] = Measured(args, path, row, malloc)
                names.append(name)
        wall: dict[str, list[float]] = {name: [] for name in names}
        cpu: dict[str, list[float]] = {name: [] for name in names}
        faults: dict[str, list[float]] = {name: [] for name in names}
        peak_rss: dict[str, float] = {}
        for index in range(args.rounds):
            for name in names if index % 2 == 0 else names[::-1]:
                answer = processes[name].ask(str(args.steps))
                wall[name].append(answer["wallMs"])
                cpu[name].append(answer["cpuMs"])
                faults[name].append(answer["faults"])
                peak_rss[name] = answer["peakRssMb"]
            print(json.dumps({"round": index, "cpuMs": {n: round(v[-1], 1) for n, v in cpu.items()}}), flush=True)
        peaks = processes[names[-1]].ask("peak")
    finally:
        for process in processes.values():
            process.close()

    result: dict = {"threads": args.threads, "rounds": args.rounds, "stepsPerRound": args.steps, "peakGflops": peaks}
    rows: dict[str, dict] = {}
    for name in names:
        label = name.split(" ")[0]
        base = next(n for n in names if n.startswith(label + " "))  # the dump's first row
        legacy = next((n for n in names if n.startswith(f"{label} legacy ")), None)
        facts = processes[name].facts
        cpu_ms, wall_ms = statistics.median(cpu[name]), statistics.median(wall[name])
        row = {
            "malloc": facts["malloc"],
            "cpuMs": cpu_ms,
            "wallMs": wall_ms,
            "cpuRounds": cpu[name],
            "pageFaultsPerStep": statistics.median(faults[name]),
            "peakRssMb": peak_rss[name],
            "speedupCpu": statistics.median(cpu[base]) / cpu_ms,
            "speedupWall": statistics.median(wall[base]) / wall_ms,
        }
        reference = processes[legacy].facts["losses"] if legacy else []
        if facts["losses"] and reference:
            row["lossRelDiffVsLegacy"] = max(abs(a - b) / abs(b) for a, b in zip(facts["losses"], reference))
        if facts["flops"]:
            row["gflop"] = facts["flops"] / 1e9
            row["gflopsPerCpuSecond"] = facts["flops"] / (cpu_ms / 1000) / 1e9
        rows[name] = row
    result["rows"] = rows
    print(json.dumps(result, indent=1))
    header = f"{'row':46s} {'CPU ms':>7s} {'wall ms':>7s} {'× first CPU':>11s} {'× first wall':>12s} {'GFLOP/s':>7s}"
    print(f"{header} {'faults/step':>11s} {'peak RSS MB':>11s}")
    for name, row in rows.items():
        figures = f"{row['cpuMs']:7.0f} {row['wallMs']:7.0f} {row['speedupCpu']:11.2f} {row['speedupWall']:12.2f}"
        rate = f"{row['gflopsPerCpuSecond']:7.0f}" if "gflopsPerCpuSecond" in row else ""
        print(f"{name:46s} {figures} {rate:>7s} {row['pageFaultsPerStep']:11.0f} {row['peakRssMb']:11.0f}")
    print(f"× first: against each dump's first row; peaks, GFLOP/s per CPU second: {peaks}")


if __name__ == "__main__":
    main()
