"""Offline linear probe: a linear classifier trained on frozen, cached backbone features.

The release's protocol (MoCo ``main_lincls.py``; docs/EVALUATION.md): FC initialised N(0, 0.01) with zero bias, SGD with
momentum 0.9, weight decay 0, lr 30 at batch 256, 100 epochs, lr ×0.1 at epochs 60 and 80. One difference, by design:
the features are computed once without augmentation and cached (the release re-augments every epoch with
RandomResizedCrop + flip), which makes a probe cost seconds instead of a second pretraining.

Top-1 on the test features is measured after every epoch without reading back to the host; the per-epoch curve comes
back once at the end.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import Tensor


@dataclass(frozen=True)
class ProbeSettings:
    epochs: int
    batch_size: int
    lr: float
    momentum: float
    weight_decay: float
    milestones: tuple[int, ...]  # epochs (1-based counts completed) after which lr is multiplied by gamma
    gamma: float
    init_std: float


@dataclass(frozen=True)
class ProbeOutcome:
    test_top1: list[float]  # after each epoch
    last_top5: float
    train_top1: float  # running top-1 over the last epoch's training batches
    final_train_loss: float


def train_linear_probe(
    train_features: Tensor,
    train_labels: Tensor,
    test_features: Tensor,
    test_labels: Tensor,
    num_classes: int,
    settings: ProbeSettings,
    generator: torch.Generator,
) -> ProbeOutcome:
    """Trains ``W x + b`` on ``train_features [N, F]`` and returns the per-epoch test top-1.

    ``generator`` (a CPU generator seeded by the SDK) draws the classifier's initial weights and each epoch's batch
    order, so a probe is reproducible from the request alone.
    """
    device = train_features.device
    n, dim = train_features.shape
    weight = (torch.randn(num_classes, dim, generator=generator) * settings.init_std).to(device).requires_grad_(True)
    bias = torch.zeros(num_classes, device=device, requires_grad=True)
    optimizer = torch.optim.SGD(
        [weight, bias], lr=settings.lr, momentum=settings.momentum, weight_decay=settings.weight_decay
    )
    train_y = train_labels.long()
    test_y = test_labels.long()
    top1_per_epoch = torch.zeros(settings.epochs, device=device)
    correct = torch.zeros((), device=device)
    loss_sum = torch.zeros((), device=device)
    for epoch in range(settings.epochs):
        lr = settings.lr * settings.gamma ** sum(1 for m in settings.milestones if epoch >= m)
        for group in optimizer.param_groups:
            group["lr"] = lr
        order = torch.randperm(n, generator=generator).to(device)
        correct.zero_()
        loss_sum.zero_()
        for start in range(0, n, settings.batch_size):
            batch = order[start : start + settings.batch_size]
            logits = F.linear(train_features.index_select(0, batch), weight, bias)  # [B, C]
            y = train_y.index_select(0, batch)
            loss = F.cross_entropy(logits, y)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            with torch.no_grad():
                correct += (logits.argmax(dim=1) == y).sum()
                loss_sum += loss.detach() * y.shape[0]
        with torch.no_grad():
            top1_per_epoch[epoch] = _top_k(F.linear(test_features, weight, bias), test_y, 1)
    with torch.no_grad():
        last_top5 = _top_k(F.linear(test_features, weight, bias), test_y, min(5, num_classes))
    curve = top1_per_epoch.tolist()  # the one read-back of the probe
    return ProbeOutcome(
        test_top1=curve,
        last_top5=float(last_top5),
        train_top1=float(correct) / n,
        final_train_loss=float(loss_sum) / n,
    )


def _top_k(logits: Tensor, labels: Tensor, k: int) -> Tensor:
    """Fraction of rows whose label is among the k highest logits (a 0-d tensor; no host sync)."""
    ranked = logits.topk(k, dim=1).indices  # [N, k]
    return (ranked == labels[:, None]).any(dim=1).float().mean()
