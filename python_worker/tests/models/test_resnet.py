"""The hand-written ResNets must carry torchvision's state_dict (minus fc), parameter counts and init."""

from __future__ import annotations

import math

import pytest
import torch
from torch import nn

from mixmask_worker.models.resnet import resnet

# torchvision resnet18 without fc: every conv weight shape, then each norm layer (5 entries each) by width.
RESNET18 = """
conv1.weight 64 3 7 7
bn1 64
layer1.0.conv1.weight 64 64 3 3
layer1.0.bn1 64
layer1.0.conv2.weight 64 64 3 3
layer1.0.bn2 64
layer1.1.conv1.weight 64 64 3 3
layer1.1.bn1 64
layer1.1.conv2.weight 64 64 3 3
layer1.1.bn2 64
layer2.0.conv1.weight 128 64 3 3
layer2.0.bn1 128
layer2.0.conv2.weight 128 128 3 3
layer2.0.bn2 128
layer2.0.downsample.0.weight 128 64 1 1
layer2.0.downsample.1 128
layer2.1.conv1.weight 128 128 3 3
layer2.1.bn1 128
layer2.1.conv2.weight 128 128 3 3
layer2.1.bn2 128
layer3.0.conv1.weight 256 128 3 3
layer3.0.bn1 256
layer3.0.conv2.weight 256 256 3 3
layer3.0.bn2 256
layer3.0.downsample.0.weight 256 128 1 1
layer3.0.downsample.1 256
layer3.1.conv1.weight 256 256 3 3
layer3.1.bn1 256
layer3.1.conv2.weight 256 256 3 3
layer3.1.bn2 256
layer4.0.conv1.weight 512 256 3 3
layer4.0.bn1 512
layer4.0.conv2.weight 512 512 3 3
layer4.0.bn2 512
layer4.0.downsample.0.weight 512 256 1 1
layer4.0.downsample.1 512
layer4.1.conv1.weight 512 512 3 3
layer4.1.bn1 512
layer4.1.conv2.weight 512 512 3 3
layer4.1.bn2 512
"""


def _expand(table: str) -> list[tuple[str, list[int]]]:
    out: list[tuple[str, list[int]]] = []
    for line in table.strip().splitlines():
        name, *dims = line.split()
        if name.endswith(".weight"):
            out.append((name, [int(d) for d in dims]))
        else:  # a BatchNorm2d: torchvision's five entries in this order
            c = [int(dims[0])]
            out += [
                (f"{name}.weight", c),
                (f"{name}.bias", c),
                (f"{name}.running_mean", c),
                (f"{name}.running_var", c),
                (f"{name}.num_batches_tracked", []),
            ]
    return out


def _listing(model: nn.Module) -> list[tuple[str, list[int]]]:
    return [(k, list(v.shape)) for k, v in model.state_dict().items()]


def test_resnet18_state_dict_is_torchvisions_without_fc() -> None:
    expected = _expand(RESNET18)
    assert len(expected) == 120  # torchvision's 122 minus fc.weight, fc.bias
    assert _listing(resnet("resnet18")) == expected


def test_resnet50_state_dict_matches_torchvision_keys_and_shapes() -> None:
    sd = {k: list(v.shape) for k, v in resnet("resnet50").state_dict().items()}
    assert len(sd) == 318  # torchvision's 320 minus fc
    assert not any(k.startswith("fc.") for k in sd)
    expected = {
        "conv1.weight": [64, 3, 7, 7],
        "layer1.0.conv1.weight": [64, 64, 1, 1],
        "layer1.0.conv2.weight": [64, 64, 3, 3],
        "layer1.0.conv3.weight": [256, 64, 1, 1],
        "layer1.0.downsample.0.weight": [256, 64, 1, 1],
        "layer1.0.downsample.1.running_mean": [256],
        "layer1.2.bn3.weight": [256],
        "layer2.0.conv1.weight": [128, 256, 1, 1],
        "layer2.0.conv2.weight": [128, 128, 3, 3],
        "layer2.0.downsample.0.weight": [512, 256, 1, 1],
        "layer2.3.conv3.weight": [512, 128, 1, 1],
        "layer3.5.bn2.running_var": [256],
        "layer3.0.downsample.0.weight": [1024, 512, 1, 1],
        "layer4.0.downsample.0.weight": [2048, 1024, 1, 1],
        "layer4.2.conv3.weight": [2048, 512, 1, 1],
        "layer4.2.bn3.running_var": [2048],
        "layer4.2.bn3.num_batches_tracked": [],
    }
    for key, shape in expected.items():
        assert sd[key] == shape, key
    assert "layer1.1.downsample.0.weight" not in sd and "layer3.6.conv1.weight" not in sd
    assert list(sd)[:7] == [
        "conv1.weight",
        "bn1.weight",
        "bn1.bias",
        "bn1.running_mean",
        "bn1.running_var",
        "bn1.num_batches_tracked",
        "layer1.0.conv1.weight",
    ]
    # Bottleneck order: conv1 bn1 conv2 bn2 conv3 bn3 downsample
    block = [k.split(".")[2] for k in sd if k.startswith("layer2.0.")]
    assert list(dict.fromkeys(block)) == ["conv1", "bn1", "conv2", "bn2", "conv3", "bn3", "downsample"]


