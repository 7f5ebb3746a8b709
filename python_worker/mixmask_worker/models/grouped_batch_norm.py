"""Batch norm over groups of the batch computed on views of the activations, in either memory format.

Two things need per-group batch statistics in one call:

* split BatchNorm (MoCo's single-device shuffle-BN, see ``split_batch_norm.py``): sample ``n`` is in group
  ``n % s``;
* one forward for several of a step's inputs (``training/fused_query_forward.py``): ``P`` passes interleaved as rows
  ``n·P + p`` keep each pass's own statistics, so row ``m`` of the fused batch is in group ``m % (s·P)``.

``SplitBatchNorm2d`` reshapes ``[N, C, H, W]`` into ``[N / s, s·C, H, W]`` for ``F.batch_norm``: a view of a
contiguous tensor but a copy of a channels_last one (0.74× instead of 1.31× on the CPU, bench/RESULTS.md). Here the
statistics are sums over a ``[J, G, L, C]`` view (``J = N / G`` rows per group, ``L = H·W``), which exists without a
copy in both formats, and the normalisation is one ``addcmul`` on it. Mean and variance are two-pass (mean first,
then the mean of squared deviations), as PyTorch's CPU kernel computes them, so values agree with ``nn.BatchNorm2d``
per group to float32 rounding. On this CPU the sums are also faster than PyTorch's own batch-norm kernels
(bench/RESULTS.md), so the groups cost nothing: ``num_splits = 1`` uses the same code.

Running statistics follow what the separate calls would have written: each pass ``p`` moves them once, in pass order,
towards the mean over its ``s`` groups of the group statistics (the unbiased variance, as ``nn.BatchNorm2d``); the
mean of per-group moving averages that ``SplitBatchNorm2d`` keeps is that same moving average, since the update is
linear. Eval mode is ``nn.BatchNorm2d``'s with the running statistics.
"""

from __future__ import annotations

import contextlib
from typing import Iterator, Optional

import torch
from torch import Tensor, nn


