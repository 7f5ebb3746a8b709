"""One dataset upload in progress: the pixels arriving over either lane, hashed while they arrive.

The client names the content by its sha256 (dataset_cache.content_hash). Pixels are copied into one preallocated
buffer at the next offset; a hasher thread follows behind the writer, so checking the hash overlaps the transfer
instead of adding a second pass over the bytes at the end (hashlib releases the GIL on large updates). ``finish``
waits until every byte is in and hashed, then compares the digest: a mismatch is refused, never stored or cached.
"""

from __future__ import annotations

import hashlib
import threading
import time
from typing import Optional

import numpy as np

from mixmask_worker.data.cache import content_hash_prefix, labels_bytes
from mixmask_worker.generated.mixmask.v1 import worker_pb2
from mixmask_worker.service.protocol import WorkerError, invalid_argument

# The hasher takes at most this many bytes per update, so it keeps up with the writer in small steps.
_HASH_STEP = 4 << 20


class UploadSession:
    """Receives ``header.total_bytes`` pixel bytes in order; ``finish`` returns them as [N, H, W, C] uint8."""

    def __init__(self, upload_id: str, header: worker_pb2.DatasetHeader, content_sha256: str, size: int) -> None:
        self.upload_id = upload_id
        self.header = header
        self.content_sha256 = content_sha256
        self.labels: Optional[np.ndarray] = np.asarray(header.labels, dtype=np.int64) if len(header.labels) else None
        self.pixels = np.empty(size, dtype=np.uint8)
        self.received = 0
        self.last_progress = time.monotonic()
        self._hashed = 0
        self._digest = hashlib.sha256(content_hash_prefix(header.count, header.height, header.width, header.channels))
        self._cond = threading.Condition()
        self._failure: Optional[WorkerError] = None
        self._cancelled = False
        self._hasher = threading.Thread(target=self._hash_behind, name=f"mixmask-hash-{upload_id}", daemon=True)
        self._hasher.start()

    @property
    def size(self) -> int:
        return int(self.pixels.shape[0])

    def write(self, data: "bytes | memoryview") -> None:
        """Appends the next slice of pixels (called by one lane thread at a time, in order)."""
        n = len(data)
        with self._cond:
            if self._failure is not None:
                raise self._failure
            if self.received + n > self.size:
                self._failure = invalid_argument(
                    f"upload {self.header.dataset_id!r} pixels",
                    f"total_bytes = {self.size} bytes as the header said",
                    f"at least {self.received + n} bytes",
                )
                self._cond.notify_all()
                raise self._failure
            start = self.received
        # Copy outside the lock: only this thread writes, and the hasher reads below `received` only.
        self.pixels[start : start + n] = np.frombuffer(data, dtype=np.uint8)
        with self._cond:
            self.received = start + n
            self.last_progress = time.monotonic()
            self._cond.notify_all()

    def fail(self, error: WorkerError) -> None:
        with self._cond:
            if self._failure is None:
                self._failure = error
            self._cond.notify_all()

    def cancel(self, why: str) -> None:
        """Ends the session (a newer upload replaced it, or the worker stops): writers and ``finish`` fail."""
        self.fail(WorkerError("INVALID_ARGUMENT", f"upload {self.header.dataset_id!r} was cancelled: {why}"))

    def finish(self, stall_timeout_s: float, deadline_s: Optional[float] = None) -> np.ndarray:
        """Blocks until all bytes are in and hashed; returns the images after checking the hash.

        Fails when no byte arrived for ``stall_timeout_s`` (a client that died mid-upload), or at ``deadline_s``
        (monotonic time) when given.
        """
        with self._cond:
            while self._failure is None and not (self.received == self.size and self._hashed == self.size):
                now = time.monotonic()
                stalled = now - self.last_progress
                if self.received < self.size and stalled > stall_timeout_s:
                    self._failure = invalid_argument(
                        f"upload {self.header.dataset_id!r} pixels",
                        f"{self.size} bytes",
                        f"{self.received} bytes, then nothing for {stall_timeout_s:g} s (the sender stopped)",
                    )
                    break
                if deadline_s is not None and now > deadline_s:
                    self._failure = WorkerError(
                        "INVALID_ARGUMENT",
                        f"upload {self.header.dataset_id!r}: {self.received} of {self.size} bytes arrived before "
                        "the deadline: raise the upload deadline for datasets this large",
                    )
                    break
                self._cond.wait(0.5)
            self._cancelled = True
            self._cond.notify_all()
            if self._failure is not None:
                raise self._failure
        if self.labels is not None:
            self._digest.update(labels_bytes(self.labels))
        digest = self._digest.hexdigest()
        if digest != self.content_sha256:
            raise invalid_argument(
                f"upload {self.header.dataset_id!r} content_sha256",
                f"the sha256 of the bytes that arrived ({digest})",
                f"{self.content_sha256} (the client hashed other bytes, or bytes were lost or reordered)",
            )
        h = self.header
        return self.pixels.reshape(h.count, h.height, h.width, h.channels)

    def _hash_behind(self) -> None:
        while True:
            with self._cond:
                while self._hashed >= self.received and not self._cancelled and self._failure is None:
                    self._cond.wait()
                if self._failure is not None or self._hashed >= self.received:
                    return  # failed, or finished with nothing left to hash
                start, end = self._hashed, min(self.received, self._hashed + _HASH_STEP)
            self._digest.update(memoryview(self.pixels[start:end]))  # type: ignore[arg-type]  # numpy stubs
            with self._cond:
                self._hashed = end
                self._cond.notify_all()
