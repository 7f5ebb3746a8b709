"""How far one SGD step moves the embeddings, by base width: the GPU preset's collapse suspect that bf16 was not.

docs/GPU_FOUNDATION.md ("The GPU preset's collapse: what was checked on the CPU"): at width 64 the `gpu` preset's
MixMask loss climbed to its uniform value on an H100, while width 16 in fp32 on the CPU stayed healthy, and bf16 /
channels_last were ruled out on the CPU. Width is left. Under standard parametrisation the same learning rate moves a
wider network's outputs further per step, so lr 0.06 at width 64 may be a much larger step, in what the loss sees,
than lr 0.06 at width 16.

This trains one worker ``TrainingRun`` per width from the same seed on the same MixMask plans (bf16_collapse.py's:
K 4096, m 0.99, T 0.2, crops 0.5-1, bn_splits 8, head 512 -> 128, batch 512) and after each step measures, on a
fixed batch of unaugmented training images through the online encoder (train-mode BatchNorm, as the loss sees it):

* ``pos-top1``: the step's positive-key top-1 (pinned near 1 while the loss climbs: the H100's collapse pattern);
* ``move``: the mean distance each image's unit embedding travelled in that step (a shared drift counts too);
* ``cos``: the mean cosine between the embeddings of two different images (what collapse drives to 1);
* ``Δcos``: the mean change of those pairwise cosines in that step, what the loss sees of the move (a rotation
  of all embeddings together changes no cosine).

  OMP_NUM_THREADS=2 .venv/bin/python bench/gpu/width_step_size.py --widths 16 32 64 --steps 4

``--lr-scale p`` multiplies the learning rate of each width by (width / first width) ** -p, to check which exponent
makes the steps alike; ``--masker none`` keeps only the plain query's term (plain MoCo v2). What it found, and the
records: docs/GPU_FOUNDATION.md, "The cause", and bench/results/gpu-collapse-cpu/.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bf16_collapse import fashion, plan, request  # noqa: E402

from mixmask_worker.data.store import DatasetStore  # noqa: E402
from mixmask_worker.training.run import TrainingRun  # noqa: E402


def unit_embeddings(run: TrainingRun, images: torch.Tensor) -> torch.Tensor:
    """Unit head outputs [N, D] of uint8 images [N, H, W, 1], BatchNorm in train mode and its running stats kept."""
    x = images.permute(0, 3, 1, 2).float().div(255.0).repeat(1, 3, 1, 1)
    x = (x - run.mean.view(1, 3, 1, 1)) / run.std.view(1, 3, 1, 1)
    saved = {k: v.clone() for k, v in run.online.state_dict().items() if "running" in k or "num_batches" in k}
    with torch.no_grad():
        z = F.normalize(run.online(x).float(), dim=1)
    run.online.load_state_dict(saved, strict=False)
    return z


def pairwise_cosines(z: torch.Tensor) -> torch.Tensor:
    n = z.shape[0]
    return (z @ z.T)[~torch.eye(n, dtype=torch.bool)]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--widths", type=int, nargs="+", default=[16, 32, 64])
    parser.add_argument("--batch", type=int, default=512)
    parser.add_argument("--steps", type=int, default=4)
    parser.add_argument("--images", type=int, default=8192)
    parser.add_argument("--probe", type=int, default=512)
    parser.add_argument("--lr", type=float, default=0.06)
    parser.add_argument("--lr-scale", type=float, default=0.0, help="exponent p: lr x (width / widths[0]) ** -p")
    parser.add_argument("--momentum", type=float, default=0.99)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--masker",
        choices=["mixmask", "none"],
        default="mixmask",
        help="none: plain MoCo v2, only the plain query's term (the H100's `none` run did not collapse)",
    )
    args = parser.parse_args()
    images = fashion(args.images)
    store = DatasetStore(torch.device("cpu"))
    store.put("train", images, None)
    probe = torch.from_numpy(images[-args.probe :])
    queue = 4096
    print(
        f"batch {args.batch}, K {queue}, m {args.momentum}, lr {args.lr} x (w/{args.widths[0]})^-{args.lr_scale}, "
        f"T 0.2, {args.masker}, seed {args.seed}; probe = {args.probe} unaugmented images, train-mode BN; torch threads "
        f"{torch.get_num_threads()}"
    )
    print("width | lr | step | loss | pos-top1 | move | cos | Δcos | s/step")
    for width in args.widths:
        torch.manual_seed(args.seed)
        lr = args.lr * (width / args.widths[0]) ** -args.lr_scale
        run = TrainingRun(request(width, queue, args.seed), store, torch.device("cpu"))
        rng = np.random.default_rng(args.seed)  # the same plans for every width
        before = unit_embeddings(run, probe)
        cosines = pairwise_cosines(before)
        print(f"{width:5d} | {lr:.4f} | init | - | - | - | {float(cosines.mean()):.4f} | - | -", flush=True)
        for step in range(args.steps):
            started = time.perf_counter()
            step_plan = plan(step, rng, args.images, args.batch, lr, args.momentum)
            if args.masker == "none":
                del step_plan.terms[1:]
                step_plan.ClearField("mask")
            result = run.step(step_plan).resolve()
            seconds = time.perf_counter() - started
            after = unit_embeddings(run, probe)
            move = float((after - before).norm(dim=1).mean())
            changed = pairwise_cosines(after)
            print(
                f"{width:5d} | {lr:.4f} | {step:4d} | {result.loss:.3f} | {result.positive_top1:.3f} | {move:.4f} | "
                f"{float(changed.mean()):.4f} | {float((changed - cosines).abs().mean()):.4f} | {seconds:.1f}",
                flush=True,
            )
            before, cosines = after, changed


if __name__ == "__main__":
    main()