def _grouped_view(x: Tensor, groups: int) -> Tensor:
    """``[J, G, L, C]`` view of ``x`` (``[N, C, H, W]`` or ``[N, C]``) whose group ``g`` holds samples ``n % G == g``;
    a copy only when ``x`` is in neither memory format."""
    n, c = x.shape[0], x.shape[1]
    if x.dim() == 2:
        return x.contiguous().view(n // groups, groups, 1, c)
    h, w = x.shape[2], x.shape[3]
    if x.is_contiguous(memory_format=torch.channels_last) and not x.is_contiguous():
        return x.permute(0, 2, 3, 1).view(n // groups, groups, h * w, c)
    return x.contiguous().view(n // groups, groups, c, h * w).transpose(2, 3)


def _empty_like_view(like: Tensor, view: Tensor) -> Tensor:
    """A new tensor shaped like ``like`` in the memory format of ``view`` (a ``_grouped_view``): results are written
    through its grouped view, so that autograd sees a plain tensor, not a view (an in-place ReLU follows)."""
    channels_last = like.dim() == 4 and view.stride(3) == 1 and view.shape[2] > 1
    return torch.empty_like(like, memory_format=torch.channels_last if channels_last else torch.contiguous_format)


class _GroupNormalise(torch.autograd.Function):
    """``y = (x − μ_g)·(σ²_g + ε)^(−½)·w + b`` with statistics per group ``g = n % G`` and channel.

    Returns ``(y, μ [G, C], σ² [G, C])`` (biased variance; the statistics carry no gradient). The views are taken
    inside, so that ``y`` is a plain output (an in-place ReLU on it needs no view bookkeeping in autograd). The
    backward is batch norm's on the same view: ``dx = a·(dy − mean(dy) − x̂·mean(dy·x̂))``, ``a = w·(σ² + ε)^(−½)``.
    """

    @staticmethod
    def forward(  # type: ignore[override]
        ctx: torch.autograd.function.FunctionCtx,
        input: Tensor,
        weight: Optional[Tensor],
        bias: Optional[Tensor],
        eps: float,
        groups: int,
    ) -> tuple[Tensor, Tensor, Tensor]:
        x = _grouped_view(input, groups)  # [J, G, L, C]
        count = x.shape[0] * x.shape[2]
        # Summing over L first (stride 1 in channels_last's C-inner or contiguous's L-inner view) then over J keeps
        # both reductions fast; one reduction over (0, 2) at once is 4× slower on this CPU.
        mean = x.sum(2, keepdim=True).sum(0, keepdim=True).div_(count)  # [1, G, 1, C]
        centred = x - mean  # x's memory layout
        var = (centred * centred).sum(2, keepdim=True).sum(0, keepdim=True).div_(count)
        invstd = (var + eps).rsqrt_()
        scale = invstd if weight is None else invstd * weight.view(1, 1, 1, -1)
        out = _empty_like_view(input, x)
        if bias is None:
            torch.mul(centred, scale, out=_grouped_view(out, groups))
        else:
            torch.addcmul(bias.view(1, 1, 1, -1), centred, scale, out=_grouped_view(out, groups))
        ctx.save_for_backward(centred, invstd, scale)
        ctx.has_weight, ctx.has_bias, ctx.groups = weight is not None, bias is not None, groups
        ctx.mark_non_differentiable(mean, var)
        return out, mean.view(mean.shape[1], mean.shape[3]), var.view(var.shape[1], var.shape[3])

    @staticmethod
    def backward(  # type: ignore[override]
        ctx: torch.autograd.function.FunctionCtx, grad_output: Tensor, _mean: Optional[Tensor], _var: Optional[Tensor]
    ) -> tuple[Optional[Tensor], ...]:
        centred, invstd, scale = ctx.saved_tensors  # type: ignore[attr-defined]
        grad = _grouped_view(_like_layout(grad_output, centred), ctx.groups)  # type: ignore[attr-defined]
        count = centred.shape[0] * centred.shape[2]
        grad_sum = grad.sum(2, keepdim=True).sum(0, keepdim=True)  # Σ dy per (g, c)
        grad_dot = (grad * centred).sum(2, keepdim=True).sum(0, keepdim=True)  # Σ dy·(x − μ)
        # dx = a·dy − a·Σdy/n − a·σ̂⁻²·Σ(dy·(x−μ))/n·(x − μ), a = scale: two passes over the activations.
        grad_input = _empty_like_view(grad_output, centred)
        into = _grouped_view(grad_input, ctx.groups)  # type: ignore[attr-defined]
        torch.addcmul(scale * grad_sum / -count, grad, scale, out=into)
        into.addcmul_(centred, scale * invstd * invstd * grad_dot / -count)
        grad_weight = (grad_dot * invstd).sum((0, 1, 2)) if ctx.has_weight else None  # type: ignore[attr-defined]
        grad_bias = grad_sum.sum((0, 1, 2)) if ctx.has_bias else None  # type: ignore[attr-defined]
        return grad_input, grad_weight, grad_bias, None, None


def _like_layout(grad: Tensor, centred: Tensor) -> Tensor:
    """``grad`` in the memory format the forward's view had (autograd may hand over either)."""
    if grad.dim() == 4 and centred.stride(3) == 1:
        return grad.contiguous(memory_format=torch.channels_last)
    return grad.contiguous()


class _GroupedStatistics:
    """What ``GroupedBatchNorm1d`` / ``2d`` share; ``passes`` is set by ``fused_passes`` for one call."""

    num_splits: int
    passes: int

    def _grouped(self, x: Tensor) -> Tensor:
        bn: nn.modules.batchnorm._BatchNorm = self  # type: ignore[assignment]
        self._check_groups(x.shape[0])
        groups = self.num_splits * self.passes
        out, mean, var = _GroupNormalise.apply(x, bn.weight, bn.bias, bn.eps, groups)
        if bn.track_running_stats and bn.running_mean is not None and bn.running_var is not None:
            self._update_running_stats(mean, var, x.numel() // (x.shape[1] * groups))
        return out

    @torch.no_grad()
    def _update_running_stats(self, mean: Tensor, var: Tensor, count: int) -> None:
        bn: nn.modules.batchnorm._BatchNorm = self  # type: ignore[assignment]
        assert bn.running_mean is not None and bn.running_var is not None
        s, p = self.num_splits, self.passes
        # Group m % (s·P) of the fused batch is split n % s of pass p: [s·P, C] -> [s, P, C], mean over the splits.
        pass_mean = mean.view(s, p, -1).mean(0)
        pass_var = var.view(s, p, -1).mean(0).mul_(count / max(count - 1, 1))
        for index in range(p):  # one moving-average step per pass, in pass order, as separate calls would
            momentum = 0.0 if bn.momentum is None else bn.momentum
            if bn.num_batches_tracked is not None:
                bn.num_batches_tracked.add_(1)
                if bn.momentum is None:
                    momentum = 1.0 / float(bn.num_batches_tracked)
            bn.running_mean.lerp_(pass_mean[index].to(bn.running_mean.dtype), momentum)
            bn.running_var.lerp_(pass_var[index].to(bn.running_var.dtype), momentum)

    def _check_groups(self, n: int) -> None:
        s, p = self.num_splits, self.passes
        if n % (s * p) != 0:
            raise ValueError(
                f"batch size {n // p} is not divisible by moco.bn_splits = {s}; choose a batch size that is a "
                f"multiple of bn_splits, or set bn_splits to a divisor of {n // p}"
            )


class GroupedBatchNorm2d(_GroupedStatistics, nn.BatchNorm2d):
    """``nn.BatchNorm2d`` (same ``state_dict``) normalising sample ``m`` with group ``m % (num_splits·passes)``."""

    def __init__(self, num_features: int, num_splits: int = 1, **kwargs: object) -> None:
        super().__init__(num_features, **kwargs)  # type: ignore[arg-type]
        if not isinstance(num_splits, int) or num_splits < 1:
            raise ValueError(f"moco.bn_splits is {num_splits!r}; expected a positive integer (1 disables splitting)")
        self.num_splits = num_splits
        self.passes = 1

    def forward(self, input: Tensor) -> Tensor:
        if not self.training:
            return super().forward(input)
        return self._grouped(input)

    def extra_repr(self) -> str:
        return f"{super().extra_repr()}, num_splits={self.num_splits}"


class GroupedBatchNorm1d(_GroupedStatistics, nn.BatchNorm1d):
    """``nn.BatchNorm1d`` on ``[N, D]`` (the MLP heads) whose fused passes keep their own statistics."""

    def __init__(self, num_features: int, **kwargs: object) -> None:
        super().__init__(num_features, **kwargs)  # type: ignore[arg-type]
        self.num_splits = 1
        self.passes = 1

    def forward(self, input: Tensor) -> Tensor:
        if not self.training or input.dim() != 2:
            return super().forward(input)
        return self._grouped(input)


def use_grouped_batch_norm(module: nn.Module) -> nn.Module:
    """Replaces every BatchNorm1d / BatchNorm2d / SplitBatchNorm2d under ``module`` in place by its grouped form,
    keeping the very parameter and buffer tensors (so ``state_dict`` keys, optimizers and values are unchanged)."""
    for name, child in list(module.named_children()):
        replacement: Optional[nn.Module] = None
        if type(child) is nn.BatchNorm1d:
            replacement = GroupedBatchNorm1d(
                child.num_features,
                eps=child.eps,
                momentum=child.momentum,
                affine=child.affine,
                track_running_stats=child.track_running_stats,
            )
        elif isinstance(child, nn.BatchNorm2d) and not isinstance(child, GroupedBatchNorm2d):
            replacement = GroupedBatchNorm2d(
                child.num_features,
                int(getattr(child, "num_splits", 1)),
                eps=child.eps,
                momentum=child.momentum,
                affine=child.affine,
                track_running_stats=child.track_running_stats,
            )
        if replacement is None:
            use_grouped_batch_norm(child)
            continue
        for key in ("weight", "bias"):
            setattr(replacement, key, getattr(child, key))
        for key in ("running_mean", "running_var", "num_batches_tracked"):
            replacement.register_buffer(key, getattr(child, key))
        replacement.train(child.training)
        setattr(module, name, replacement)
    return module


@contextlib.contextmanager
def fused_passes(modules: list[nn.Module], passes: int) -> Iterator[None]:
    """Within the block, the grouped batch norms of ``modules`` treat their input as ``passes`` interleaved passes."""
    norms = [m for module in modules for m in module.modules() if isinstance(m, _GroupedStatistics)]
    for norm in norms:
        norm.passes = passes
    try:
        yield
    finally:
        for norm in norms:
            norm.passes = 1


def is_grouped(module: nn.Module) -> bool:
    """Whether every batch norm under ``module`` can keep fused passes apart (see ``use_grouped_batch_norm``)."""
    norms = [m for m in module.modules() if isinstance(m, nn.modules.batchnorm._BatchNorm)]
    return all(isinstance(m, _GroupedStatistics) for m in norms)
