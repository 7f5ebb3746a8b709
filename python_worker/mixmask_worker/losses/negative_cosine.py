"""SimSiam's loss (Chen & He 2021, "Exploring Simple Siamese Representation Learning", eq. 1):
``D(p, z) = −cos(p, z)``. The stop-gradient on z is the branch's (ONLINE_DETACHED), not the loss's.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from .unit_rows import at_least_fp32, check_pair, cosine_matrix, diagonal_beats_row


class NegativeCosine(nn.Module):
    """``forward(p, z)`` returns ``−cos(p_i, z_i)`` per sample, ``[N]``."""

    def forward(self, p: Tensor, z: Tensor) -> Tensor:
        check_pair(p, z)
        with torch.autocast(device_type=p.device.type, enabled=False):
            return -F.cosine_similarity(at_least_fp32(p), at_least_fp32(z), dim=1, eps=1e-12)  # [N]

    @torch.no_grad()
    def positive_top1(self, p: Tensor, z: Tensor) -> Tensor:
        """Fraction of anchors closer to their own positive than to every other positive of the batch."""
        return diagonal_beats_row(cosine_matrix(p, z))
