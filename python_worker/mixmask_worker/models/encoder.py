"""The Siamese encoder f(x) = projector(backbone(x)) shared by every framework (MoCo v2, SimCLR, BYOL, SimSiam).

The online encoder and its momentum (EMA) copy are both built here, with identical ``state_dict`` keys. Embeddings
are returned unnormalised: each loss term normalises what it needs (BYOL and SimSiam's predictors read raw z).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from torch import Tensor, nn

from .mlp_head import MlpHead
from .resnet import ResNet, resnet
from .split_batch_norm import SplitBatchNorm2d


@dataclass(frozen=True)
class HeadShape:
    """The MLP a head is built with (proto HeadConfig); see ``MlpHead``."""

    hidden_dim: int
    out_dim: int
    layers: int = 2
    batch_norm: bool = False


class Encoder(nn.Module):
    """Backbone + projection head; ``forward`` returns embeddings ``z [N, out_dim]``."""

    def __init__(self, backbone: nn.Module, head: nn.Module) -> None:
        super().__init__()
        self.backbone = backbone
        self.head = head

    def forward(self, x: Tensor) -> Tensor:
        return self.head(self.backbone(x))  # [N, 3, S, S] -> [N, F] -> [N, D]


def build_encoder(arch: str, base_width: int, cifar_stem: bool, head: HeadShape, bn_splits: int) -> Encoder:
    """A ResNet backbone and an ``MlpHead`` projector; ``bn_splits > 1`` uses ``SplitBatchNorm2d`` groups."""
    if not isinstance(bn_splits, int) or bn_splits < 1:
        raise ValueError(f"moco.bn_splits is {bn_splits!r}; expected a positive integer (1 disables splitting)")
    norm_layer = functools.partial(SplitBatchNorm2d, num_splits=bn_splits) if bn_splits > 1 else nn.BatchNorm2d
    backbone: ResNet = resnet(arch, base_width=base_width, cifar_stem=cifar_stem, norm_layer=norm_layer)
    projector = MlpHead(backbone.feature_dim, head.hidden_dim, head.out_dim, head.layers, head.batch_norm)
    return Encoder(backbone, projector)
