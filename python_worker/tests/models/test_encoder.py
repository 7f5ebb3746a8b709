"""Encoder = ResNet backbone + MLP projector; the MLP heads of each framework; build_encoder picks the norm layer."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from mixmask_worker.models.encoder import Encoder, HeadShape, build_encoder
from mixmask_worker.models.mlp_head import MlpHead
from mixmask_worker.models.split_batch_norm import SplitBatchNorm2d


def test_projection_head_keys_and_shapes() -> None:
    head = MlpHead(16, 32, 8)
    assert {k: list(v.shape) for k, v in head.state_dict().items()} == {
        "mlp.0.weight": [32, 16],
        "mlp.0.bias": [32],
        "mlp.2.weight": [8, 32],
        "mlp.2.bias": [8],
    }
    x = torch.randn(3, 16)
    expected = torch.relu(x @ head.mlp[0].weight.t() + head.mlp[0].bias) @ head.mlp[2].weight.t() + head.mlp[2].bias
    torch.testing.assert_close(head(x), expected)


def test_bn_heads_follow_byol_and_simsiam() -> None:
    byol = MlpHead(16, 32, 8, layers=2, batch_norm=True)
    assert [type(m).__name__ for m in byol.mlp] == ["Linear", "BatchNorm1d", "ReLU", "Linear"]
    simsiam = MlpHead(16, 32, 8, layers=3, batch_norm=True)
    kinds = [type(m).__name__ for m in simsiam.mlp]
    assert kinds == ["Linear", "BatchNorm1d", "ReLU", "Linear", "BatchNorm1d", "ReLU", "Linear", "BatchNorm1d"]
    assert simsiam.mlp[-1].affine is False and simsiam(torch.randn(6, 16)).shape == (6, 8)
    with pytest.raises(ValueError, match="layers"):
        MlpHead(16, 32, 8, layers=4)


def test_encoder_output_is_the_raw_projection() -> None:
    torch.manual_seed(0)
    enc = build_encoder("resnet18", 8, True, HeadShape(32, 16), 1)
    assert isinstance(enc, Encoder) and enc.backbone.feature_dim == 64
    assert enc(torch.randn(4, 3, 16, 16)).shape == (4, 16)
    enc.eval()
    x = torch.randn(2, 3, 16, 16)
    torch.testing.assert_close(enc(x), enc.head(enc.backbone(x)))
    assert any(k.startswith("backbone.layer4.") for k in enc.state_dict())
    assert "head.mlp.2.weight" in enc.state_dict()


def test_bn_splits_selects_split_batch_norm_with_same_keys() -> None:
    plain = build_encoder("resnet18", 8, True, HeadShape(16, 8), 1)
    split = build_encoder("resnet18", 8, True, HeadShape(16, 8), 4)
    norms = [m for m in split.modules() if isinstance(m, nn.BatchNorm2d)]
    assert norms and all(isinstance(m, SplitBatchNorm2d) and m.num_splits == 4 for m in norms)
    assert not any(isinstance(m, SplitBatchNorm2d) for m in plain.modules())
    assert list(plain.state_dict()) == list(split.state_dict())
    with pytest.raises(ValueError, match="bn_splits"):
        build_encoder("resnet18", 8, True, HeadShape(16, 8), 0)
