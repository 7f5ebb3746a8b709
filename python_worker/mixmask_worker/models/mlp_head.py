"""The MLP heads of Siamese frameworks: projectors and predictors.

* MoCo v2 projector (Chen, Fan, Girshick, He 2020): ``Linear -> ReLU -> Linear`` (2048 -> 2048 -> 128 on ResNet-50);
  SimCLR's (Chen et al. 2020) has the same shape.
* BYOL projector and predictor (Grill et al. 2020): ``Linear -> BN -> ReLU -> Linear``.
* SimSiam projector (Chen & He 2021): three Linear layers with BN after each, the last BN without affine parameters;
  its predictor is BYOL's shape with a bottleneck hidden width.
"""

from __future__ import annotations

from torch import Tensor, nn


class MlpHead(nn.Module):
    """``layers`` Linear layers ``in_dim -> hidden_dim -> … -> out_dim`` with ReLU between them.

    ``batch_norm``: BatchNorm1d after every hidden Linear, and with 3 layers also after the last one (no affine), as
    SimSiam's projector. Keys are ``mlp.<i>.weight`` / ``mlp.<i>.bias`` (the MoCo v2 head has ``mlp.0`` and ``mlp.2``).
    """

    def __init__(self, in_dim: int, hidden_dim: int, out_dim: int, layers: int = 2, batch_norm: bool = False) -> None:
        super().__init__()
        for name, value in (("in_dim", in_dim), ("hidden_dim", hidden_dim), ("out_dim", out_dim)):
            if not isinstance(value, int) or value < 1:
                raise ValueError(f"{name} is {value!r}; expected a positive integer")
        if layers not in (2, 3):
            raise ValueError(f"layers is {layers!r}; expected 2 (MoCo v2, SimCLR, BYOL) or 3 (SimSiam's projector)")
        modules: list[nn.Module] = []
        width = in_dim
        for _ in range(layers - 1):
            modules.append(nn.Linear(width, hidden_dim, bias=not batch_norm))
            if batch_norm:
                modules.append(nn.BatchNorm1d(hidden_dim))
            modules.append(nn.ReLU(inplace=True))
            width = hidden_dim
        modules.append(nn.Linear(width, out_dim))
        if batch_norm and layers == 3:
            modules.append(nn.BatchNorm1d(out_dim, affine=False))
        self.mlp = nn.Sequential(*modules)

    def forward(self, x: Tensor) -> Tensor:
        return self.mlp(x)  # [N, in_dim] -> [N, out_dim]
