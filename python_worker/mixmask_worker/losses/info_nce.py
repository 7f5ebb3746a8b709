"""InfoNCE against a queue of negatives (He et al. 2020, "Momentum Contrast for Unsupervised Visual Representation
Learning", eq. 1; van den Oord et al. 2018).

``ℓ_i = −log( exp(q_i·k_i/T) / (exp(q_i·k_i/T) + Σ_K exp(q_i·n_j/T)) )`` on unit rows, the positive at logit 0.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from .unit_rows import at_least_fp32, check_pair, check_temperature


class InfoNCEWithQueue(nn.Module):
    """MoCo's contrastive term; ``forward`` returns the per-sample losses ``ℓ [N]``.

    ``q`` and ``k`` are normalised here (the queue holds unit rows already). Computed in at least float32 even under
    autocast: logits divided by a small T overflow bf16's precision. ``k`` and ``queue`` are used as given: MoCo's
    keys come from the momentum encoder under ``no_grad``.
    """

    def forward(self, q: Tensor, k: Tensor, queue: Tensor, temperature: float) -> Tensor:
        return F.cross_entropy(self.logits(q, k, queue, temperature), _zeros(q), reduction="none")  # [N]

    def logits(self, q: Tensor, k: Tensor, queue: Tensor, temperature: float) -> Tensor:
        """``[N, 1+K]``: the positive's logit first, then the queue's."""
        check_temperature(temperature)
        check_pair(q, k)
        if queue.dim() != 2 or queue.shape[1] != q.shape[1]:
            raise ValueError(f"InfoNCE got q {list(q.shape)} and a queue {list(queue.shape)}; expected queue [K, D]")
        with torch.autocast(device_type=q.device.type, enabled=False):
            q = F.normalize(at_least_fp32(q), dim=1)
            k = F.normalize(at_least_fp32(k), dim=1)
            l_pos = (q * k).sum(dim=1, keepdim=True)  # [N, 1]
            l_neg = q @ at_least_fp32(queue).to(q.dtype).t()  # [N, K]
            return torch.cat((l_pos, l_neg), dim=1) / temperature  # [N, 1+K]

    @torch.no_grad()
    def positive_top1(self, q: Tensor, k: Tensor, queue: Tensor) -> Tensor:
        """Fraction of queries whose positive beats every queued key strictly (ties with collapsed embeddings miss)."""
        logits = self.logits(q, k, queue, 1.0)
        return (logits[:, 0] > logits[:, 1:].amax(dim=1)).float().mean()


def _zeros(q: Tensor) -> Tensor:
    return torch.zeros(q.shape[0], dtype=torch.long, device=q.device)  # positives at 0
