"""SplitBatchNorm2d must equal plain batch norm applied to each group n % num_splits of the batch."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from mixmask_worker.models.split_batch_norm import SplitBatchNorm2d


def _pair(c: int, s: int) -> tuple[SplitBatchNorm2d, nn.BatchNorm2d]:
    torch.manual_seed(0)
    split = SplitBatchNorm2d(c, s)
    with torch.no_grad():
        split.weight.uniform_(0.5, 1.5)
        split.bias.uniform_(-0.5, 0.5)
        split.running_mean.uniform_(-1, 1)
        split.running_var.uniform_(0.5, 2)
    plain = nn.BatchNorm2d(c)
    plain.load_state_dict(split.state_dict())
    return split, plain


def test_training_equals_plain_bn_per_group() -> None:
    c, s, n = 3, 4, 12
    split, plain = _pair(c, s)
    x = torch.randn(n, c, 5, 5, dtype=torch.float32) * 2 + torch.arange(n).view(n, 1, 1, 1)  # groups differ
    x.requires_grad_(True)
    out = split(x)

    expected = torch.empty_like(x)
    means, vars_ = [], []
    x_ref = x.detach().clone().requires_grad_(True)
    for g in range(s):
        bn = nn.BatchNorm2d(c)
        bn.load_state_dict(plain.state_dict())
        rows = torch.arange(g, n, s)  # sample n is in group n % s
        expected[rows] = bn(x_ref[rows])
        means.append(bn.running_mean)
        vars_.append(bn.running_var)
    torch.testing.assert_close(out, expected, rtol=1e-5, atol=1e-5)
    torch.testing.assert_close(split.running_mean, torch.stack(means).mean(0))
    torch.testing.assert_close(split.running_var, torch.stack(vars_).mean(0))
    assert int(split.num_batches_tracked) == 1

    # gradients flow to the input and the shared affine parameters as with per-group BN
    g_out = torch.randn_like(out)
    (out * g_out).sum().backward()
    (expected * g_out).sum().backward()
    torch.testing.assert_close(x.grad, x_ref.grad, rtol=1e-4, atol=1e-5)


def test_differs_from_plain_bn_when_groups_differ() -> None:
    split, plain = _pair(2, 2)
    x = torch.randn(4, 2, 3, 3) + torch.tensor([0.0, 5.0, 0.0, 5.0]).view(4, 1, 1, 1)
    assert not torch.allclose(split(x), plain(x), atol=1e-3)


def test_eval_is_plain_bn_with_running_stats() -> None:
    split, plain = _pair(3, 4)
    split.eval()
    plain.eval()
    x = torch.randn(6, 3, 4, 4)  # any batch size in eval
    torch.testing.assert_close(split(x), plain(x))


def test_state_dict_keys_are_batchnorms() -> None:
    assert list(SplitBatchNorm2d(8, 2).state_dict()) == list(nn.BatchNorm2d(8).state_dict())


def test_channels_last_input() -> None:
    split, _ = _pair(3, 2)
    x = torch.randn(4, 3, 5, 5)
    ref = split(x)
    split2, _ = _pair(3, 2)
    torch.testing.assert_close(split2(x.to(memory_format=torch.channels_last)), ref)


def test_indivisible_batch_raises_naming_batch_and_splits() -> None:
    split = SplitBatchNorm2d(3, 4)
    with pytest.raises(ValueError, match=r"batch size 6 .*bn_splits = 4"):
        split(torch.randn(6, 3, 2, 2))
    with pytest.raises(ValueError, match="bn_splits"):
        SplitBatchNorm2d(3, 0)
