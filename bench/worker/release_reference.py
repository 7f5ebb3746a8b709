"""A reference loop in the MixMask release's style: MoCo v2 augmentation on the CPU in DataLoader worker processes
(PIL operations, as torchvision's transforms apply them to PIL images), two crops per image, fp32, contiguous
tensors, a per-parameter Python loop for the momentum update, and ``loss.item()`` every step (the release's
AverageMeter) — then the same MoCo v2 + MixMask loss on the device, with the networks of the run in FILE.

    python bench/worker/release_reference.py --plans FILE --count N --source-size S [--workers W] [--steps 50]

Generous to the reference: images are decoded already (uint8 arrays, no JPEG decoding), and masks are drawn as
cheap discrete cells on the device.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image, ImageEnhance, ImageFilter, ImageOps

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "python_worker"))
sys.path.insert(0, os.path.dirname(__file__))

from plain_loop import read_records  # noqa: E402

from mixmask_worker.data.store import DatasetStore  # noqa: E402
from mixmask_worker.generated.mixmask.v1 import worker_pb2  # noqa: E402
from mixmask_worker.training.run import TrainingRun  # noqa: E402


class MocoV2Crops(torch.utils.data.Dataset):
    """Two MoCo v2 views of each uint8 image (RandomResizedCrop 0.2–1, ColorJitter 0.4/0.1 p 0.8, grayscale 0.2,
    blur σ 0.1–2 p 0.5, flip), normalised, as the release's TwoCropsTransform."""

    def __init__(self, images: np.ndarray, size: int, mean: list[float], std: list[float], blur: bool) -> None:
        self.images, self.size, self.blur = images, size, blur
        self.mean = np.asarray(mean, np.float32).reshape(3, 1, 1)
        self.std = np.asarray(std, np.float32).reshape(3, 1, 1)

    def __len__(self) -> int:
        return len(self.images)

    def __getitem__(self, i: int) -> tuple[torch.Tensor, torch.Tensor]:
        image = Image.fromarray(self.images[i]).convert("RGB")
        return self._view(image), self._view(image)

    def _view(self, image: Image.Image) -> torch.Tensor:
        w, h = image.size
        for _ in range(10):  # torchvision RandomResizedCrop.get_params
            area = w * h * random.uniform(0.2, 1.0)
            ratio = math.exp(random.uniform(math.log(3 / 4), math.log(4 / 3)))
            cw, ch = int(round(math.sqrt(area * ratio))), int(round(math.sqrt(area / ratio)))
            if 0 < cw <= w and 0 < ch <= h:
                left, top = random.randint(0, w - cw), random.randint(0, h - ch)
                break
        else:
            cw, ch, left, top = w, h, 0, 0
        x = image.resize((self.size, self.size), Image.BILINEAR, box=(left, top, left + cw, top + ch))
        if random.random() < 0.8:
            ops = [0, 1, 2, 3]
            random.shuffle(ops)
            for op in ops:
                if op == 0:
                    x = ImageEnhance.Brightness(x).enhance(random.uniform(0.6, 1.4))
                elif op == 1:
                    x = ImageEnhance.Contrast(x).enhance(random.uniform(0.6, 1.4))
                elif op == 2:
                    x = ImageEnhance.Color(x).enhance(random.uniform(0.6, 1.4))
                else:
                    hsv = np.array(x.convert("HSV"))
                    hsv[..., 0] = (hsv[..., 0].astype(np.int16) + int(random.uniform(-0.1, 0.1) * 255)) % 256
                    x = Image.fromarray(hsv, "HSV").convert("RGB")
        if random.random() < 0.2:
            x = x.convert("L").convert("RGB")
        if self.blur and random.random() < 0.5:
            x = x.filter(ImageFilter.GaussianBlur(radius=random.uniform(0.1, 2.0)))
        if random.random() < 0.5:
            x = ImageOps.mirror(x)
        array = np.asarray(x, np.float32).transpose(2, 0, 1) / 255.0
        return torch.from_numpy((array - self.mean) / self.std)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--plans", required=True)
    parser.add_argument("--count", type=int, required=True)
    parser.add_argument("--source-size", type=int, required=True)
    parser.add_argument("--workers", type=int, default=max(1, (os.cpu_count() or 2) - 2))
    parser.add_argument("--steps", type=int, default=50)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--blur", action="store_true")
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    args = parser.parse_args()
    device = torch.device(args.device)
    records = read_records(args.plans)
    request = worker_pb2.CreateRunRequest.FromString(records[0])
    request.precision, request.channels_last = "fp32", False  # as released
    batch = len(worker_pb2.StepPlan.FromString(records[1]).indices)
    store = DatasetStore(device)
    store.put(request.dataset_id, np.zeros((1, 8, 8, 3), dtype=np.uint8), None)
    run = TrainingRun(request, store, device)
    assert run.momentum is not None and run.queue is not None, "the reference is MoCo v2"
    run.optimizer = torch.optim.SGD(run.trainable_parameters(), lr=0.03, momentum=0.9, weight_decay=1e-4, foreach=False)

    images = np.random.default_rng(0).integers(0, 256, size=(args.count, args.source_size, args.source_size, 3), dtype=np.uint8)
    data = MocoV2Crops(images, run.image_size, list(request.mean), list(request.std), args.blur)
    loader = torch.utils.data.DataLoader(data, batch_size=batch, shuffle=True, num_workers=args.workers,
                                         pin_memory=device.type == "cuda", drop_last=True, persistent_workers=True)
    s, g = run.image_size, 8 if run.image_size >= 64 else 4
    rev = torch.arange(batch - 1, -1, -1, device=device)

    def step(x_q: torch.Tensor, x_k: torch.Tensor) -> float:
        cells = (torch.rand(g, g, device=device) < 0.5).float()
        mask = F.interpolate(cells[None, None], size=(s, s), mode="nearest")[0, 0]  # the release's upsampling
        lam = float(mask.mean())  # a sync, as the release computes λ on the host
        x_mix = mask * x_q + (1 - mask) * x_q[rev]
        q, q_mix = F.normalize(run.online(x_q), dim=1), F.normalize(run.online(x_mix), dim=1)
        with torch.no_grad():
            for p_q, p_k in zip(run.online.parameters(), run.momentum.parameters()):  # the release's update
                p_k.data = p_k.data * 0.999 + p_q.data * (1.0 - 0.999)
            k = F.normalize(run.momentum(x_k), dim=1)

        def nce(q_: torch.Tensor) -> torch.Tensor:
            logits = torch.cat([(q_ * k).sum(1, keepdim=True), q_ @ run.queue.keys.t()], dim=1) / 0.2
            return F.cross_entropy(logits, torch.zeros(batch, dtype=torch.long, device=device))

        loss = nce(q) + lam * nce(q_mix) + (1 - lam) * nce(q_mix[rev])
        run.optimizer.zero_grad()
        loss.backward()
        run.optimizer.step()
        run.queue.enqueue(k)
        return loss.item()  # the release's AverageMeter: one sync per step

    done, t0 = 0, time.perf_counter()
    while done < args.warmup + args.steps:
        for x_q, x_k in loader:
            step(x_q.to(device, non_blocking=True), x_k.to(device, non_blocking=True))
            done += 1
            if done == args.warmup:
                t0 = time.perf_counter()
            if done == args.warmup + args.steps:
                break
    seconds = time.perf_counter() - t0
    print(json.dumps({
        "bench": "release-style",
        "steps": args.steps,
        "stepsPerSecond": args.steps / seconds,
        "samplesPerSecond": args.steps * batch / seconds,
        "workers": args.workers,
        "device": str(device),
    }))


if __name__ == "__main__":
    main()
