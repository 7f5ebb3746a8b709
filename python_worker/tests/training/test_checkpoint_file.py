"""Checkpoint files under faults: a full disk keeps the previous file, damaged bytes never load (fuzzed)."""

from __future__ import annotations

import hashlib
import os
from typing import Any

import pytest
import torch
from fuzz_budget import fuzz_settings, tried
from hypothesis import given
from hypothesis import strategies as st

from mixmask_worker.service.protocol import WorkerError
from mixmask_worker.training.checkpoint_file import read_checkpoint, write_checkpoint

CPU = torch.device("cpu")
STATE = {"step": 4, "weights": torch.arange(64, dtype=torch.float32).reshape(8, 8), "name": "run"}


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full to make writes fail with ENOSPC")
def test_a_full_disk_keeps_the_previous_checkpoint_and_leaves_no_temporary_file(tmp_path: Any) -> None:
    path = str(tmp_path / "step.pt")
    first = write_checkpoint(path, STATE)
    # Every write to /dev/full fails with ENOSPC: the checkpoint's temporary file becomes a window onto it.
    os.symlink("/dev/full", path + ".tmp")
    with pytest.raises(WorkerError) as caught:
        write_checkpoint(path, {**STATE, "step": 8})
    assert caught.value.code == "CHECKPOINT_WRITE_FAILED"
    assert "the disk is full (ENOSPC)" in caught.value.message and "previous checkpoint is untouched" in caught.value.message
    assert not os.path.lexists(path + ".tmp")
    loaded = read_checkpoint(path, first.sha256, CPU)
    assert loaded.state["step"] == 4 and torch.equal(loaded.state["weights"], STATE["weights"])


@pytest.fixture(scope="module")
def valid_bytes(tmp_path_factory: Any) -> bytes:
    path = str(tmp_path_factory.mktemp("ckpt") / "valid.pt")
    write_checkpoint(path, STATE)
    with open(path, "rb") as file:
        return file.read()


def _load(tmp_path: Any, data: bytes, sha256: str) -> Any:
    path = str(tmp_path / "fuzzed.pt")
    with open(path, "wb") as file:
        file.write(data)
    return read_checkpoint(path, sha256, CPU)


@fuzz_settings(0.5)
@given(data=st.data())
def test_damaged_checkpoints_raise_checkpoint_invalid_and_nothing_else(
    valid_bytes: bytes, tmp_path_factory: Any, data: Any
) -> None:
    tried["checkpoint_file: damaged checkpoint bytes"] += 1
    kind = data.draw(st.sampled_from(["flip", "truncate", "random", "splice"]))
    damaged = bytearray(valid_bytes)
    if kind == "flip":
        for position in data.draw(st.lists(st.integers(0, len(damaged) - 1), min_size=1, max_size=8)):
            damaged[position] ^= data.draw(st.integers(1, 255))
    elif kind == "truncate":
        damaged = damaged[: data.draw(st.integers(0, len(damaged) - 1))]
    elif kind == "random":
        damaged = bytearray(data.draw(st.binary(max_size=4096)))
    else:
        start = data.draw(st.integers(0, len(damaged)))
        damaged[start:start] = data.draw(st.binary(min_size=1, max_size=64))
    tmp = tmp_path_factory.mktemp("fuzz", numbered=True)
    if bytes(damaged) == valid_bytes:
        return
    # With the recorded hash (as the SDK loads): every change is caught before unpickling.
    with pytest.raises(WorkerError) as caught:
        _load(tmp, bytes(damaged), hashlib.sha256(valid_bytes).hexdigest())
    assert caught.value.code == "CHECKPOINT_INVALID"
    # Without a hash: either the damage happens to spare the payload, or a clear CHECKPOINT_INVALID, never a crash.
    try:
        _load(tmp, bytes(damaged), "")
    except WorkerError as error:
        assert error.code == "CHECKPOINT_INVALID", error
