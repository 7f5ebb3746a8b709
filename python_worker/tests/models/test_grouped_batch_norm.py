"""GroupedBatchNorm2d/1d equal SplitBatchNorm2d / nn.BatchNorm per group and pass, without copying activations."""

from __future__ import annotations

import copy

import pytest
import torch
from torch import nn
from torch.utils._python_dispatch import TorchDispatchMode

from mixmask_worker.models.grouped_batch_norm import (
    GroupedBatchNorm1d,
    GroupedBatchNorm2d,
    fused_passes,
    use_grouped_batch_norm,
)
from mixmask_worker.models.split_batch_norm import SplitBatchNorm2d


def _reference(c: int, s: int) -> nn.BatchNorm2d:
    torch.manual_seed(0)
    bn: nn.BatchNorm2d = SplitBatchNorm2d(c, s) if s > 1 else nn.BatchNorm2d(c)
    with torch.no_grad():
        bn.weight.uniform_(0.5, 1.5)
        bn.bias.uniform_(-0.5, 0.5)
        bn.running_mean.uniform_(-1, 1)
        bn.running_var.uniform_(0.5, 2)
    return bn


def _grouped(reference: nn.BatchNorm2d) -> GroupedBatchNorm2d:
    holder = nn.Sequential(copy.deepcopy(reference))
    use_grouped_batch_norm(holder)
    assert isinstance(holder[0], GroupedBatchNorm2d)
    return holder[0]


@pytest.mark.parametrize("channels_last", [False, True])
@pytest.mark.parametrize("splits", [1, 4])
def test_equals_split_batch_norm_values_gradients_running_stats(splits: int, channels_last: bool) -> None:
    reference = _reference(5, splits)
    grouped = _grouped(reference)
    x = torch.randn(16, 5, 6, 6) * 3 + torch.arange(16.0).view(16, 1, 1, 1)  # groups differ
    x_ref = x.clone().requires_grad_(True)
    x_new = (x.to(memory_format=torch.channels_last) if channels_last else x.clone()).requires_grad_(True)
    grad = torch.randn_like(x)
    out_ref, out_new = reference(x_ref), grouped(x_new)
    out_ref.backward(grad)
    out_new.backward(grad)
    torch.testing.assert_close(out_new, out_ref, rtol=1e-5, atol=1e-5)
    # The output keeps the input's memory format, so the next convolution gets what it expects.
    assert out_new.is_contiguous(memory_format=torch.channels_last if channels_last else torch.contiguous_format)
    torch.testing.assert_close(x_new.grad, x_ref.grad, rtol=1e-4, atol=1e-5)
    torch.testing.assert_close(grouped.weight.grad, reference.weight.grad, rtol=1e-4, atol=1e-4)
    torch.testing.assert_close(grouped.bias.grad, reference.bias.grad, rtol=1e-4, atol=1e-4)
    torch.testing.assert_close(grouped.running_mean, reference.running_mean, rtol=1e-6, atol=1e-6)
    torch.testing.assert_close(grouped.running_var, reference.running_var, rtol=1e-6, atol=1e-6)
    assert int(grouped.num_batches_tracked) == int(reference.num_batches_tracked) == 1
    grouped.eval()
    reference.eval()
    torch.testing.assert_close(grouped(x_new.detach()), reference(x), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("channels_last", [False, True])
def test_fused_passes_keep_each_pass_statistics_and_sequential_running_stats(channels_last: bool) -> None:
    reference = _reference(3, 2)
    grouped = _grouped(reference)
    passes = [torch.randn(8, 3, 4, 4) * (p + 1) + 2 * p for p in range(3)]
    separate = [reference(x) for x in passes]  # three calls: three moving-average steps, in this order
    fused = torch.stack(passes, 1).view(24, 3, 4, 4)  # row n·P + p
    if channels_last:
        fused = fused.contiguous(memory_format=torch.channels_last)
    with fused_passes([grouped], 3):
        out = grouped(fused).view(8, 3, 3, 4, 4)
    assert grouped.passes == 1  # restored after the block
    for p in range(3):
        torch.testing.assert_close(out[:, p], separate[p], rtol=1e-5, atol=1e-5)
    torch.testing.assert_close(grouped.running_mean, reference.running_mean, rtol=1e-6, atol=1e-6)
    torch.testing.assert_close(grouped.running_var, reference.running_var, rtol=1e-6, atol=1e-6)
    assert int(grouped.num_batches_tracked) == 3


def test_batch_norm_1d_fused_passes() -> None:
    torch.manual_seed(1)
    reference = nn.BatchNorm1d(6)
    holder = nn.Sequential(copy.deepcopy(reference))
    use_grouped_batch_norm(holder)
    grouped = holder[0]
    assert isinstance(grouped, GroupedBatchNorm1d)
    a, b = torch.randn(10, 6), torch.randn(10, 6) * 2 + 1
    expected = [reference(a), reference(b)]
    with fused_passes([grouped], 2):
        out = grouped(torch.stack([a, b], 1).view(20, 6)).view(10, 2, 6)
    torch.testing.assert_close(out[:, 0], expected[0], rtol=1e-5, atol=1e-5)
    torch.testing.assert_close(out[:, 1], expected[1], rtol=1e-5, atol=1e-5)
    torch.testing.assert_close(grouped.running_var, reference.running_var, rtol=1e-6, atol=1e-6)


def test_conversion_keeps_the_tensors_and_state_dict_keys() -> None:
    reference = nn.Sequential(SplitBatchNorm2d(4, 2), nn.Sequential(nn.BatchNorm1d(3)))
    keys = list(reference.state_dict())
    weight = reference[0].weight
    use_grouped_batch_norm(reference)
    assert list(reference.state_dict()) == keys
    assert reference[0].weight is weight and reference[0].num_splits == 2


def test_no_activation_copy_in_either_memory_format() -> None:
    class Ops(TorchDispatchMode):
        def __init__(self) -> None:
            super().__init__()
            self.names: list[str] = []

        def __torch_dispatch__(self, func, types, args=(), kwargs=None):  # type: ignore[no-untyped-def]
            self.names.append(func.overloadpacket.__name__)
            return func(*args, **(kwargs or {}))

    grouped = GroupedBatchNorm2d(4, 2)
    for memory_format in (torch.contiguous_format, torch.channels_last):
        x = torch.randn(8, 4, 5, 5).contiguous(memory_format=memory_format).requires_grad_(True)
        grad = torch.randn_like(x)  # the gradient a convolution hands back: a real tensor in the same format
        with Ops() as ops:
            grouped(x).backward(grad)
        assert not {"copy_", "clone", "_to_copy", "repeat"} & set(ops.names), ops.names


def test_indivisible_batch_names_batch_and_splits() -> None:
    with pytest.raises(ValueError, match=r"batch size 6 .*bn_splits = 4"):
        GroupedBatchNorm2d(3, 4)(torch.randn(6, 3, 2, 2))
