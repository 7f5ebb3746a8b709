"""Weighted k-NN (Wu et al. 2018) and feature extraction."""

from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from mixmask_worker.evaluation.knn import extract_features, weighted_knn


def test_separable_clusters_score_one() -> None:
    g = torch.Generator().manual_seed(0)
    centres = F.normalize(torch.randn(6, 16, generator=g), dim=1)

    def sample(per_class: int) -> tuple[torch.Tensor, torch.Tensor]:
        labels = torch.arange(6).repeat_interleave(per_class)
        feats = F.normalize(centres[labels] + 0.01 * torch.randn(len(labels), 16, generator=g), dim=1)
        return feats, labels

    train_f, train_y = sample(10)
    test_f, test_y = sample(4)
    assert weighted_knn(train_f, train_y, test_f, test_y, k=5, temperature=0.1, num_classes=6, batch_size=7) == (
        1.0,
        1.0,
    )
    # k larger than the bank is clipped; voting still separates the clusters
    top1, top5 = weighted_knn(train_f, train_y, test_f, test_y, k=1000, temperature=0.1, num_classes=6)
    assert top1 == 1.0 and top5 == 1.0


def _tiny() -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    def unit(deg: float) -> list[float]:
        return [math.cos(math.radians(deg)), math.sin(math.radians(deg))]

    # bank: angles 0, 10 (class 0), 30 (class 1), 90, 100 (class 2), 180 (class 3)
    train_f = torch.tensor([unit(a) for a in (0, 10, 30, 90, 100, 180)])
    train_y = torch.tensor([0, 0, 1, 2, 2, 3])
    test_f = torch.tensor([unit(25), unit(70)])
    test_y = torch.tensor([1, 2])
    return train_f, train_y, test_f, test_y


def test_hand_computed_example_k3() -> None:
    train_f, train_y, test_f, test_y = _tiny()
    t = 0.5

    def w(deg: float) -> float:
        return math.exp(math.cos(math.radians(deg)) / t)

    # test 25°: neighbours 30 (class 1, 5°), 10 (class 0, 15°), 0 (class 0, 25°)
    score0, score1 = w(15) + w(25), w(5)
    assert score0 > score1  # class 0 wins by weight of two neighbours: top-1 wrong, top-5 right
    # test 70°: neighbours 90 (20°), 100 (30°) class 2, 30 (40°) class 1 -> class 2 wins
    assert w(20) + w(30) > w(40)
    top1, top5 = weighted_knn(train_f, train_y, test_f, test_y, k=3, temperature=t, num_classes=5)
    assert top1 == 0.5 and top5 == 1.0
    # with k = 1 the nearest neighbour decides: 30° (class 1) and 90° (class 2) -> both right
    assert weighted_knn(train_f, train_y, test_f, test_y, k=1, temperature=t, num_classes=5) == (1.0, 1.0)


def test_top5_equals_top1_with_fewer_than_five_classes() -> None:
    train_f, train_y, test_f, test_y = _tiny()
    assert weighted_knn(train_f, train_y, test_f, test_y, k=3, temperature=0.5, num_classes=4) == (0.5, 0.5)


def test_validation() -> None:
    train_f, train_y, test_f, test_y = _tiny()
    with pytest.raises(ValueError, match="num_classes = 3"):
        weighted_knn(train_f, train_y, test_f, test_y, k=3, temperature=0.5, num_classes=3)
    with pytest.raises(ValueError, match="temperature"):
        weighted_knn(train_f, train_y, test_f, test_y, k=3, temperature=0.0, num_classes=5)
    with pytest.raises(ValueError, match="k is 0"):
        weighted_knn(train_f, train_y, test_f, test_y, k=0, temperature=0.5, num_classes=5)


class _Probe(nn.Module):
    """Records its inputs and mode; features are the per-channel means."""

    def __init__(self) -> None:
        super().__init__()
        self.bn = nn.BatchNorm2d(3)
        self.seen: list[torch.Tensor] = []
        self.modes: list[bool] = []

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        self.seen.append(x)
        self.modes.append(self.training)
        return x.mean(dim=(2, 3)) * 3.0  # [B, 3], not unit norm


def test_extract_features_eval_mode_normalisation_and_batches() -> None:
    images = torch.randint(0, 256, (5, 4, 4, 3), dtype=torch.uint8, generator=torch.Generator().manual_seed(0))
    mean, std = torch.tensor([0.5, 0.4, 0.3]), torch.tensor([0.2, 0.25, 0.3])
    probe = _Probe().train()
    feats = extract_features(probe, images, 4, mean, std, batch_size=2)
    assert probe.training and probe.modes == [False, False, False]
    assert [x.shape[0] for x in probe.seen] == [2, 2, 1]
    x = (images.permute(0, 3, 1, 2).float() / 255 - mean.view(1, 3, 1, 1)) / std.view(1, 3, 1, 1)
    torch.testing.assert_close(torch.cat(probe.seen), x)
    torch.testing.assert_close(feats, F.normalize(x.mean(dim=(2, 3)), dim=1))
    assert feats.dtype == torch.float32

    probe.eval()
    extract_features(probe, images, 4, mean, std, batch_size=8)
    assert not probe.training


def test_extract_features_grey_and_resize() -> None:
    images = torch.randint(0, 256, (2, 6, 6, 1), dtype=torch.uint8, generator=torch.Generator().manual_seed(1))
    probe = _Probe()
    extract_features(probe, images, 3, torch.zeros(3), torch.ones(3), batch_size=4)
    x = images.permute(0, 3, 1, 2).float().expand(-1, 3, -1, -1) / 255
    expected = F.interpolate(x, size=(3, 3), mode="bilinear", align_corners=False, antialias=True)
    torch.testing.assert_close(probe.seen[0], expected)
