"""Does bf16 autocast (and channels_last) change the GPU preset's MixMask dynamics? The same run twice on the CPU.

docs/GPU_FOUNDATION.md: the `gpu` preset's MixMask loss reached its uniform value 2·ln(4097) on an H100 (width 64,
bf16, channels_last), while the same values at width 16 in fp32 on the CPU did not. This trains one worker
``TrainingRun`` per arm from the same seed on the same plans (MixMask, K 4096, m 0.99, T 0.2, lr 0.06, crops 0.5–1 of
Fashion-MNIST), one arm in fp32 and one under CPU bf16 autocast (optionally channels_last), and prints each step's
loss / uniform, positive-key top-1 and embedding spread side by side.

  OMP_NUM_THREADS=1 nice -n 19 .venv/bin/python bench/gpu/bf16_collapse.py --width 16 --batch 128 --steps 60

The worker allows bf16 only on CUDA (training_run.py); this script switches it on for a CPU run by hand, which is
what an experiment needs and what no user path does.
"""

from __future__ import annotations

import argparse
import gzip
import math
import sys
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "python_worker"))
sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "python_worker" / "tests"))

from plan_builders import GRID, block_mask, branch, kept_fraction  # noqa: E402

from mixmask_worker.data.store import DatasetStore  # noqa: E402
from mixmask_worker.generated.mixmask.v1 import worker_pb2  # noqa: E402
from mixmask_worker.training.run import TrainingRun  # noqa: E402

FASHION = Path("/usr/share/datasets/fashion-mnist")
SIZE = 28


def fashion(count: int) -> np.ndarray:
    data = gzip.open(FASHION / "train-images-idx3-ubyte.gz").read()
    return np.frombuffer(data, np.uint8, offset=16)[: count * SIZE * SIZE].reshape(count, SIZE, SIZE, 1).copy()


def request(width: int, queue: int, seed: int) -> worker_pb2.CreateRunRequest:
    return worker_pb2.CreateRunRequest(
        run_id="run", seed=seed, dataset_id="train", image_size=SIZE,
        backbone=worker_pb2.BackboneConfig(arch="resnet18", base_width=width, cifar_stem=True),
        head=worker_pb2.HeadConfig(hidden_dim=512, out_dim=128),
        moco=worker_pb2.MocoConfig(queue_size=queue, bn_splits=8),
        optimizer=worker_pb2.OptimizerConfig(momentum=0.9, weight_decay=5e-4),
        mean=[0.2860] * 3, std=[0.3530] * 3, precision="fp32", channels_last=False, momentum_encoder=True,
    )


def views(rng: np.random.Generator, n: int) -> worker_pb2.ViewPlan:
    crop = []
    for _ in range(n):
        side = SIZE * math.sqrt(rng.uniform(0.5, 1.0))
        x, y = rng.uniform(0, SIZE - side), rng.uniform(0, SIZE - side)
        crop += [x, y, side, side]
    return worker_pb2.ViewPlan(
        crop=crop, flip=bytes(int(f) for f in rng.integers(0, 2, n)), jitter=[1.0, 1.0, 1.0, 0.0] * n,
        jitter_order=bytes([0, 1, 2, 3]) * n, grayscale=bytes(n), blur_sigma=[0.0] * n, blur_kernel_size=0,
    )


def plan(step: int, rng: np.random.Generator, count: int, batch: int, lr: float, momentum: float) -> worker_pb2.StepPlan:
    indices = rng.choice(count, batch, replace=False).tolist()
    cells = block_mask()
    lam = kept_fraction(cells, SIZE)
    partner = rng.permutation(batch)
    inverse = np.argsort(partner)
    q, q_mix, k = branch(worker_pb2.VIEW_0, worker_pb2.ONLINE), branch(worker_pb2.MASKED_0, worker_pb2.ONLINE), \
        branch(worker_pb2.VIEW_1, worker_pb2.MOMENTUM)
    terms = [
        worker_pb2.LossTerm(kind=worker_pb2.INFO_NCE_QUEUE, anchor=q, positive=k, weight=1.0, temperature=0.2),
        worker_pb2.LossTerm(kind=worker_pb2.INFO_NCE_QUEUE, anchor=q_mix, positive=k, weight=lam, temperature=0.2),
        worker_pb2.LossTerm(kind=worker_pb2.INFO_NCE_QUEUE, anchor=q_mix, anchor_order=inverse.tolist(), positive=k,
                            weight=1.0 - lam, temperature=0.2),
    ]
    p = worker_pb2.StepPlan(
        step=step, indices=indices, views=[views(rng, batch), views(rng, batch)], terms=terms, lr=lr,
        key_momentum=momentum, key_shuffle=rng.permutation(batch).tolist(), enqueue_term=0,
    )
    p.mask.CopyFrom(worker_pb2.MaskPlan(grid=GRID, cells=cells.tobytes(), fill=worker_pb2.PARTNER,
                                        partner=partner.tolist(), kept_fraction=[lam]))
    return p


