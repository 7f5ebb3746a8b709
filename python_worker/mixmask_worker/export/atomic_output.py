"""Writing an export file so that a crash or a full disk never leaves a torn file under the final name."""

from __future__ import annotations

import contextlib
import errno
import os
from typing import Iterator

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
        with contextlib.suppress(OSError):
            os.unlink(tmp_path)
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
