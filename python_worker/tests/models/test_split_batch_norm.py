"""SplitBatchNorm2d must equal plain batch norm applied to each group n % num_splits of the batch."""

from __future__ import annotations

import copy

import pytest
import torch
from torch import nn
from torch.utils._python_dispatch import TorchDispatchMode

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


def _reference_step(state: dict[str, torch.Tensor], x: torch.Tensor, s: int) -> tuple[torch.Tensor, dict]:
    """One training call as the MoCo demo's SplitBatchNorm computes it: the running statistics re-tiled to every group,
    each group's plain BN update, and their mean. Returns the output and the new state."""
    n, c = x.shape[:2]
    out = torch.empty_like(x)
    means, vars_ = [], []
    for g in range(s):
        bn = nn.BatchNorm2d(c)
        bn.load_state_dict(state)
        rows = torch.arange(g, n, s)
        out[rows] = bn(x[rows])
        means.append(bn.running_mean)
        vars_.append(bn.running_var)
    new = {k: v.clone() for k, v in state.items()}
    new["running_mean"] = torch.stack(means).mean(0)
    new["running_var"] = torch.stack(vars_).mean(0)
    new["num_batches_tracked"] = state["num_batches_tracked"] + 1
    return out.detach(), new


def _batch(n: int, c: int, seed: int) -> torch.Tensor:
    g = torch.Generator().manual_seed(seed)
    return torch.randn(n, c, 4, 4, generator=g) * 2 + torch.arange(n).view(n, 1, 1, 1) * 0.3


def test_running_stats_over_many_calls_equal_re_tiling_every_call() -> None:
    # The groups' statistics persist across calls; their mean must follow the re-tiled update exactly (it is linear).
    c, s, n = 3, 4, 12
    split, _ = _pair(c, s)
    state = {k: v.clone() for k, v in split.state_dict().items()}
    for call in range(6):
        x = _batch(n, c, call)
        expected, state = _reference_step(state, x, s)
        torch.testing.assert_close(split(x).detach(), expected, rtol=1e-5, atol=1e-5)
        torch.testing.assert_close(split.running_mean, state["running_mean"], rtol=1e-6, atol=1e-6)
        torch.testing.assert_close(split.running_var, state["running_var"], rtol=1e-6, atol=1e-6)
    assert int(split.num_batches_tracked) == 6


def test_a_load_between_calls_re_tiles_the_groups_from_the_loaded_statistics() -> None:
    c, s, n = 3, 2, 8
    split, _ = _pair(c, s)
    for call in range(2):
        split(_batch(n, c, call))
    other, _ = _pair(c, s)
    with torch.no_grad():
        other.running_mean.uniform_(5, 6)  # far from anything split has seen
    split.load_state_dict(other.state_dict())  # a checkpoint load: in-place copies into the same tensors
    x = _batch(n, c, 7)
    _, expected = _reference_step({k: v.clone() for k, v in other.state_dict().items()}, x, s)
    split(x)
    torch.testing.assert_close(split.running_mean, expected["running_mean"], rtol=1e-6, atol=1e-6)

    # Any other in-place write counts too (a DDP buffer broadcast, reset_running_stats), and so does a deep copy.
    split.reset_running_stats()
    x = _batch(n, c, 8)
    _, expected = _reference_step({k: v.clone() for k, v in split.state_dict().items()}, x, s)
    twin = copy.deepcopy(split)
    split(x)
    twin(x)
    torch.testing.assert_close(split.running_mean, expected["running_mean"], rtol=1e-6, atol=1e-6)
    torch.testing.assert_close(twin.running_var, split.running_var)


def test_a_steady_training_call_dispatches_no_re_tiling_of_the_running_statistics() -> None:
    # What this class exists for on a GPU: every ATen op is a kernel launch, and re-tiling the running statistics
    # (2 repeats, 2 means, 2 copies per call) dominated a small network's host time (bench/RESULTS.md).
    split, _ = _pair(8, 4)
    x = _batch(16, 8, 0)
    split(x)  # the first call tiles the groups once

    class Ops(TorchDispatchMode):
        def __init__(self) -> None:
            super().__init__()
            self.names: list[str] = []

        def __torch_dispatch__(self, func, types, args=(), kwargs=None):  # type: ignore[no-untyped-def]
            self.names.append(func.overloadpacket.__name__)
            return func(*args, **(kwargs or {}))

    with Ops() as ops:
        split(x)
    assert ops.names.count("repeat") == 2, ops.names  # the affine weight and bias only
    assert "copy_" not in ops.names, ops.names
    assert ops.names.count("mean") == 2, ops.names  # the public statistics, written in place
