"""MixMask's mix of a batch with a shared grid mask (Vishniakov, Xing, Shen 2024, "MixMask: Revisiting Masking
Strategy for Siamese ConvNets").

``x_mix = M ⊙ x + (1 − M) ⊙ x[partner]``: the masked cells of each image are filled with its partner's pixels
instead of being erased. The ``g × g`` cell mask is upsampled by nearest neighbour with the exact integer map
``cell(i) = floor(i·g / S)``; ``F.interpolate(mode="nearest")`` multiplies by a rounded float scale and misplaces
rows when S is not a multiple of g, which would make λ (computed by the SDK from the exact map) disagree with the
pixels.
"""

from __future__ import annotations

import torch
from torch import Tensor


def cell_index(size: int, grid: int, device: torch.device | str | None) -> Tensor:
    """``[S]`` int64: the mask cell of each pixel row (or column), ``(i·g) // S``."""
    if not isinstance(size, int) or size < 1:
        raise ValueError(f"image_size is {size!r}; expected a positive integer")
    if not isinstance(grid, int) or grid < 1 or grid > size:
        raise ValueError(f"mix.grid is {grid!r}; expected an integer in [1, image_size = {size}]")
    return torch.div(torch.arange(size, device=device) * grid, size, rounding_mode="floor")


def upsample_mask(cells: Tensor, size: int) -> Tensor:
    """``cells [g, g]`` (1 = keep the original) -> ``[S, S]`` float32 pixel mask M, nearest neighbour, exact map."""
    if cells.dim() != 2 or cells.shape[0] != cells.shape[1]:
        raise ValueError(f"mix.mask has shape {list(cells.shape)}; expected a square [g, g] grid")
    idx = cell_index(size, cells.shape[0], cells.device)  # [S]
    return cells.to(torch.float32)[idx][:, idx]  # [S, S]


def mix_images(x: Tensor, mask_pixels: Tensor, partner: Tensor) -> Tensor:
    """``M ⊙ x + (1 − M) ⊙ x[partner]`` for ``x [N, C, S, S]``, ``M [S, S]`` shared by all samples and channels.

    ``partner [N]`` int64 names the image that fills sample i's masked pixels; its range is the caller's to check.
    """
    n, _, s1, s2 = x.shape
    if mask_pixels.shape != (s1, s2):
        raise ValueError(f"mix mask is {list(mask_pixels.shape)}; expected [{s1}, {s2}] to match the views")
    if partner.shape != (n,):
        raise ValueError(f"mix.partner has {partner.numel()} entries; expected N = {n}")
    m = mask_pixels.to(x.dtype)  # [S, S], broadcast over N and C
    return m * x + (1 - m) * x[partner]  # [N, C, S, S]


def kept_fraction(cells: Tensor, size: int) -> float:
    """λ: the exact fraction of the ``size × size`` pixels whose cell is 1 (kept from the original image)."""
    if cells.dim() != 2 or cells.shape[0] != cells.shape[1]:
        raise ValueError(f"mix.mask has shape {list(cells.shape)}; expected a square [g, g] grid")
    g = cells.shape[0]
    counts = torch.bincount(cell_index(size, g, "cpu"), minlength=g).to(torch.float64)  # [g] pixels per cell row
    kept = counts @ cells.detach().to("cpu", torch.float64) @ counts  # Σ_ab M_ab · rows_a · cols_b
    return float(kept) / float(size * size)
