"""Checkpoint files: atomic write with a content hash, and verified load.

A checkpoint is written to ``path + ".tmp"``, flushed and fsynced, renamed over ``path`` and the directory fsynced,
so a crash leaves either the old file or the new one, never a torn one; a failed write (a full disk) removes the
temporary file and raises CHECKPOINT_WRITE_FAILED. Its SHA-256 is returned so the client can
record it and have it verified on load. A file that is missing, truncated, altered or of another format raises
WorkerError(CHECKPOINT_INVALID) instead of loading something half-right.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import inspect
import io
import os
from dataclasses import dataclass
from typing import Any

import torch

from mixmask_worker.service.protocol import WorkerError

CHECKPOINT_FORMAT = "mixmask-worker-checkpoint"
CHECKPOINT_VERSION = 1
_HASH_BLOCK = 1 << 22


@dataclass(frozen=True)
class WrittenCheckpoint:
    path: str
    bytes: int
    sha256: str


@dataclass(frozen=True)
class LoadedCheckpoint:
    path: str
    bytes: int
    sha256: str
    state: dict[str, Any]


def write_checkpoint(path: str, state: dict[str, Any]) -> WrittenCheckpoint:
    """Atomically writes ``state`` (tensors, dicts, numbers, strings, bytes) to ``path``; returns size and hash."""
    if not path:
        raise WorkerError("INVALID_ARGUMENT", "checkpoint path: expected a file path, received an empty string")
    directory = os.path.dirname(os.path.abspath(path))
    tmp_path = path + ".tmp"
    payload = {"format": CHECKPOINT_FORMAT, "version": CHECKPOINT_VERSION, **state}
    try:
        os.makedirs(directory, exist_ok=True)
        with open(tmp_path, "wb") as file:
            torch.save(payload, file)
            file.flush()
            os.fsync(file.fileno())
        os.replace(tmp_path, path)
        _fsync_directory(directory)
    except OSError as error:
        # A full disk must not also leave a half-written temporary file behind, holding the space it ran out of.
        with contextlib.suppress(OSError):
            os.unlink(tmp_path)
        reason = "the disk is full" if error.errno in (errno.ENOSPC, errno.EDQUOT) else (error.strerror or str(error))
        raise WorkerError(
            "CHECKPOINT_WRITE_FAILED",
            f"cannot write checkpoint {path!r}: {reason} ({errno.errorcode.get(error.errno or 0, 'OSError')}); "
            "the previous checkpoint is untouched: free disk space or choose a writable run directory, then resume",
            {"path": path, "errno": errno.errorcode.get(error.errno or 0, "")},
        ) from error
    digest, size = _hash_file(path)
    return WrittenCheckpoint(path=path, bytes=size, sha256=digest)


def read_checkpoint(path: str, expected_sha256: str, map_location: torch.device) -> LoadedCheckpoint:
    """Reads and verifies a checkpoint written by ``write_checkpoint``.

    ``expected_sha256`` (hex, any case) is checked before unpickling when non-empty.
    """
    try:
        with open(path, "rb") as file:
            data = file.read()
    except FileNotFoundError as error:
        raise WorkerError(
            "CHECKPOINT_INVALID", f"checkpoint {path!r} does not exist: check the path, or save one first"
        ) from error
    except OSError as error:
        raise WorkerError(
            "CHECKPOINT_INVALID", f"cannot read checkpoint {path!r}: {error.strerror or error}"
        ) from error
    actual = hashlib.sha256(data).hexdigest()
    expected = expected_sha256.strip().lower()
    if expected and expected != actual:
        raise WorkerError(
            "CHECKPOINT_INVALID",
            f"checkpoint {path!r} is corrupt or was replaced: sha256 expected {expected}, actual {actual} "
            f"({len(data)} bytes): restore the file or resume from another checkpoint",
        )
    try:
        state = _torch_load(io.BytesIO(data), map_location)
    except Exception as error:  # torch raises many types for a damaged archive
        raise WorkerError(
            "CHECKPOINT_INVALID",
            f"checkpoint {path!r} cannot be read ({type(error).__name__}: {_first_line(error)}): "
            "the file is truncated, corrupt or not a mixmask worker checkpoint",
        ) from error
    if not isinstance(state, dict) or state.get("format") != CHECKPOINT_FORMAT:
        found = state.get("format") if isinstance(state, dict) else type(state).__name__
        raise WorkerError(
            "CHECKPOINT_INVALID",
            f"{path!r} is not a mixmask worker checkpoint: format expected {CHECKPOINT_FORMAT!r}, received {found!r}",
        )
    if state.get("version") != CHECKPOINT_VERSION:
        raise WorkerError(
            "CHECKPOINT_INVALID",
            f"checkpoint {path!r} has format version {state.get('version')!r}, this worker reads version "
            f"{CHECKPOINT_VERSION}: load it with the worker version that wrote it",
        )
    return LoadedCheckpoint(path=path, bytes=len(data), sha256=actual, state=state)


def _torch_load(buffer: io.BytesIO, map_location: torch.device) -> Any:
    if "weights_only" in inspect.signature(torch.load).parameters:
        return torch.load(buffer, map_location=map_location, weights_only=True)
    # torch < 1.13 has no weights_only; the file's hash was already checked when the client gave one.
    return torch.load(buffer, map_location=map_location)


def _first_line(error: BaseException) -> str:
    lines = str(error).splitlines()
    return lines[0] if lines else ""


def _hash_file(path: str) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    with open(path, "rb") as file:
        while True:
            block = file.read(_HASH_BLOCK)
            if not block:
                break
            digest.update(block)
            size += len(block)
    return digest.hexdigest(), size


def _fsync_directory(directory: str) -> None:
    """Makes the rename durable; not every platform can open a directory, which is harmless there."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
