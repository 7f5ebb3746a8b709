"""update_momentum equals the per-parameter EMA loop and leaves buffers alone."""

from __future__ import annotations

import copy

import pytest
import torch
from torch import nn

from mixmask_worker.training.momentum import update_momentum


def _net() -> nn.Module:
    return nn.Sequential(nn.Conv2d(3, 4, 3), nn.BatchNorm2d(4), nn.Flatten(), nn.Linear(4 * 4 * 4, 5))


def test_matches_per_parameter_loop_and_skips_buffers() -> None:
    torch.manual_seed(0)
    online, target = _net(), _net()
    with torch.no_grad():
        for b in target.buffers():
            if b.is_floating_point():
                b.uniform_(2, 3)
        for b in online.buffers():
            if b.is_floating_point():
                b.uniform_(-3, -2)
    m = 0.9
    expected = [m * t.detach() + (1 - m) * o.detach() for t, o in zip(target.parameters(), online.parameters())]
    buffers_before = [b.clone() for b in target.buffers()]
    online_before = [p.detach().clone() for p in online.parameters()]
    update_momentum(online, target, m)
    for p, e in zip(target.parameters(), expected):
        torch.testing.assert_close(p.detach(), e)
    for b, before in zip(target.buffers(), buffers_before):
        assert torch.equal(b, before)
    for p, before in zip(online.parameters(), online_before):
        assert torch.equal(p.detach(), before)


def test_extremes() -> None:
    torch.manual_seed(1)
    online = _net()
    target = copy.deepcopy(online)
    with torch.no_grad():
        for p in target.parameters():
            p.add_(1.0)
    kept = [p.detach().clone() for p in target.parameters()]
    update_momentum(online, target, 1.0)
    assert all(torch.equal(p, k) for p, k in zip(target.parameters(), kept))
    update_momentum(online, target, 0.0)
    assert all(torch.equal(p, o) for p, o in zip(target.parameters(), online.parameters()))


@pytest.mark.parametrize("m", [-0.1, 1.5, float("nan")])
def test_momentum_out_of_range_raises(m: float) -> None:
    with pytest.raises(ValueError, match="key_momentum"):
        update_momentum(_net(), _net(), m)


def test_mismatched_modules_raise() -> None:
    with pytest.raises(ValueError, match="same configuration"):
        update_momentum(_net(), nn.Linear(2, 2), 0.5)
