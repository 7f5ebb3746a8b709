"""NT-Xent, SimCLR's contrastive loss with in-batch negatives (Chen, Kornblith, Norouzi, Hinton 2020, "A Simple
Framework for Contrastive Learning of Visual Representations", eq. 1).

The 2N unit rows ``[a; p]`` are scored against each other with cosine / T. Row ``a_i``'s positive is ``p_i`` and the
other 2N − 2 rows are its negatives, and symmetrically for ``p_i``. The per-pair loss is the mean of the two
directions, ``ℓ_i = (ℓ(a_i → p_i) + ℓ(p_i → a_i)) / 2``, so ``mean_i ℓ_i`` is SimCLR's loss over 2N anchors.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from .unit_rows import at_least_fp32, check_pair, check_temperature


class NTXent(nn.Module):
    """``forward(a, p, T)`` returns the per-pair losses ``ℓ [N]``; both sides receive gradients."""

    def forward(self, a: Tensor, p: Tensor, temperature: float) -> Tensor:
        check_temperature(temperature)
        check_pair(a, p)
        n = a.shape[0]
        with torch.autocast(device_type=a.device.type, enabled=False):
            z = F.normalize(torch.cat((at_least_fp32(a), at_least_fp32(p))), dim=1)  # [2N, D]
            logits = (z @ z.t()) / temperature  # [2N, 2N]
            logits = logits.masked_fill(torch.eye(2 * n, dtype=torch.bool, device=z.device), float("-inf"))
            pair = torch.arange(2 * n, device=z.device).roll(
                n
            )  # [2N] row of each positive (built on the device: no sync)
            per_row = F.cross_entropy(logits, pair, reduction="none")  # [2N]
        return 0.5 * (per_row[:n] + per_row[n:])  # [N]

    @torch.no_grad()
    def positive_top1(self, a: Tensor, p: Tensor) -> Tensor:
        """Fraction of anchors a_i whose positive p_i beats the 2N − 2 other rows strictly."""
        n = a.shape[0]
        z = F.normalize(torch.cat((at_least_fp32(a), at_least_fp32(p))), dim=1)  # [2N, D]
        scores = z[:n] @ z.t()  # [N, 2N]
        own = torch.arange(n, device=z.device)
        scores[own, own] = float("-inf")  # a_i is not its own candidate
        positive = scores[own, own + n]
        scores[own, own + n] = float("-inf")
        return (positive > scores.amax(dim=1)).float().mean()
