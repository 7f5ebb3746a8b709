"""Weighted k-NN classification on frozen features (Wu et al. 2018, "Unsupervised Feature Learning via
Non-Parametric Instance Discrimination"), the monitor of the MoCo CIFAR-10 demo and Un-Mix (k = 200, T = 0.1).
"""

from __future__ import annotations

import math
import numbers

import torch
import torch.nn.functional as F
from torch import Tensor, nn


@torch.no_grad()
def extract_features(
    backbone: nn.Module,
    images: Tensor,
    image_size: int,
    mean: Tensor,
    std: Tensor,
    batch_size: int,
    normalize: bool = True,
) -> Tensor:
    """L2-normalised (or, with ``normalize=False``, raw) float32 backbone features ``[N, F]`` of uint8
    ``images [N, H, W, C]`` (C = 1 or 3).

    The backbone runs in eval mode (its previous mode is restored). Grey images are repeated to 3 channels; images
    that are not ``image_size`` square are resized to it (bilinear, antialiased, aspect ratio not kept); then
    ``(x − mean) / std``.
    """
    if images.dim() != 4 or images.dtype != torch.uint8 or images.shape[-1] not in (1, 3):
        raise ValueError(f"images are {images.dtype} {list(images.shape)}; expected uint8 [N, H, W, C], C = 1 or 3")
    if images.shape[0] == 0:
        raise ValueError("images is empty; k-NN needs at least one image")
    if not isinstance(batch_size, int) or batch_size < 1:
        raise ValueError(f"batch_size is {batch_size!r}; expected a positive integer")
    if not isinstance(image_size, int) or image_size < 1:
        raise ValueError(f"image_size is {image_size!r}; expected a positive integer")
    h, w = images.shape[1], images.shape[2]
    was_training = backbone.training
    backbone.eval()
    try:
        features = []
        for start in range(0, images.shape[0], batch_size):
            x = images[start : start + batch_size].permute(0, 3, 1, 2).float().div_(255.0)  # [B, C, H, W]
            if x.shape[1] == 1:
                x = x.expand(-1, 3, -1, -1)
            if h != image_size or w != image_size:
                x = F.interpolate(
                    x, size=(image_size, image_size), mode="bilinear", align_corners=False, antialias=True
                )
            x = (x - mean.view(1, 3, 1, 1)) / std.view(1, 3, 1, 1)  # [B, 3, S, S]
            out = backbone(x).float()  # [B, F]
            features.append(F.normalize(out, dim=1) if normalize else out)
        return torch.cat(features)  # [N, F]
    finally:
        backbone.train(was_training)


@torch.no_grad()
def weighted_knn(
    train_features: Tensor,
    train_labels: Tensor,
    test_features: Tensor,
    test_labels: Tensor,
    k: int,
    temperature: float,
    num_classes: int,
    batch_size: int = 256,
) -> tuple[float, float]:
    """Top-1 and top-5 accuracy (fractions in [0, 1]) of similarity-weighted k-NN voting.

    For each test feature: cosine similarities to the bank (features are expected unit-norm), the k most similar
    neighbours (k is clipped to the bank size) vote for their labels with weight ``exp(sim / T)``; classes are
    ranked by total vote. ``top5`` equals ``top1`` when there are fewer than 5 classes.
    """
    if not isinstance(k, int) or k < 1:
        raise ValueError(f"k is {k!r}; expected a positive integer (MoCo CIFAR monitor: 200)")
    if not (isinstance(temperature, numbers.Real) and math.isfinite(temperature) and temperature > 0):
        raise ValueError(f"temperature is {temperature!r}; expected a finite number > 0 (MoCo CIFAR monitor: 0.1)")
    if not isinstance(num_classes, int) or num_classes < 1:
        raise ValueError(f"num_classes is {num_classes!r}; expected a positive integer")
    if not isinstance(batch_size, int) or batch_size < 1:
        raise ValueError(f"batch_size is {batch_size!r}; expected a positive integer")
    n_train, n_test = train_features.shape[0], test_features.shape[0]
    if n_train == 0 or n_test == 0:
        raise ValueError(f"k-NN needs a non-empty bank and test set; got {n_train} train and {n_test} test features")
    if train_labels.shape != (n_train,) or test_labels.shape != (n_test,):
        raise ValueError(
            f"labels are {list(train_labels.shape)} and {list(test_labels.shape)}; expected [{n_train}] and [{n_test}]"
        )
    if train_features.dim() != 2 or test_features.dim() != 2 or train_features.shape[1] != test_features.shape[1]:
        raise ValueError(
            f"features are {list(train_features.shape)} and {list(test_features.shape)}; expected [N, F] with equal F"
        )
    lo = torch.minimum(train_labels.min(), test_labels.min())
    hi = torch.maximum(train_labels.max(), test_labels.max())
    lo_v, hi_v = int(lo), int(hi)  # one read-back per evaluation, so that a bad label cannot crash a device kernel
    if lo_v < 0 or hi_v >= num_classes:
        raise ValueError(f"labels span [{lo_v}, {hi_v}]; expected every label in [0, num_classes = {num_classes})")

    k = min(k, n_train)
    top = min(5, num_classes)
    bank = train_features.float().t()  # [F, N_train]
    bank_labels = train_labels.long()
    correct1 = torch.zeros((), dtype=torch.long, device=test_features.device)
    correct5 = torch.zeros((), dtype=torch.long, device=test_features.device)
    for start in range(0, n_test, batch_size):
        f = test_features[start : start + batch_size].float()  # [B, F]
        y = test_labels[start : start + batch_size].long()  # [B]
        sim, idx = (f @ bank).topk(k, dim=1)  # [B, k]
        weights = (sim / temperature).exp()  # [B, k]
        scores = torch.zeros(f.shape[0], num_classes, device=f.device, dtype=torch.float32)
        scores.scatter_add_(1, bank_labels[idx], weights)  # [B, C]: Σ weights · one_hot(label)
        ranked = scores.topk(top, dim=1).indices  # [B, top]
        hits = ranked == y[:, None]
        correct1 += hits[:, 0].sum()
        correct5 += hits.any(dim=1).sum()
    top1 = int(correct1) / n_test
    return top1, (int(correct5) / n_test if num_classes >= 5 else top1)
