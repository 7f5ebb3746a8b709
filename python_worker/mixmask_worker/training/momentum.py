"""The momentum (EMA) update of MoCo's key encoder (He et al. 2020, "Momentum Contrast for Unsupervised Visual
Representation Learning", eq. 2: θ_k ← m·θ_k + (1 − m)·θ_q).
"""

from __future__ import annotations

import math
import numbers

import torch
from torch import nn


@torch.no_grad()
def update_momentum(online: nn.Module, target: nn.Module, m: float) -> None:
    """``target ← m·target + (1 − m)·online`` over parameters only; buffers (BN statistics) are untouched, as MoCo.

    Both modules must list their parameters in the same order with the same shapes (a deep copy does).
    """
    if not (isinstance(m, numbers.Real) and math.isfinite(m) and 0.0 <= m <= 1.0):
        raise ValueError(f"key_momentum is {m!r}; expected a number in [0, 1] (MoCo v2: 0.999)")
    target_params = list(target.parameters())
    online_params = list(online.parameters())
    if len(target_params) != len(online_params):
        raise ValueError(
            f"the key encoder has {len(target_params)} parameter tensors and the query encoder "
            f"{len(online_params)}; build both with the same configuration"
        )
    torch._foreach_mul_(target_params, m)
    torch._foreach_add_(target_params, online_params, alpha=1.0 - m)
