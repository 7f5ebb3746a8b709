"""A full disk on a real filesystem (a small tmpfs), where torch.save fails with RuntimeError, not OSError."""

from __future__ import annotations

import os
import subprocess
from typing import Any, Iterator

import pytest
import torch

from mixmask_worker.data.cache import DatasetCache
from mixmask_worker.service.protocol import WorkerError
from mixmask_worker.training.checkpoint_file import read_checkpoint, write_checkpoint

CPU = torch.device("cpu")


@pytest.fixture
def small_disk(tmp_path: Any) -> Iterator[str]:
    """A 20 MiB tmpfs (mounting needs root, as in CI and on the development machines), unmounted afterwards."""
    mount = str(tmp_path / "disk")
    os.makedirs(mount)
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=20m", "tmpfs", mount], capture_output=True).returncode:
        pytest.skip("mounting a tmpfs needs root")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", mount], check=False)


def _fill(directory: str, leave_bytes: int) -> None:
    """Writes a filler file until only about ``leave_bytes`` remain free."""
    stats = os.statvfs(directory)
    free = stats.f_bavail * stats.f_frsize
    with open(os.path.join(directory, "filler"), "wb") as file:
        file.write(b"\0" * max(free - leave_bytes, 0))


def test_torch_save_on_a_full_tmpfs_is_disk_full_with_no_temporary_file(small_disk: str) -> None:
    path = os.path.join(small_disk, "checkpoints", "step-0000008.pt")
    first = write_checkpoint(os.path.join(small_disk, "checkpoints", "step-0000004.pt"), {"step": 4})
    _fill(small_disk, 2 << 20)
    state = {"step": 8, "weights": torch.ones(1 << 20)}  # 4 MiB of tensor data, 2 MiB free
    with pytest.raises(WorkerError) as caught:
        write_checkpoint(path, state)
    error = caught.value
    assert error.code == "DISK_FULL", error.message
    assert f"checkpoint step-0000008.pt needs about 4.0 MiB in {small_disk}/checkpoints" in error.message
    assert error.details["neededBytes"] == 4 << 20 and isinstance(error.details["freeBytes"], int)
    assert sorted(os.listdir(os.path.dirname(path))) == ["step-0000004.pt"]  # no .pt.tmp, the previous file kept
    assert read_checkpoint(first.path, first.sha256, CPU).state["step"] == 4
    os.unlink(os.path.join(small_disk, "filler"))
    assert write_checkpoint(path, state).bytes > 4 << 20  # space freed: the same write succeeds


def test_the_dataset_cache_on_a_full_tmpfs_leaves_no_partial_file(small_disk: str) -> None:
    import numpy as np

    cache = DatasetCache(small_disk)
    _fill(small_disk, 1 << 20)
    images = np.zeros((128, 64, 64, 3), dtype=np.uint8)  # 1.5 MiB, more than the 1 MiB left
    with pytest.raises(OSError):
        cache.store("a" * 64, images, None)
    assert sorted(os.listdir(small_disk)) == ["filler"]  # no partial pixels file, no .tmp


def test_an_export_file_on_a_full_tmpfs_is_disk_full_with_no_temporary_file(small_disk: str) -> None:
    from mixmask_worker.export.atomic_output import write_bytes_atomically

    _fill(small_disk, 1 << 20)
    with pytest.raises(WorkerError) as caught:
        write_bytes_atomically(os.path.join(small_disk, "backbone.safetensors"), b"\0" * (3 << 20))
    assert caught.value.code == "DISK_FULL"
    assert "backbone.safetensors needs more than" in caught.value.message and small_disk in caught.value.message
    assert sorted(os.listdir(small_disk)) == ["filler"]
