"""ResNet-18/34/50 backbones (He et al. 2016, "Deep Residual Learning for Image Recognition"), written by hand.

The modules carry exactly torchvision's ``state_dict`` keys and shapes (``conv1``, ``bn1``, ``layer1.0.conv1`` ...,
``layerX.0.downsample.0/1``), so trained weights drop into torchvision or detectron2 code; the only difference is
that there is no ``fc``: the backbone returns the pooled, flattened features ``[N, feature_dim]``. Bottleneck
blocks put the stride on the 3x3 convolution ("ResNet v1.5"), as torchvision does.
"""

from __future__ import annotations

from typing import Callable

import torch
from torch import Tensor, nn

NormLayer = Callable[[int], nn.Module]


def _conv3x3(in_planes: int, out_planes: int, stride: int = 1) -> nn.Conv2d:
    return nn.Conv2d(in_planes, out_planes, kernel_size=3, stride=stride, padding=1, bias=False)


def _conv1x1(in_planes: int, out_planes: int, stride: int = 1) -> nn.Conv2d:
    return nn.Conv2d(in_planes, out_planes, kernel_size=1, stride=stride, bias=False)


class BasicBlock(nn.Module):
    """Two 3x3 convolutions with an identity (or 1x1 projection) shortcut; ResNet-18/34."""

    expansion = 1

    def __init__(
        self, inplanes: int, planes: int, stride: int, downsample: nn.Module | None, norm_layer: NormLayer
    ) -> None:
        super().__init__()
        self.conv1 = _conv3x3(inplanes, planes, stride)
        self.bn1 = norm_layer(planes)
        self.relu = nn.ReLU(inplace=True)
        self.conv2 = _conv3x3(planes, planes)
        self.bn2 = norm_layer(planes)
        self.downsample = downsample

    def forward(self, x: Tensor) -> Tensor:
        identity = x if self.downsample is None else self.downsample(x)
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return self.relu(out + identity)


class Bottleneck(nn.Module):
    """1x1 reduce, 3x3 (strided), 1x1 expand by 4, with a shortcut; ResNet-50."""

    expansion = 4

    def __init__(
        self, inplanes: int, planes: int, stride: int, downsample: nn.Module | None, norm_layer: NormLayer
    ) -> None:
        super().__init__()
        self.conv1 = _conv1x1(inplanes, planes)
        self.bn1 = norm_layer(planes)
        self.conv2 = _conv3x3(planes, planes, stride)
        self.bn2 = norm_layer(planes)
        self.conv3 = _conv1x1(planes, planes * self.expansion)
        self.bn3 = norm_layer(planes * self.expansion)
        self.relu = nn.ReLU(inplace=True)
        self.downsample = downsample

    def forward(self, x: Tensor) -> Tensor:
        identity = x if self.downsample is None else self.downsample(x)
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.relu(self.bn2(self.conv2(out)))
        out = self.bn3(self.conv3(out))
        return self.relu(out + identity)


Block = type[BasicBlock] | type[Bottleneck]

# arch -> (block, blocks per stage)
_ARCHS: dict[str, tuple[Block, list[int]]] = {
    "resnet18": (BasicBlock, [2, 2, 2, 2]),
    "resnet34": (BasicBlock, [3, 4, 6, 3]),
    "resnet50": (Bottleneck, [3, 4, 6, 3]),
}


class ResNet(nn.Module):
    """A ResNet trunk without its classifier: ``forward(x [N,3,H,W]) -> [N, feature_dim]``."""

    def __init__(
        self, block: Block, layers: list[int], base_width: int, cifar_stem: bool, norm_layer: NormLayer
    ) -> None:
        super().__init__()
        self.inplanes = base_width
        if cifar_stem:
            # 3x3 stride-1 stem without max-pool for 32 px images (Un-Mix / MoCo CIFAR demo); keys unchanged.
            self.conv1 = nn.Conv2d(3, base_width, kernel_size=3, stride=1, padding=1, bias=False)
        else:
            self.conv1 = nn.Conv2d(3, base_width, kernel_size=7, stride=2, padding=3, bias=False)
        self.bn1 = norm_layer(base_width)
        self.relu = nn.ReLU(inplace=True)
        self.maxpool: nn.Module = nn.Identity() if cifar_stem else nn.MaxPool2d(kernel_size=3, stride=2, padding=1)
        self.layer1 = self._make_layer(block, base_width, layers[0], 1, norm_layer)
        self.layer2 = self._make_layer(block, base_width * 2, layers[1], 2, norm_layer)
        self.layer3 = self._make_layer(block, base_width * 4, layers[2], 2, norm_layer)
        self.layer4 = self._make_layer(block, base_width * 8, layers[3], 2, norm_layer)
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.feature_dim: int = base_width * 8 * block.expansion

        for module in self.modules():
            if isinstance(module, nn.Conv2d):
                nn.init.kaiming_normal_(module.weight, mode="fan_out", nonlinearity="relu")
            elif isinstance(module, (nn.BatchNorm2d, nn.GroupNorm)):
                nn.init.constant_(module.weight, 1)
                nn.init.constant_(module.bias, 0)

    def _make_layer(self, block: Block, planes: int, blocks: int, stride: int, norm_layer: NormLayer) -> nn.Sequential:
        downsample = None
        if stride != 1 or self.inplanes != planes * block.expansion:
            downsample = nn.Sequential(
                _conv1x1(self.inplanes, planes * block.expansion, stride), norm_layer(planes * block.expansion)
            )
        layers: list[nn.Module] = [block(self.inplanes, planes, stride, downsample, norm_layer)]
        self.inplanes = planes * block.expansion
        layers += [block(self.inplanes, planes, 1, None, norm_layer) for _ in range(1, blocks)]
        return nn.Sequential(*layers)

    def forward(self, x: Tensor) -> Tensor:
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))  # [N, w, H/4, W/4] (H, W with the CIFAR stem)
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))  # [N, feature_dim, h, w]
        return torch.flatten(self.avgpool(x), 1)  # [N, feature_dim]


def resnet(
    arch: str,
    base_width: int = 64,
    cifar_stem: bool = False,
    norm_layer: Callable[[int], nn.Module] | None = None,
) -> ResNet:
    """Builds ``resnet18`` / ``resnet34`` / ``resnet50`` with stage widths ``base_width * [1, 2, 4, 8]``.

    ``base_width=64`` gives torchvision's networks (11,176,512 / 21,284,672 / 23,508,032 parameters without ``fc``).
    ``norm_layer(num_features)`` replaces ``nn.BatchNorm2d`` (e.g. ``SplitBatchNorm2d`` for single-device shuffle-BN).
    """
    if arch not in _ARCHS:
        raise ValueError(f"backbone.arch is {arch!r}; expected one of {', '.join(_ARCHS)}")
    if not isinstance(base_width, int) or base_width < 1:
        raise ValueError(f"backbone.base_width is {base_width!r}; expected a positive integer (64 is torchvision's)")
    block, layers = _ARCHS[arch]
    return ResNet(block, layers, base_width, cifar_stem, norm_layer if norm_layer is not None else nn.BatchNorm2d)