@pytest.mark.parametrize(
    ("arch", "count", "feature_dim"),
    [("resnet18", 11_176_512, 512), ("resnet34", 21_284_672, 512), ("resnet50", 23_508_032, 2048)],
)
def test_parameter_counts_are_torchvisions_minus_fc(arch: str, count: int, feature_dim: int) -> None:
    model = resnet(arch)
    assert sum(p.numel() for p in model.parameters()) == count
    assert model.feature_dim == feature_dim


def test_base_width_scales_stages_and_feature_dim() -> None:
    m18 = resnet("resnet18", base_width=32)
    assert m18.feature_dim == 256 and list(m18.state_dict()["layer4.1.conv2.weight"].shape) == [256, 256, 3, 3]
    m50 = resnet("resnet50", base_width=16)
    assert m50.feature_dim == 512 and list(m50.state_dict()["layer4.2.bn3.weight"].shape) == [512]


def test_cifar_stem_is_3x3_stride_1_without_maxpool() -> None:
    model = resnet("resnet18", cifar_stem=True)
    conv1 = model.conv1
    assert list(conv1.weight.shape) == [64, 3, 3, 3] and conv1.stride == (1, 1) and conv1.padding == (1, 1)
    assert isinstance(model.maxpool, nn.Identity)
    assert [k for k, _ in _listing(model)] == [k for k, _ in _expand(RESNET18)]


@pytest.mark.parametrize("size", [32, 28])
@pytest.mark.parametrize("cifar_stem", [True, False])
def test_forward_returns_pooled_features(size: int, cifar_stem: bool) -> None:
    model = resnet("resnet18", base_width=16, cifar_stem=cifar_stem).eval()
    with torch.no_grad():
        out = model(torch.randn(2, 3, size, size))
    assert out.shape == (2, 128)
    model50 = resnet("resnet50", base_width=8, cifar_stem=cifar_stem).eval()
    with torch.no_grad():
        assert model50(torch.randn(2, 3, size, size)).shape == (2, 256)


def test_init_is_torchvisions() -> None:
    torch.manual_seed(0)
    model = resnet("resnet18")
    w = model.layer4[1].conv2.weight  # [512, 512, 3, 3]
    fan_out = 512 * 3 * 3
    assert w.std().item() == pytest.approx(math.sqrt(2.0 / fan_out), rel=0.02)  # kaiming normal, fan_out, relu
    assert abs(w.mean().item()) < 1e-3
    for m in model.modules():
        if isinstance(m, nn.BatchNorm2d):
            assert torch.all(m.weight == 1) and torch.all(m.bias == 0)


def test_custom_norm_layer_is_used() -> None:
    model = resnet("resnet18", norm_layer=lambda c: nn.GroupNorm(4, c))
    assert isinstance(model.bn1, nn.GroupNorm) and isinstance(model.layer2[0].downsample[1], nn.GroupNorm)


def test_unknown_arch_names_the_field() -> None:
    with pytest.raises(ValueError, match="arch.*resnet101.*resnet18, resnet34, resnet50"):
        resnet("resnet101")
    with pytest.raises(ValueError, match="base_width"):
        resnet("resnet18", base_width=0)
