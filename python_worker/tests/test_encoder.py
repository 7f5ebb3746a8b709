"""Encoder = ResNet backbone + MoCo v2 head, L2-normalised; build_encoder picks the norm layer from bn_splits."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from mixmask_worker.models.encoder import Encoder, build_encoder
from mixmask_worker.models.projection_head import ProjectionHead
from mixmask_worker.models.split_batch_norm import SplitBatchNorm2d


def test_projection_head_keys_and_shapes() -> None:
    head = ProjectionHead(16, 32, 8)
    assert {k: list(v.shape) for k, v in head.state_dict().items()} == {
        "mlp.0.weight": [32, 16], "mlp.0.bias": [32], "mlp.2.weight": [8, 32], "mlp.2.bias": [8],
    }
    x = torch.randn(3, 16)
    expected = torch.relu(x @ head.mlp[0].weight.t() + head.mlp[0].bias) @ head.mlp[2].weight.t() + head.mlp[2].bias
    torch.testing.assert_close(head(x), expected)


def test_encoder_output_is_unit_norm_projection() -> None:
    torch.manual_seed(0)
    enc = build_encoder("resnet18", 8, True, 32, 16, 1)
    assert isinstance(enc, Encoder) and enc.backbone.feature_dim == 64
    z = enc(torch.randn(4, 3, 16, 16))
    assert z.shape == (4, 16)
    torch.testing.assert_close(z.norm(dim=1), torch.ones(4))
    enc.eval()
    x = torch.randn(2, 3, 16, 16)
    raw = enc.head(enc.backbone(x))
    torch.testing.assert_close(enc(x), raw / raw.norm(dim=1, keepdim=True))
    assert any(k.startswith("backbone.layer4.") for k in enc.state_dict())
    assert "head.mlp.2.weight" in enc.state_dict()


def test_bn_splits_selects_split_batch_norm_with_same_keys() -> None:
    plain = build_encoder("resnet18", 8, True, 16, 8, 1)
    split = build_encoder("resnet18", 8, True, 16, 8, 4)
    norms = [m for m in split.modules() if isinstance(m, nn.BatchNorm2d)]
    assert norms and all(isinstance(m, SplitBatchNorm2d) and m.num_splits == 4 for m in norms)
    assert not any(isinstance(m, SplitBatchNorm2d) for m in plain.modules())
    assert list(plain.state_dict()) == list(split.state_dict())
    with pytest.raises(ValueError, match="bn_splits"):
        build_encoder("resnet18", 8, True, 16, 8, 0)
