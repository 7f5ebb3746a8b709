"""Each loss kernel equals its paper's formula written out directly in float64, per sample, with gradients."""

from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as F

from mixmask_worker.losses.info_nce import InfoNCEWithQueue
from mixmask_worker.losses.negative_cosine import NegativeCosine
from mixmask_worker.losses.normalized_mse import NormalizedMse
from mixmask_worker.losses.nt_xent import NTXent


def _raw(*shape: int, seed: int, dtype: torch.dtype = torch.float64) -> torch.Tensor:
    return torch.randn(*shape, generator=torch.Generator().manual_seed(seed), dtype=torch.float64).to(dtype)


def _unit_list(x: torch.Tensor) -> list[list[float]]:
    return [[v / math.sqrt(sum(u * u for u in row)) for v in row] for row in x.tolist()]


def _dot(a: list[float], b: list[float]) -> float:
    return sum(u * v for u, v in zip(a, b))


def test_info_nce_matches_the_direct_formula_per_sample() -> None:
    n, d, k_size, t = 5, 8, 11, 0.2
    q, k = _raw(n, d, seed=0), _raw(n, d, seed=1)
    queue = F.normalize(_raw(k_size, d, seed=2), dim=1)
    losses = InfoNCEWithQueue()(q, k, queue, t)
    assert losses.shape == (n,) and losses.dtype == torch.float64
    qs, ks, queue_rows = _unit_list(q), _unit_list(k), queue.tolist()
    for i in range(n):
        s_pos = _dot(qs[i], ks[i]) / t
        s_all = [s_pos] + [_dot(qs[i], row) / t for row in queue_rows]
        expected = -math.log(math.exp(s_pos) / sum(math.exp(s) for s in s_all))
        assert losses[i].item() == pytest.approx(expected, rel=1e-12)


def test_nt_xent_matches_the_direct_formula_per_pair() -> None:
    n, d, t = 4, 6, 0.5
    a, p = _raw(n, d, seed=3), _raw(n, d, seed=4)
    losses = NTXent()(a, p, t)
    rows = _unit_list(a) + _unit_list(p)  # 2N unit rows

    def one_direction(i: int, j: int) -> float:  # row i's positive is row j; every row but i is in the denominator
        denominator = sum(math.exp(_dot(rows[i], rows[m]) / t) for m in range(2 * n) if m != i)
        return -math.log(math.exp(_dot(rows[i], rows[j]) / t) / denominator)

    for i in range(n):
        expected = 0.5 * (one_direction(i, n + i) + one_direction(n + i, i))
        assert losses[i].item() == pytest.approx(expected, rel=1e-12)


def test_cosine_kernels_match_their_formulas() -> None:
    p, z = _raw(5, 7, seed=5), _raw(5, 7, seed=6)
    cos = [_dot(u, v) for u, v in zip(_unit_list(p), _unit_list(z))]
    assert NegativeCosine()(p, z).tolist() == pytest.approx([-c for c in cos], rel=1e-12)
    byol = NormalizedMse()(p, z).tolist()
    assert byol == pytest.approx([2 - 2 * c for c in cos], rel=1e-12)
    # ‖p̄ − z̄‖² computed literally
    direct = [sum((u - v) ** 2 for u, v in zip(pu, zu)) for pu, zu in zip(_unit_list(p), _unit_list(z))]
    assert byol == pytest.approx(direct, rel=1e-10)


@pytest.mark.parametrize("kernel", ["info_nce", "nt_xent", "negative_cosine", "normalized_mse"])
def test_gradients_pass_gradcheck_in_float64(kernel: str) -> None:
    a = _raw(4, 5, seed=7).requires_grad_(True)
    p = _raw(4, 5, seed=8).requires_grad_(True)
    queue = F.normalize(_raw(6, 5, seed=9), dim=1)
    fns = {
        "info_nce": lambda a_, p_: InfoNCEWithQueue()(a_, p_, queue, 0.5),
        "nt_xent": lambda a_, p_: NTXent()(a_, p_, 0.5),
        "negative_cosine": lambda a_, p_: NegativeCosine()(a_, p_),
        "normalized_mse": lambda a_, p_: NormalizedMse()(a_, p_),
    }
    assert torch.autograd.gradcheck(fns[kernel], (a, p))


def test_positive_top1_counts_strict_wins_only() -> None:
    a = torch.eye(4)
    assert NTXent().positive_top1(a, a).item() == 1.0
    assert NormalizedMse().positive_top1(a, a).item() == 1.0
    collapsed = torch.ones(4, 3)  # every candidate ties with the positive: no strict win
    assert NegativeCosine().positive_top1(collapsed, collapsed).item() == 0.0
    assert NTXent().positive_top1(collapsed, collapsed).item() == 0.0
    assert InfoNCEWithQueue().positive_top1(collapsed, collapsed, F.normalize(torch.ones(5, 3), dim=1)).item() == 0.0


def test_low_precision_inputs_are_computed_in_float32() -> None:
    q, k, queue = (
        _raw(4, 8, seed=6, dtype=torch.float32),
        _raw(4, 8, seed=7, dtype=torch.float32),
        _raw(16, 8, seed=8, dtype=torch.float32),
    )
    queue = F.normalize(queue, dim=1)
    ref = InfoNCEWithQueue()(q.bfloat16().float(), k.bfloat16().float(), queue.bfloat16().float(), 0.1)
    with torch.autocast("cpu", dtype=torch.bfloat16):
        losses = InfoNCEWithQueue()(q.bfloat16(), k.bfloat16(), queue.bfloat16(), 0.1)
        nt = NTXent()(q.bfloat16(), k.bfloat16(), 0.1)
    assert losses.dtype == torch.float32 and nt.dtype == torch.float32
    torch.testing.assert_close(losses, ref)


@pytest.mark.parametrize("t", [0.0, -0.1, float("nan"), float("inf")])
def test_temperature_must_be_positive(t: float) -> None:
    q = _raw(2, 4, seed=9)
    with pytest.raises(ValueError, match="temperature"):
        InfoNCEWithQueue()(q, q, _raw(3, 4, seed=10), t)
    with pytest.raises(ValueError, match="temperature"):
        NTXent()(q, q, t)


def test_shape_mismatch_raises() -> None:
    with pytest.raises(ValueError, match=r"queue \[3, 5\]"):
        InfoNCEWithQueue()(_raw(2, 4, seed=0), _raw(2, 4, seed=1), _raw(3, 5, seed=2), 0.2)
    with pytest.raises(ValueError, match=r"anchors \[2, 4\] and positives \[3, 4\]"):
        NegativeCosine()(_raw(2, 4, seed=0), _raw(3, 4, seed=1))
