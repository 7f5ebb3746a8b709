"""Telling a full disk from other write failures, and saying so as DISK_FULL.

``open``/``write`` report a full disk as ``OSError(ENOSPC)`` (or ``EDQUOT`` over a quota), but ``torch.save``
writes through its C++ zip writer, which reports the same short write as ``RuntimeError`` ("unexpected pos …",
"PytorchStreamWriter failed writing file …"). So a write failure counts as a full disk when its errno says so, or
when the folder it wrote into has (almost) no space left while the partial file is still there.
"""

from __future__ import annotations

import errno
import os
from typing import Any

from mixmask_worker.service.protocol import WorkerError

# With the partial file still on disk, a filesystem that ran out has less than this left (blocks are 4 KiB; reserved
# blocks of ext4 count as unavailable already).
_ALMOST_NOTHING = 1 << 20


def free_bytes(directory: str) -> int:
    """Bytes an unprivileged write can still use in ``directory``'s filesystem."""
    stats = os.statvfs(directory)
    return stats.f_bavail * stats.f_frsize


def is_disk_full(error: BaseException, directory: str) -> bool:
    """Whether ``error`` (raised while writing into ``directory``) came from the filesystem running out of space."""
    cause: BaseException | None = error
    while cause is not None:
        if isinstance(cause, OSError) and cause.errno in (errno.ENOSPC, errno.EDQUOT):
            return True
        cause = cause.__cause__ or cause.__context__
    if isinstance(error, (OSError, RuntimeError)):
        try:
            return free_bytes(directory) < _ALMOST_NOTHING
        except OSError:
            return False
    return False


def state_bytes(value: Any) -> int:
    """About how many bytes ``torch.save`` will write for ``value``: the storage of every tensor it holds."""
    import torch

    if isinstance(value, torch.Tensor):
        return value.untyped_storage().nbytes()
    if isinstance(value, dict):
        return sum(state_bytes(v) for v in value.values())
    if isinstance(value, (list, tuple)):
        return sum(state_bytes(v) for v in value)
    if isinstance(value, (bytes, bytearray)):
        return len(value)
    return 0


def disk_full_error(what: str, directory: str, needed_bytes: int, at_least: bool = False) -> WorkerError:
    """DISK_FULL naming the folder, the space the write needed and what is free (measured now, after clean-up).

    ``at_least``: ``needed_bytes`` is only what was written before the failure (the final size is not known).
    """
    try:
        free = free_bytes(directory)
    except OSError:
        free = -1
    short = max(needed_bytes - max(free, 0), 0)
    return WorkerError(
        "DISK_FULL",
        f"the disk is full: {what} needs {'more than' if at_least else 'about'} {_mib(needed_bytes)} "
        f"in {directory}, which has "
        f"{_mib(free) if free >= 0 else 'an unknown amount'} free; nothing partial was left behind: "
        f"free at least {_mib(short + _ALMOST_NOTHING)} there (or choose another folder), then resume",
        {"directory": directory, "neededBytes": needed_bytes, "freeBytes": free},
    )


def _mib(n: int) -> str:
    return f"{n / 2**20:.1f} MiB"
