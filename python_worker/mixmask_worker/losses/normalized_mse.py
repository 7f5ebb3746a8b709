"""BYOL's loss (Grill et al. 2020, "Bootstrap Your Own Latent", eq. 2):
``‖p̄ − z̄‖² = 2 − 2·cos(p, z)`` with p̄, z̄ the unit rows. The target z comes from the momentum encoder (no gradient).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from .unit_rows import at_least_fp32, check_pair, cosine_matrix, diagonal_beats_row


class NormalizedMse(nn.Module):
    """``forward(p, z)`` returns ``2 − 2·cos(p_i, z_i)`` per sample, ``[N]``."""

    def forward(self, p: Tensor, z: Tensor) -> Tensor:
        check_pair(p, z)
        with torch.autocast(device_type=p.device.type, enabled=False):
            return 2 - 2 * F.cosine_similarity(at_least_fp32(p), at_least_fp32(z), dim=1, eps=1e-12)  # [N]

    @torch.no_grad()
    def positive_top1(self, p: Tensor, z: Tensor) -> Tensor:
        """Fraction of anchors closer to their own target than to every other target of the batch."""
        return diagonal_beats_row(cosine_matrix(p, z))
