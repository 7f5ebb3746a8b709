"""The erase baselines (Jing et al. 2022, "Masked Siamese ConvNets"): the dropped cells are filled with black, the
dataset mean or noise instead of a partner's pixels; one loss piece of weight 1 (docs/METHODS.md, Maskers).
"""

from __future__ import annotations

from typing import Optional

import torch
from torch import Tensor

from mixmask_worker.generated.mixmask.v1 import worker_pb2
from mixmask_worker.mixing.masks import _per_sample


def erase_images(x: Tensor, mask_pixels: Tensor, fill: Tensor) -> Tensor:
    """``M ⊙ x + (1 − M) ⊙ fill``: MSCN-style erasing; ``fill`` broadcasts to x (a colour ``[1, C, 1, 1]`` or noise)."""
    m = _per_sample(mask_pixels, x)
    return m * x + (1 - m) * fill.to(x.dtype)  # [N, C, S, S]


def erase_fill(
    fill: int, seed: int, x: Tensor, mean: Tensor, std: Tensor, global_rows: Optional[tuple[int, Tensor]]
) -> Tensor:
    """What fills the dropped pixels of ``x [N, 3, S, S]`` (normalised): black, the mean (0 after normalisation) or
    N(0, 1) noise drawn from ``seed``. ``global_rows`` (N_global, rows [N]): this batch is rows of a global batch split
    over ranks; the noise of the whole global batch is drawn and these rows kept, so R ranks erase with what one
    process would (docs/DISTRIBUTED.md)."""
    if fill == worker_pb2.ZERO:
        return ((0.0 - mean) / std).view(1, 3, 1, 1)  # black, normalised
    if fill == worker_pb2.MEAN:
        return torch.zeros((1, 3, 1, 1), device=x.device)  # the dataset mean is 0 after normalisation
    generator = torch.Generator(device=x.device).manual_seed(seed % 2**63)
    if global_rows is None:
        return torch.randn(x.shape, generator=generator, device=x.device)  # N(0, 1) in normalised units
    total, rows = global_rows
    noise = torch.randn((total, *x.shape[1:]), generator=generator, device=x.device)  # [N_global, 3, S, S]
    return noise.index_select(0, rows)
