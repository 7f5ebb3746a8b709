"""InfoNCE against a queue of negatives (He et al. 2020, "Momentum Contrast for Unsupervised Visual Representation
Learning", eq. 1; van den Oord et al. 2018).

``L = −log( exp(q·k₊/T) / (exp(q·k₊/T) + Σ_K exp(q·k_j/T)) )``, the positive at logit 0.
"""

from __future__ import annotations

import math
import numbers

import torch
import torch.nn.functional as F
from torch import Tensor, nn


class InfoNCEWithQueue(nn.Module):
    """MoCo's contrastive term; ``forward`` returns ``(mean loss, logits [N, 1+K])``.

    Computed in at least float32 even under autocast (logits divided by a small T overflow bf16's precision).
    ``k`` and ``queue`` are used as given: MoCo's keys come from the momentum encoder under ``no_grad``.
    """

    def forward(self, q: Tensor, k: Tensor, queue: Tensor, temperature: float) -> tuple[Tensor, Tensor]:
        if not (isinstance(temperature, numbers.Real) and math.isfinite(temperature) and temperature > 0):
            raise ValueError(f"terms[].temperature is {temperature!r}; expected a finite number > 0 (MoCo v2: 0.2)")
        if q.dim() != 2 or q.shape != k.shape or queue.dim() != 2 or queue.shape[1] != q.shape[1]:
            raise ValueError(
                f"InfoNCE got q {list(q.shape)}, k {list(k.shape)}, queue {list(queue.shape)}; "
                f"expected q and k [N, D] and queue [K, D] with the same D"
            )
        with torch.autocast(device_type=q.device.type, enabled=False):
            q, k, queue = _at_least_fp32(q), _at_least_fp32(k), _at_least_fp32(queue)
            l_pos = (q * k).sum(dim=1, keepdim=True)  # [N, 1]
            l_neg = q @ queue.to(q.dtype).t()  # [N, K]
            logits = torch.cat((l_pos, l_neg), dim=1) / temperature  # [N, 1+K]
            target = torch.zeros(q.shape[0], dtype=torch.long, device=q.device)  # positives at 0
            loss = F.cross_entropy(logits, target)
        return loss, logits


def _at_least_fp32(t: Tensor) -> Tensor:
    return t.to(torch.promote_types(t.dtype, torch.float32))
