"""Un-Mix's image mixtures (Shen, Liu, Xing, Savvides, Darrell, Xing 2022, "Un-Mix: Rethinking Image Mixtures for
Unsupervised Visual Representation Learning"): a global blend, or a CutMix box (Yun et al. 2019).

The SDK draws λ, the mode and the box; this module only applies them.
"""

from __future__ import annotations

from torch import Tensor


def blend_images(x: Tensor, lam: float, partner: Tensor) -> Tensor:
    """``λ·x + (1 − λ)·x[partner]`` for ``x [N, C, S, S]``."""
    return lam * x + (1 - lam) * x[partner]  # [N, C, S, S]


def cutmix_images(x: Tensor, box: tuple[int, int, int, int], partner: Tensor) -> Tensor:
    """x with the box ``(top, left, height, width)`` replaced by the same pixels of ``x[partner]``."""
    top, left, height, width = box
    out = x.clone()
    out[:, :, top : top + height, left : left + width] = x[partner][:, :, top : top + height, left : left + width]
    return out  # [N, C, S, S]
