"""MixMask's mix and complement (Vishniakov, Xing, Shen 2024, "MixMask: Revisiting Masking Strategy for Siamese
ConvNets").

``x_mix = M ⊙ x + (1 − M) ⊙ x[partner]``: the dropped cells of each image are filled with its partner's pixels
instead of being erased; the complement holds the 1 − λ of each image that the mix dropped. Loss pieces (weighted by
λ and 1 − λ against the positive): docs/METHODS.md, Maskers.
"""

from __future__ import annotations

from torch import Tensor

from mixmask_worker.mixing.masks import _check_pairing, _per_sample


def mix_images(x: Tensor, mask_pixels: Tensor, partner: Tensor) -> Tensor:
    """``M ⊙ x + (1 − M) ⊙ x[partner]`` for ``x [N, C, S, S]``, the same mask for every channel.

    ``partner [N]`` int64 names the image that fills sample i's dropped pixels; its range is the caller's to check.
    """
    _check_pairing(partner, x.shape[0], "partner")
    m = _per_sample(mask_pixels, x)  # [1 or N, 1, S, S]
    return m * x + (1 - m) * x[partner]  # [N, C, S, S]


def complement_images(x: Tensor, mask_pixels: Tensor, partner_inverse: Tensor) -> Tensor:
    """``(1 − M_i) ⊙ x_i + M_i ⊙ x[partner⁻¹(i)]``: the image holding the 1 − λ_i of x_i that the mix dropped.

    With one mask for the batch this equals ``mix_images(x, M, partner)[partner⁻¹]`` (the release's reordering
    shortcut); with per-sample masks it must be built here.
    """
    _check_pairing(partner_inverse, x.shape[0], "partner inverse")
    m = _per_sample(mask_pixels, x)
    return (1 - m) * x + m * x[partner_inverse]  # [N, C, S, S]
