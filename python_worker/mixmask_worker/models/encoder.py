"""The MoCo encoder f(x) = normalize(head(backbone(x))) (He et al. 2020; Chen et al. 2020, MoCo v2).

The query encoder and its momentum copy (the key encoder) are both built here, with identical ``state_dict`` keys.
"""

from __future__ import annotations

import functools

import torch.nn.functional as F
from torch import Tensor, nn

from .projection_head import ProjectionHead
from .resnet import ResNet, resnet
from .split_batch_norm import SplitBatchNorm2d


class Encoder(nn.Module):
    """Backbone + projection head; ``forward`` returns L2-normalised embeddings ``[N, out_dim]``."""

    def __init__(self, backbone: nn.Module, head: nn.Module) -> None:
        super().__init__()
        self.backbone = backbone
        self.head = head

    def forward(self, x: Tensor) -> Tensor:
        z = self.head(self.backbone(x))  # [N, 3, S, S] -> [N, F] -> [N, D]
        return F.normalize(z, dim=1)  # [N, D], unit rows


def build_encoder(
    arch: str, base_width: int, cifar_stem: bool, hidden_dim: int, out_dim: int, bn_splits: int
) -> Encoder:
    """A ResNet backbone and a MoCo v2 head; ``bn_splits > 1`` uses ``SplitBatchNorm2d`` with that many groups."""
    if not isinstance(bn_splits, int) or bn_splits < 1:
        raise ValueError(f"moco.bn_splits is {bn_splits!r}; expected a positive integer (1 disables splitting)")
    norm_layer = functools.partial(SplitBatchNorm2d, num_splits=bn_splits) if bn_splits > 1 else nn.BatchNorm2d
    backbone: ResNet = resnet(arch, base_width=base_width, cifar_stem=cifar_stem, norm_layer=norm_layer)
    head = ProjectionHead(backbone.feature_dim, hidden_dim, out_dim)
    return Encoder(backbone, head)
