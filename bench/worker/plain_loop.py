"""The same training steps as bench/throughput.ts, replayed by a plain Python loop calling the worker's modules
in-process: no TypeScript, no gRPC. The SDK's steps/s over this loop's is the bridge overhead (target ≥ 0.97).

    python bench/worker/plain_loop.py --plans FILE --count N --source-size S [--source-channels 3] [--warmup W]
    [--device cpu|cuda] [--threads T] [--in-flight 4] [--serve]

FILE comes from ``bench/throughput.ts --dump-plans FILE``: the CreateRun request then every step's plan. The loop
keeps the same number of steps in flight as the SDK (results are read back with that lag), so neither side syncs
with the device per step.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import struct
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
from worker_policies import apply_worker_policies  # noqa: E402

POLICIES = apply_worker_policies()  # before torch loads, as in the worker: its malloc and OpenMP wait

import numpy as np  # noqa: E402
import torch  # noqa: E402

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "python_worker"))

from mixmask_worker.data.store import DatasetStore  # noqa: E402
from mixmask_worker.generated.mixmask.v1 import worker_pb2  # noqa: E402
from mixmask_worker.training.run import TrainingRun  # noqa: E402


def read_records(path: str) -> list[bytes]:
    data = open(path, "rb").read()
    records, offset = [], 0
    while offset < len(data):
        (size,) = struct.unpack_from("<I", data, offset)
        records.append(data[offset + 4 : offset + 4 + size])
        offset += 4 + size
    return records


def add_plan_arguments(parser: argparse.ArgumentParser) -> None:
    """The dumped plans and the shape of the synthetic images they index (bench/throughput.ts --dump-plans)."""
    parser.add_argument("--plans", required=True)
    parser.add_argument("--count", type=int, required=True)
    parser.add_argument("--source-size", type=int, required=True)
    parser.add_argument("--source-channels", type=int, default=3)


def run_with_plans(args: argparse.Namespace, device: torch.device) -> tuple[TrainingRun, list]:
    """The dump's run, created on ``device`` over random images of the dumped shape, and its step plans."""
    records = read_records(args.plans)
    request = worker_pb2.CreateRunRequest.FromString(records[0])
    plans = [worker_pb2.StepPlan.FromString(r) for r in records[1:]]
    store = DatasetStore(device)
    shape = (args.count, args.source_size, args.source_size, args.source_channels)
    store.put(request.dataset_id, np.random.default_rng(0).integers(0, 256, size=shape, dtype=np.uint8), None)
    return TrainingRun(request, store, device), plans


def main() -> None:
    parser = argparse.ArgumentParser()
    add_plan_arguments(parser)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    parser.add_argument("--threads", type=int, default=0)
    parser.add_argument("--in-flight", type=int, default=4)
    parser.add_argument("--profile", help="write torch.profiler's top operators of 10 timed steps to this file")
    parser.add_argument("--serve", action="store_true", help="run blocks of steps on request (see serve())")
    args = parser.parse_args()
    if args.threads > 0:
        torch.set_num_threads(args.threads)
    device = torch.device(args.device)
    if device.type == "cuda" and device.index is None:
        device = torch.device("cuda", torch.cuda.current_device())  # the dataset store places tensors on cuda:N

    run, plans = run_with_plans(args, device)

    if args.serve:
        serve(run, plans, args.in_flight)
        return
    for plan in plans[: args.warmup]:
        run.step(plan).resolve()
    timed = plans[args.warmup :]
    seconds, host_seconds = timed_steps(run, timed, args.in_flight)
    if args.profile:
        write_profile(run, timed[:10], args.profile)
    steps = len(timed)
    batch = len(plans[0].indices)
    print(json.dumps({
        "bench": "plain",
        "steps": steps,
        "stepsPerSecond": steps / seconds,
        "samplesPerSecond": steps * batch / seconds,
        "hostMsPerStep": 1000 * host_seconds / steps,
        "device": str(device),
    }))


def timed_steps(run: TrainingRun, plans: list, in_flight: int) -> tuple[float, float]:
    """Runs ``plans`` with the server's lag (results read back ``in_flight`` steps late); (wall s, host s in step)."""
    pending: collections.deque = collections.deque()
    host_seconds = 0.0
    t0 = time.perf_counter()
    for plan in plans:
        if len(pending) >= in_flight:
            pending.popleft().resolve()
        submitted = time.perf_counter()
        pending.append(run.step(plan))
        host_seconds += time.perf_counter() - submitted
    while pending:
        pending.popleft().resolve()
    return time.perf_counter() - t0, host_seconds


def serve(run: TrainingRun, plans: list, in_flight: int) -> None:
    """Blocks of steps on request, for bench/bridge-overhead.ts, which alternates them with the SDK's.

    Reads ``START COUNT`` lines from stdin, runs ``plans[START:START+COUNT]`` and answers one JSON line; an empty
    line or end of input quits. The run and its warm caches live across blocks, as the SDK worker's do.
    """
    print(json.dumps({"ready": True}), flush=True)
    for line in sys.stdin:
        if not line.strip():
            break
        start, count = (int(v) for v in line.split())
        seconds, host_seconds = timed_steps(run, plans[start : start + count], in_flight)
        print(json.dumps({"seconds": seconds, "hostSeconds": host_seconds}), flush=True)


def write_profile(run: TrainingRun, plans: list, path: str) -> None:
    """torch.profiler over a few steps: where host time and device time go, top operators by each."""
    from torch.profiler import ProfilerActivity, profile

    activities = [ProfilerActivity.CPU] + ([ProfilerActivity.CUDA] if torch.cuda.is_available() else [])
    with profile(activities=activities) as prof:
        for plan in plans:
            run.step(plan).resolve()
    averages = prof.key_averages()
    with open(path, "w") as out:
        out.write(averages.table(sort_by="self_cpu_time_total", row_limit=25) + "\n")
        if torch.cuda.is_available():
            out.write(averages.table(sort_by="self_cuda_time_total", row_limit=25) + "\n")


if __name__ == "__main__":
    main()
