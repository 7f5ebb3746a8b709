"""MoCo v2 projection head (Chen, Fan, Girshick, He 2020, "Improved Baselines with Momentum Contrastive Learning")."""

from __future__ import annotations

from torch import Tensor, nn


class ProjectionHead(nn.Module):
    """Two-layer MLP ``in_dim -> hidden_dim -> ReLU -> out_dim`` (MoCo v2: 2048 -> 2048 -> 128 on ResNet-50).

    Keys are ``mlp.0.weight``, ``mlp.0.bias``, ``mlp.2.weight``, ``mlp.2.bias``.
    """

    def __init__(self, in_dim: int, hidden_dim: int, out_dim: int) -> None:
        super().__init__()
        for name, value in (("in_dim", in_dim), ("head.hidden_dim", hidden_dim), ("head.out_dim", out_dim)):
            if not isinstance(value, int) or value < 1:
                raise ValueError(f"{name} is {value!r}; expected a positive integer")
        self.mlp = nn.Sequential(nn.Linear(in_dim, hidden_dim), nn.ReLU(inplace=True), nn.Linear(hidden_dim, out_dim))

    def forward(self, x: Tensor) -> Tensor:
        return self.mlp(x)  # [N, in_dim] -> [N, out_dim]
