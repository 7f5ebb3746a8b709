"""Shared checks and helpers of the loss terms: shapes, temperatures, and cosine matrices of unit rows."""

from __future__ import annotations

import math
import numbers

import torch
import torch.nn.functional as F
from torch import Tensor


def check_temperature(temperature: float) -> None:
    if not (isinstance(temperature, numbers.Real) and math.isfinite(temperature) and temperature > 0):
        raise ValueError(f"terms[].temperature is {temperature!r}; expected a finite number > 0 (MoCo v2: 0.2)")


def check_pair(a: Tensor, p: Tensor) -> None:
    if a.dim() != 2 or a.shape != p.shape:
        raise ValueError(f"a loss term got anchors {list(a.shape)} and positives {list(p.shape)}; expected both [N, D]")


def at_least_fp32(t: Tensor) -> Tensor:
    return t.to(torch.promote_types(t.dtype, torch.float32))


def cosine_matrix(a: Tensor, p: Tensor) -> Tensor:
    """``[N, N]``: cos(a_i, p_j), in at least float32."""
    return F.normalize(at_least_fp32(a), dim=1) @ F.normalize(at_least_fp32(p), dim=1).t()


def diagonal_beats_row(scores: Tensor) -> Tensor:
    """Fraction of rows whose diagonal entry is strictly above every other entry of the row."""
    n = scores.shape[0]
    off = scores.masked_fill(torch.eye(n, dtype=torch.bool, device=scores.device), float("-inf"))
    return (scores.diagonal() > off.amax(dim=1)).float().mean()
