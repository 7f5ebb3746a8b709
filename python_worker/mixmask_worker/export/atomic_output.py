"""Writing an export file so that a crash or a full disk never leaves a torn file under the final name."""

from __future__ import annotations

import contextlib
import errno
import os
from typing import Iterator

from mixmask_worker.service.disk_full import disk_full_error, is_disk_full
from mixmask_worker.service.protocol import WorkerError


@contextlib.contextmanager
def atomic_output(path: str) -> Iterator[str]:
    """Yields a temporary path beside ``path`` to write; on success it is fsynced and renamed over ``path``.

    Writers that insist on a file name (torch.jit.save, torch.onnx.export) write the temporary path directly.
    Any failure removes the temporary file; an OSError becomes EXPORT_FAILED naming the file and the reason.
    """
    tmp_path = path + ".tmp"
    try:
        yield tmp_path
        with open(tmp_path, "rb") as file:
            os.fsync(file.fileno())
        os.replace(tmp_path, path)
    except BaseException as error:
        # torch.jit.save and torch.onnx.export report a full disk as RuntimeError: judged with the partial file there.
        directory = os.path.dirname(os.path.abspath(path))
        full = isinstance(error, (OSError, RuntimeError)) and is_disk_full(error, directory)
        written = os.path.getsize(tmp_path) if full and os.path.exists(tmp_path) else 0
        with contextlib.suppress(OSError):
            os.unlink(tmp_path)
        if full:
            raise disk_full_error(os.path.basename(path), directory, written, at_least=True) from error
        if isinstance(error, OSError):
            full = error.errno in (errno.ENOSPC, errno.EDQUOT)
            reason = "the disk is full" if full else (error.strerror or str(error))
            raise WorkerError(
                "EXPORT_FAILED", f"cannot write {path!r}: {reason}: free disk space or choose another output folder"
            ) from error
        raise


def write_bytes_atomically(path: str, data: bytes) -> None:
    with atomic_output(path) as tmp_path, open(tmp_path, "wb") as file:
        file.write(data)
        file.flush()