def arm(bf16: bool, channels_last: bool, args: argparse.Namespace, store: DatasetStore) -> TrainingRun:
    run = TrainingRun(request(args.width, args.queue, args.seed), store, torch.device("cpu"))
    if bf16:
        run.use_bf16, run.precision_in_use = True, "bf16"
        run._autocast = lambda: torch.autocast(device_type="cpu", dtype=torch.bfloat16)  # type: ignore[method-assign]
    if channels_last:
        run.channels_last = True
        run.online.to(memory_format=torch.channels_last)
        if run.momentum is not None:
            run.momentum.to(memory_format=torch.channels_last)
    return run


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--width", type=int, default=16)
    parser.add_argument("--batch", type=int, default=128)
    parser.add_argument("--queue", type=int, default=4096)
    parser.add_argument("--steps", type=int, default=60)
    parser.add_argument("--images", type=int, default=4096)
    parser.add_argument("--lr", type=float, default=0.06)
    parser.add_argument("--momentum", type=float, default=0.99)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--channels-last", action="store_true")
    parser.add_argument("--update-cosine", action="store_true",
                        help="one step per arm from the same weights: cosine of the fp32 and bf16 weight updates")
    args = parser.parse_args()
    torch.set_num_threads(1)
    store = DatasetStore(torch.device("cpu"))
    store.put("train", fashion(args.images), None)
    runs = {"fp32": arm(False, False, args, store), "bf16": arm(True, args.channels_last, args, store)}
    if args.update_cosine:
        update_cosine(runs, args)
        return
    uniform = 2 * math.log(args.queue + 1)
    print(f"width {args.width}, batch {args.batch}, K {args.queue}, m {args.momentum}, lr {args.lr}; uniform {uniform:.3f}")
    print("step | fp32 loss/U top1 spread | bf16 loss/U top1 spread | s/step")
    rngs = {name: np.random.default_rng(args.seed) for name in runs}  # the same plans for both arms
    for step in range(args.steps):
        row, started = [], time.perf_counter()
        for name, run in runs.items():
            r = run.step(plan(step, rngs[name], args.images, args.batch, args.lr, args.momentum)).resolve()
            row.append(f"{r.loss / uniform:.4f} {r.positive_top1:.3f} {r.embedding_std:.4f}")
        print(f"{step:4d} | {' | '.join(row)} | {(time.perf_counter() - started) / 2:.1f}", flush=True)


def update_cosine(runs: dict[str, TrainingRun], args: argparse.Namespace) -> None:
    """Per module group, cos(Δw_fp32, Δw_bf16) and |Δw_bf16| / |Δw_fp32| of one step on the same plan and weights."""
    before = {name: {k: v.detach().clone() for k, v in run.online.named_parameters()} for name, run in runs.items()}
    losses = {}
    for name, run in runs.items():
        losses[name] = run.step(plan(0, np.random.default_rng(args.seed), args.images, args.batch, args.lr,
                                     args.momentum)).resolve()
    print(f"width {args.width}, batch {args.batch}: loss fp32 {losses['fp32'].loss:.6f}, bf16 {losses['bf16'].loss:.6f}; "
          f"spread fp32 {losses['fp32'].embedding_std:.5f}, bf16 {losses['bf16'].embedding_std:.5f}")
    groups: dict[str, list[tuple[torch.Tensor, torch.Tensor]]] = {}
    after = {name: dict(run.online.named_parameters()) for name, run in runs.items()}
    for key in before["fp32"]:
        group = key.split(".")[0] + "." + key.split(".")[1] if key.startswith("backbone") else key.split(".")[0]
        d32 = (after["fp32"][key].detach() - before["fp32"][key]).flatten()
        d16 = (after["bf16"][key].detach() - before["bf16"][key]).flatten()
        groups.setdefault(group, []).append((d32, d16))
    for group, pairs in groups.items():
        a = torch.cat([p[0] for p in pairs])
        b = torch.cat([p[1] for p in pairs])
        cos = float(torch.nn.functional.cosine_similarity(a, b, dim=0))
        print(f"  {group:24s} cos(Δw) {cos:.5f}  |Δw bf16| / |Δw fp32| {float(b.norm() / a.norm()):.4f}")


if __name__ == "__main__":
    main()
