"""Mask primitives shared by the maskers: the exact cell map of a g × g grid onto S × S pixels, the pixel mask it
upsamples to, and λ, the pixel fraction a mask keeps.

``F.interpolate(mode="nearest")`` multiplies by a rounded float scale and misplaces rows when S is not a multiple of
g, which would make λ (computed by the SDK from the exact map) disagree with the pixels: here every pixel row i
belongs to cell ``floor(i·g / S)``. A mask is shared by the batch (``[1, g, g]``) or drawn per sample
(``[N, g, g]``).
"""

from __future__ import annotations

import torch
from torch import Tensor


def cell_index(size: int, grid: int, device: torch.device | str | None) -> Tensor:
    """``[S]`` int64: the mask cell of each pixel row (or column), ``(i·g) // S``."""
    if not isinstance(size, int) or size < 1:
        raise ValueError(f"image_size is {size!r}; expected a positive integer")
    if not isinstance(grid, int) or grid < 1 or grid > size:
        raise ValueError(f"mask.grid is {grid!r}; expected an integer in [1, image_size = {size}]")
    return torch.div(torch.arange(size, device=device) * grid, size, rounding_mode="floor")


def upsample_mask(cells: Tensor, size: int) -> Tensor:
    """``cells [..., g, g]`` (1 = keep the original) -> ``[..., S, S]`` float32 pixel masks M, exact map."""
    if cells.dim() < 2 or cells.shape[-1] != cells.shape[-2]:
        raise ValueError(f"mask.cells has shape {list(cells.shape)}; expected square [g, g] grids")
    idx = cell_index(size, cells.shape[-1], cells.device)  # [S]
    return cells.to(torch.float32)[..., idx, :][..., idx]  # [..., S, S]


def _per_sample(mask_pixels: Tensor, x: Tensor) -> Tensor:
    """``M [S, S]``, ``[1, S, S]`` or ``[N, S, S]`` -> ``[1 or N, 1, S, S]`` in x's dtype, checked against x."""
    n, _, s1, s2 = x.shape
    m = mask_pixels if mask_pixels.dim() == 3 else mask_pixels.unsqueeze(0)
    if m.dim() != 3 or m.shape[1:] != (s1, s2) or m.shape[0] not in (1, n):
        raise ValueError(
            f"mask is {list(mask_pixels.shape)}; expected [{s1}, {s2}], [1, {s1}, {s2}] or [{n}, {s1}, {s2}]"
        )
    return m.unsqueeze(1).to(x.dtype)


def _check_pairing(pairing: Tensor, n: int, name: str) -> None:
    if pairing.shape != (n,):
        raise ValueError(f"mask.{name} has {pairing.numel()} entries; expected N = {n}")


def kept_fraction(cells: Tensor, size: int) -> Tensor:
    """λ per mask: the exact fraction of the ``size × size`` pixels whose cell is 1, float64 ``[...]`` on the host."""
    if cells.dim() < 2 or cells.shape[-1] != cells.shape[-2]:
        raise ValueError(f"mask.cells has shape {list(cells.shape)}; expected square [g, g] grids")
    g = cells.shape[-1]
    counts = torch.bincount(cell_index(size, g, "cpu"), minlength=g).to(torch.float64)  # [g] pixels per cell row
    kept = counts @ cells.detach().to("cpu", torch.float64) @ counts  # Σ_ab M_ab · rows_a · cols_b
    return kept / float(size * size)
