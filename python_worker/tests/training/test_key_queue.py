"""KeyQueue: unit-norm initial keys from the generator, FIFO with wrap-around, pointer kept on the device."""

from __future__ import annotations

import pytest
import torch

from mixmask_worker.training.key_queue import KeyQueue


def test_initial_keys_are_unit_rows_from_the_generator() -> None:
    a = KeyQueue(10, 4, torch.Generator().manual_seed(3))
    b = KeyQueue(10, 4, torch.Generator().manual_seed(3))
    c = KeyQueue(10, 4, torch.Generator().manual_seed(4))
    assert a.keys.shape == (10, 4)
    torch.testing.assert_close(a.keys.norm(dim=1), torch.ones(10))
    assert torch.equal(a.keys, b.keys) and not torch.equal(a.keys, c.keys)
    expected = torch.randn(10, 4, generator=torch.Generator().manual_seed(3))
    torch.testing.assert_close(a.keys, expected / expected.norm(dim=1, keepdim=True))
    assert a.ptr.dtype == torch.int64 and a.ptr.shape == () and int(a.ptr) == 0


def test_enqueue_wraps_around() -> None:
    q = KeyQueue(5, 2, torch.Generator().manual_seed(0))
    initial = q.keys.clone()
    first = torch.arange(6.0).view(3, 2)
    q.enqueue(first)
    assert int(q.ptr) == 3
    assert torch.equal(q.keys[:3], first) and torch.equal(q.keys[3:], initial[3:])
    second = 10 + torch.arange(6.0).view(3, 2)
    q.enqueue(second)  # rows 3, 4, 0
    assert int(q.ptr) == 1
    assert torch.equal(q.keys[3:], second[:2]) and torch.equal(q.keys[0], second[2])
    assert torch.equal(q.keys[1:3], first[1:])
    q.enqueue(torch.full((4, 2), 7.0))  # rows 1, 2, 3, 4 -> back to 0
    assert int(q.ptr) == 0 and torch.equal(q.keys[0], second[2]) and bool((q.keys[1:] == 7).all())


def test_enqueue_a_full_queue_and_detaches() -> None:
    q = KeyQueue(3, 2)
    q.enqueue(torch.ones(2, 2))
    k = torch.randn(3, 2, requires_grad=True)
    q.enqueue(k)  # rows 2, 0, 1
    assert int(q.ptr) == 2 and not q.keys.requires_grad
    assert torch.equal(q.keys[2], k[0].detach()) and torch.equal(q.keys[0], k[1].detach())


def test_state_dict_round_trip() -> None:
    q = KeyQueue(4, 3, torch.Generator().manual_seed(1))
    q.enqueue(torch.ones(3, 3))
    sd = q.state_dict()
    assert set(sd) == {"keys", "ptr"}
    r = KeyQueue(4, 3, torch.Generator().manual_seed(2))
    r.load_state_dict(sd)
    assert torch.equal(r.keys, q.keys) and int(r.ptr) == 3
    r.enqueue(torch.zeros(2, 3))  # rows 3, 0
    assert torch.equal(r.keys[3], torch.zeros(3)) and torch.equal(r.keys[0], torch.zeros(3)) and int(r.ptr) == 1


def test_validation() -> None:
    with pytest.raises(ValueError, match="queue_size"):
        KeyQueue(0, 4)
    q = KeyQueue(4, 2)
    with pytest.raises(ValueError, match="queue_size >= the batch size"):
        q.enqueue(torch.zeros(5, 2))
    with pytest.raises(ValueError, match=r"expected \[N, 2\]"):
        q.enqueue(torch.zeros(2, 3))
