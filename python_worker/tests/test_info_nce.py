"""InfoNCE with a queue equals the direct float64 formula and has the right gradient."""

from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as F

from mixmask_worker.losses.info_nce import InfoNCEWithQueue


def _unit(*shape: int, seed: int, dtype: torch.dtype = torch.float32) -> torch.Tensor:
    g = torch.Generator().manual_seed(seed)
    return F.normalize(torch.randn(*shape, generator=g, dtype=torch.float64), dim=-1).to(dtype)


def test_matches_direct_float64_formula() -> None:
    n, d, k_size, t = 5, 8, 11, 0.2
    q, k, queue = _unit(n, d, seed=0), _unit(n, d, seed=1), _unit(k_size, d, seed=2)
    loss, logits = InfoNCEWithQueue()(q, k, queue, t)
    assert logits.shape == (n, 1 + k_size) and logits.dtype == torch.float32 and loss.shape == ()

    q64, k64, queue64 = q.double(), k.double(), queue.double()
    expected = 0.0
    for i in range(n):
        s_pos = float(q64[i] @ k64[i]) / t
        s_all = [s_pos] + [float(q64[i] @ queue64[j]) / t for j in range(k_size)]
        expected += -math.log(math.exp(s_pos) / sum(math.exp(s) for s in s_all))
    expected /= n
    assert loss.item() == pytest.approx(expected, rel=1e-6)
    torch.testing.assert_close(logits[:, 0], (q64 * k64).sum(1).float() / t)
    torch.testing.assert_close(logits[:, 1:], (q64 @ queue64.t()).float() / t)


def test_gradient_wrt_q_in_float64() -> None:
    q = _unit(3, 4, seed=3, dtype=torch.float64).requires_grad_(True)
    k = _unit(3, 4, seed=4, dtype=torch.float64)
    queue = _unit(6, 4, seed=5, dtype=torch.float64)
    loss_fn = InfoNCEWithQueue()
    assert torch.autograd.gradcheck(lambda q_: loss_fn(q_, k, queue, 0.5)[0], (q,))


def test_low_precision_inputs_are_computed_in_float32() -> None:
    q, k, queue = _unit(4, 8, seed=6), _unit(4, 8, seed=7), _unit(16, 8, seed=8)
    ref, _ = InfoNCEWithQueue()(q.bfloat16().float(), k.bfloat16().float(), queue.bfloat16().float(), 0.1)
    with torch.autocast("cpu", dtype=torch.bfloat16):
        loss, logits = InfoNCEWithQueue()(q.bfloat16(), k.bfloat16(), queue.bfloat16(), 0.1)
    assert loss.dtype == torch.float32 and logits.dtype == torch.float32
    torch.testing.assert_close(loss, ref)


@pytest.mark.parametrize("t", [0.0, -0.1, float("nan"), float("inf")])
def test_temperature_must_be_positive(t: float) -> None:
    q = _unit(2, 4, seed=9)
    with pytest.raises(ValueError, match="temperature"):
        InfoNCEWithQueue()(q, q, _unit(3, 4, seed=10), t)


def test_shape_mismatch_raises() -> None:
    with pytest.raises(ValueError, match=r"queue \[3, 5\]"):
        InfoNCEWithQueue()(_unit(2, 4, seed=0), _unit(2, 4, seed=1), _unit(3, 5, seed=2), 0.2)
