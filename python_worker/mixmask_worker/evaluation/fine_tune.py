"""Semi-supervised fine-tuning: a copy of the backbone plus a linear classifier, trained end to end on a labelled
subset (SimCLR's semi-supervised protocol, Chen et al. 2020, §B.5: Nesterov SGD with momentum 0.9, no weight decay,
random crops and horizontal flips only, then top-1 on the test set without augmentation).

The SDK plans every step — which labelled images, their crops and flips, the lr — exactly like a pretraining step, so
the worker only applies it. The run's own networks are never touched: the copy is discarded afterwards.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Callable

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from mixmask_worker.augment.view_augmenter import augment_views
from mixmask_worker.augment.view_params import ViewParams
from mixmask_worker.models.grouped_batch_norm import GroupedBatchNorm2d
from mixmask_worker.models.split_batch_norm import SplitBatchNorm2d


@dataclass(frozen=True)
class FineTuneStep:
    indices: Tensor  # [B] int64 on the device: images of the labelled training set
    view: ViewParams  # crops and flips (every other op is the identity)
    lr: float


@dataclass(frozen=True)
class FineTuneSettings:
    momentum: float
    nesterov: bool
    weight_decay: float
    init_std: float
    image_size: int


@dataclass(frozen=True)
class FineTuneOutcome:
    test_top1: float
    test_top5: float
    final_train_loss: float  # mean over the last step's batch


def fine_tune(
    backbone: nn.Module,
    feature_dim: int,
    images: Callable[[Tensor], Tensor],
    labels: Callable[[Tensor], Tensor],
    steps: list[FineTuneStep],
    test_logits: Callable[[nn.Module], tuple[Tensor, Tensor]],
    num_classes: int,
    mean: Tensor,
    std: Tensor,
    settings: FineTuneSettings,
    generator: torch.Generator,
) -> FineTuneOutcome:
    """Fine-tunes a copy of ``backbone`` and returns its test accuracy.

    ``images(indices)`` and ``labels(indices)`` give the labelled training images (uint8 ``[B, H, W, C]``) and labels
    on the device; ``test_logits(model)`` runs the test images through ``model`` in eval mode and returns (logits
    ``[N, C]``, labels ``[N]``).
    """
    device = mean.device
    model = copy.deepcopy(backbone)
    for module in model.modules():
        if isinstance(module, (SplitBatchNorm2d, GroupedBatchNorm2d)):
            module.num_splits = 1  # downstream training normalises the whole batch, like every fine-tuning recipe
    model.train()
    for parameter in model.parameters():
        parameter.requires_grad_(True)
    classifier = nn.Linear(feature_dim, num_classes).to(device)
    with torch.no_grad():
        classifier.weight.copy_(torch.randn(num_classes, feature_dim, generator=generator) * settings.init_std)
        classifier.bias.zero_()
    optimizer = torch.optim.SGD(
        [*model.parameters(), *classifier.parameters()],
        lr=0.0,
        momentum=settings.momentum,
        nesterov=settings.nesterov,
        weight_decay=settings.weight_decay,
    )
    last_loss = torch.zeros((), device=device)
    for step in steps:
        for group in optimizer.param_groups:
            group["lr"] = step.lr
        x = augment_views(images(step.indices), step.view, settings.image_size, mean, std)  # [B, 3, S, S]
        loss = F.cross_entropy(classifier(model(x)), labels(step.indices))
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        last_loss = loss.detach()
    model.eval()
    with torch.no_grad():
        logits, test_labels = test_logits(nn.Sequential(model, classifier))
        ranked = logits.topk(min(5, num_classes), dim=1).indices  # [N, 5]
        hits = ranked == test_labels[:, None]
        top1 = hits[:, 0].float().mean()
        top5 = hits.any(dim=1).float().mean()
    return FineTuneOutcome(test_top1=float(top1), test_top5=float(top5), final_train_loss=float(last_loss))
