"""The model-only ceiling of a MoCo v2 + MixMask step: the same networks, precision and memory format as the run in
FILE (``bench/throughput.ts --dump-plans FILE``), on input tensors already on the device — no gather, no
augmentation, no mask, no plan. Per step: two online passes with gradient (view, mixed view), one momentum pass, three
InfoNCE terms, backward, the run's optimizer, the EMA update and the enqueue; one device sync at the end.

    python bench/worker/model_ceiling.py --plans FILE [--steps 50] [--warmup 10] [--device cuda]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "python_worker"))
sys.path.insert(0, os.path.dirname(__file__))

from worker_policies import apply_worker_policies  # noqa: E402

POLICIES = apply_worker_policies()  # a ceiling of the worker's step: the worker's malloc and OpenMP wait

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

from plain_loop import read_records  # noqa: E402

from mixmask_worker.data.store import DatasetStore  # noqa: E402
from mixmask_worker.generated.mixmask.v1 import worker_pb2  # noqa: E402
from mixmask_worker.losses.info_nce import InfoNCEWithQueue  # noqa: E402
from mixmask_worker.training.momentum import update_momentum  # noqa: E402
from mixmask_worker.training.run import TrainingRun  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--plans", required=True)
    parser.add_argument("--steps", type=int, default=50)
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    parser.add_argument("--threads", type=int, default=0)
    args = parser.parse_args()
    if args.threads > 0:
        torch.set_num_threads(args.threads)
    device = torch.device(args.device)
    records = read_records(args.plans)
    request = worker_pb2.CreateRunRequest.FromString(records[0])
    batch = len(worker_pb2.StepPlan.FromString(records[1]).indices)
    store = DatasetStore(device)
    store.put(request.dataset_id, np.zeros((1, 8, 8, 3), dtype=np.uint8), None)
    run = TrainingRun(request, store, device)
    assert run.momentum is not None and run.queue is not None, "the ceiling is for MoCo v2 runs"

    s = run.image_size
    memory_format = torch.channels_last if run.channels_last else torch.contiguous_format
    x_q, x_mix, x_k = (torch.randn(batch, 3, s, s, device=device).contiguous(memory_format=memory_format) for _ in range(3))
    rev = torch.arange(batch - 1, -1, -1, device=device)
    info_nce = InfoNCEWithQueue()
    lam, t = 0.5, 0.2

    def step() -> None:
        with run._autocast():
            q = run.online(x_q)
            q_mix = run.online(x_mix)
            with torch.no_grad():
                k = run.momentum(x_k)
        q, q_mix, k = q.float(), q_mix.float(), k.float()
        loss = (info_nce(q, k, run.queue.keys, t).mean() + lam * info_nce(q_mix, k, run.queue.keys, t).mean()
                + (1 - lam) * info_nce(q_mix[rev], k, run.queue.keys, t).mean())
        run.optimizer.zero_grad(set_to_none=True)
        loss.backward()
        run.optimizer.step()
        update_momentum(run.online, run.momentum, 0.99)
        run.queue.enqueue(F.normalize(k.detach(), dim=1))

    for _ in range(args.warmup):
        step()
    if device.type == "cuda":
        torch.cuda.synchronize()
    t0 = time.perf_counter()
    for _ in range(args.steps):
        step()
    if device.type == "cuda":
        torch.cuda.synchronize()
    seconds = time.perf_counter() - t0
    print(json.dumps({
        "bench": "ceiling",
        "steps": args.steps,
        "stepsPerSecond": args.steps / seconds,
        "samplesPerSecond": args.steps * batch / seconds,
        "precision": run.precision_in_use,
        "channelsLast": run.channels_last,
        "device": str(device),
    }))


if __name__ == "__main__":
    main()
