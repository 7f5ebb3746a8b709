"""Batch norm over groups of the batch: multi-device BN emulated on one device.

MoCo's shuffle-BN (He et al. 2020, "Momentum Contrast for Unsupervised Visual Representation Learning", §3.3)
relies on each GPU normalising its own slice of the shuffled key batch, so that batch statistics cannot leak which
query a key belongs to. On one device the same effect comes from normalising ``num_splits`` groups separately, as
the official MoCo CIFAR-10 demo's ``SplitBatchNorm`` does: sample ``n`` belongs to group ``n % num_splits``.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor, nn


class SplitBatchNorm2d(nn.BatchNorm2d):
    """``nn.BatchNorm2d`` whose training-mode statistics are computed per group of the batch.

    In training, input ``[N, C, H, W]`` is viewed as ``[N / s, s·C, H, W]`` (``s = num_splits``) and normalised
    channel-wise, so group ``n % s`` gets its own mean and variance; the running statistics are the mean of the
    ``s`` groups' updates. In eval mode this is plain batch norm with the running statistics. The ``state_dict``
    keys are those of ``nn.BatchNorm2d``.
    """

    def __init__(self, num_features: int, num_splits: int) -> None:
        super().__init__(num_features)
        if not isinstance(num_splits, int) or num_splits < 1:
            raise ValueError(f"moco.bn_splits is {num_splits!r}; expected a positive integer (1 disables splitting)")
        self.num_splits = num_splits

    def forward(self, input: Tensor) -> Tensor:
        if not self.training or self.num_splits == 1:
            return super().forward(input)
        n, c, h, w = input.shape
        s = self.num_splits
        if n % s != 0:
            raise ValueError(
                f"batch size {n} is not divisible by moco.bn_splits = {s}; choose a batch size that is a multiple "
                f"of bn_splits, or set bn_splits to a divisor of {n}"
            )
        momentum = 0.0 if self.momentum is None else self.momentum
        if self.track_running_stats and self.num_batches_tracked is not None:
            self.num_batches_tracked.add_(1)
            if self.momentum is None:  # cumulative moving average, as nn.BatchNorm2d
                momentum = 1.0 / float(self.num_batches_tracked)
        running_mean = self.running_mean.repeat(s) if self.running_mean is not None else None  # [s·C]
        running_var = self.running_var.repeat(s) if self.running_var is not None else None  # [s·C]
        weight = self.weight.repeat(s) if self.weight is not None else None
        bias = self.bias.repeat(s) if self.bias is not None else None
        # reshape, not view: a channels_last input is not viewable as [N/s, s·C, H, W].
        out = F.batch_norm(
            input.reshape(n // s, s * c, h, w), running_mean, running_var, weight, bias, True, momentum, self.eps
        ).reshape(n, c, h, w)
        if running_mean is not None and running_var is not None:
            with torch.no_grad():
                self.running_mean.copy_(running_mean.view(s, c).mean(dim=0))
                self.running_var.copy_(running_var.view(s, c).mean(dim=0))
        return out

    def extra_repr(self) -> str:
        return f"{super().extra_repr()}, num_splits={self.num_splits}"
