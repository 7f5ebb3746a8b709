"""Batch norm over groups of the batch: multi-device BN emulated on one device.

MoCo's shuffle-BN (He et al. 2020, "Momentum Contrast for Unsupervised Visual Representation Learning", §3.3)
relies on each GPU normalising its own slice of the shuffled key batch, so that batch statistics cannot leak which
query a key belongs to. On one device the same effect comes from normalising ``num_splits`` groups separately, as
the official MoCo CIFAR-10 demo's ``SplitBatchNorm`` does: sample ``n`` belongs to group ``n % num_splits``.
"""

from __future__ import annotations

from typing import Optional

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
        # Per-group running statistics [s·C] that F.batch_norm updates in place, and what the public ones were when
        # last written from them (see _group_running_stats). Plain attributes, not buffers: never saved, never moved.
        self._group_stats: Optional[tuple[Tensor, Tensor]] = None
        self._group_stats_of: Optional[tuple[int, int, int, int]] = None

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
        weight = self.weight.repeat(s) if self.weight is not None else None
        bias = self.bias.repeat(s) if self.bias is not None else None
        group_mean, group_var = self._group_running_stats(s)
        # reshape, not view: a channels_last input is not viewable as [N/s, s·C, H, W].
        out = F.batch_norm(
            input.reshape(n // s, s * c, h, w), group_mean, group_var, weight, bias, True, momentum, self.eps
        ).reshape(n, c, h, w)
        if group_mean is not None and group_var is not None:
            self._publish_running_stats(group_mean, group_var, s, c)
        return out

    def _group_running_stats(self, s: int) -> tuple[Optional[Tensor], Optional[Tensor]]:
        """The per-group running statistics ``[s·C]``, kept across calls instead of re-tiled from the public ones.

        Each group's statistic follows its own moving average, and the public statistic is their mean: since the
        update is linear, that mean follows exactly the moving average of the groups' mean batch statistics, as
        re-tiling every call does, without 2 ``repeat``s and 2 copies per call (on a GPU, kernel launches that
        dominated a small network's host time). The groups are re-tiled from the public statistics whenever those
        changed outside this forward — a checkpoint load, a DDP buffer broadcast, a move to another device, a deep
        copy: their storage pointer or autograd version counter then differs from what the last forward wrote.
        Under torch.compile the re-tiling is traced as plain tensor code (compiled graphs cannot keep this state).
        """
        mean, var = self.running_mean, self.running_var
        if mean is None or var is None:
            return None, None
        if torch.compiler.is_compiling():
            return mean.repeat(s), var.repeat(s)
        if self._group_stats is None or self._group_stats_of != _identity(mean, var):
            self._group_stats = (mean.repeat(s), var.repeat(s))
        return self._group_stats

    @torch.no_grad()
    def _publish_running_stats(self, group_mean: Tensor, group_var: Tensor, s: int, c: int) -> None:
        torch.mean(group_mean.view(s, c), dim=0, out=self.running_mean)
        torch.mean(group_var.view(s, c), dim=0, out=self.running_var)
        if not torch.compiler.is_compiling():
            self._group_stats_of = _identity(self.running_mean, self.running_var)  # type: ignore[arg-type]  # tracked

    def extra_repr(self) -> str:
        return f"{super().extra_repr()}, num_splits={self.num_splits}"


def _identity(mean: Tensor, var: Tensor) -> tuple[int, int, int, int]:
    """Storage and in-place version of both running statistics: any write that this module did not make changes it."""
    return (mean.data_ptr(), mean._version, var.data_ptr(), var._version)
