"""A streamed dataset: batches pushed by the client ahead of the steps that use them, in a bounded buffer.

For datasets larger than the worker's memory the client does not upload the images; it decodes the batch of every
step itself and pushes its uint8 pixels here, keyed by step, a few steps ahead of the plans. A Train step whose
dataset is streamed takes its batch from this buffer instead of gathering it from a resident tensor.

Memory stays flat: the buffer holds at most ``capacity`` batches. A push into a full buffer blocks (the gRPC lane
then stops reading, so HTTP/2 flow control holds the client back; the zeromq lane stops receiving, so the socket's
high-water mark does). The client also keeps at most ``capacity`` batches unconsumed, so in practice pushes rarely
wait; the block here is the guarantee, not the mechanism. The peak number of batches and bytes the buffer held is
recorded, so tests can assert the bound.

Thread use: pushes come from a lane's thread, takes from the compute thread; a condition variable joins them.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Optional

import numpy as np
import torch

from mixmask_worker.service.protocol import WorkerError, invalid_argument

DEFAULT_BATCH_TIMEOUT_S = 600.0


@dataclass(frozen=True)
class StreamShape:
    count: int  # N images of the whole dataset (indices are checked against it)
    height: int
    width: int
    channels: int

    @property
    def image_bytes(self) -> int:
        return self.height * self.width * self.channels


@dataclass(frozen=True)
class StreamStatsSnapshot:
    batches_received: int
    batches_consumed: int
    peak_buffered_batches: int
    peak_buffered_bytes: int
    capacity_batches: int


class StreamedDataset:
    """Bounded buffer of step -> (indices [N] int64, pixels [N, H, W, C] uint8)."""

    def __init__(self, stream_id: str, shape: StreamShape, capacity: int, batch_timeout_s: float) -> None:
        if capacity < 1:
            raise invalid_argument("stream.capacity_batches", "a buffer of at least 1 batch", capacity)
        self.stream_id = stream_id
        self.shape = shape
        self.capacity = capacity
        self.batch_timeout_s = batch_timeout_s
        self._batches: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        self._buffered_bytes = 0
        self._cond = threading.Condition()
        self._closed = False
        self._failure: Optional[WorkerError] = None
        self._consumed_through = -1  # highest step taken: a later push of an earlier step is stale
        self.batches_received = 0
        self.batches_consumed = 0
        self.peak_buffered_batches = 0
        self.peak_buffered_bytes = 0

    @property
    def count(self) -> int:
        return self.shape.count

    @property
    def placement(self) -> str:
        return "streamed"

    # ------------------------------------------------------------------------------------------------------
    # Producer side (a lane)

    def check_batch(self, step: int, indices: np.ndarray, pixel_bytes: int) -> None:
        """Raises INVALID_ARGUMENT when a batch cannot be one of this stream's (before it takes buffer room)."""
        path = f"stream {self.stream_id!r} step {step}"
        n = int(indices.shape[0])
        if n < 1:
            raise invalid_argument(f"{path} indices", "at least one index", "none")
        if int(indices.max()) >= self.shape.count:
            bad = int(np.nonzero(indices >= self.shape.count)[0][0])
            raise invalid_argument(
                f"{path} indices[{bad}]", f"an index < {self.shape.count} (images in the stream)", int(indices[bad])
            )
        expected = n * self.shape.image_bytes
        if pixel_bytes != expected:
            s = self.shape
            raise invalid_argument(
                f"{path} pixels", f"{n}*{s.height}*{s.width}*{s.channels} = {expected} bytes", f"{pixel_bytes} bytes"
            )

    def put(self, step: int, indices: np.ndarray, pixels: np.ndarray) -> None:
        """Adds the batch of ``step``; blocks while the buffer is full. ``pixels`` is flat uint8."""
        self.check_batch(step, indices, int(pixels.nbytes))
        if not pixels.flags.writeable:
            # Lanes hand over read-only views of their messages; torch must not alias read-only memory (augmentation
            # on CPU would work on it directly). Copying here, on the lane's thread, keeps it off the compute thread.
            pixels = pixels.copy()
        images = pixels.reshape(int(indices.shape[0]), self.shape.height, self.shape.width, self.shape.channels)
        with self._cond:
            while len(self._batches) >= self.capacity and not self._closed and self._failure is None:
                self._cond.wait()
            self._raise_if_done()
            if step <= self._consumed_through or step in self._batches:
                raise invalid_argument(
                    f"stream {self.stream_id!r} step {step}",
                    f"each step pushed once, ahead of its plan (steps up to {self._consumed_through} already ran)",
                    "a repeated or stale step",
                )
            self._batches[step] = (indices, images)
            self._buffered_bytes += int(images.nbytes)
            self.batches_received += 1
            self.peak_buffered_batches = max(self.peak_buffered_batches, len(self._batches))
            self.peak_buffered_bytes = max(self.peak_buffered_bytes, self._buffered_bytes)
            self._cond.notify_all()

    def fail(self, error: WorkerError) -> None:
        """A lane could not deliver (malformed frame): the next take reports it instead of waiting it out."""
        with self._cond:
            if self._failure is None:
                self._failure = error
            self._cond.notify_all()

    # ------------------------------------------------------------------------------------------------------
    # Consumer side (the compute thread, inside a Train step)

    def take(self, step: int, indices: np.ndarray, device: torch.device) -> torch.Tensor:
        """The batch of ``step`` as [N, H, W, C] uint8 on ``device``; waits for it up to the batch timeout."""
        deadline = time.monotonic() + self.batch_timeout_s
        with self._cond:
            while step not in self._batches:
                self._raise_if_done()
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    buffered = sorted(self._batches)
                    raise WorkerError(
                        "DATASET_NOT_FOUND",
                        f"streamed dataset {self.stream_id!r}: the batch of step {step} did not arrive within "
                        f"{self.batch_timeout_s:g} s (buffered steps: {buffered or 'none'}): the client must push "
                        "each step's batch before or with its plan; check that its batch feeder is running",
                    )
                self._cond.wait(remaining)
            batch_indices, images = self._batches.pop(step)
            self._buffered_bytes -= int(images.nbytes)
            self._consumed_through = max(self._consumed_through, step)
            self.batches_consumed += 1
            self._cond.notify_all()
        if not np.array_equal(batch_indices, indices):
            raise invalid_argument(
                f"stream {self.stream_id!r} step {step} indices",
                "the indices of that step's plan (the client pushed another batch under this step)",
                f"{batch_indices[:8].tolist()}... instead of {indices[:8].tolist()}...",
            )
        host = torch.from_numpy(images)
        if device.type == "cuda":
            return host.pin_memory().to(device, non_blocking=True)
        return host.to(device)

    # ------------------------------------------------------------------------------------------------------

    def close(self) -> StreamStatsSnapshot:
        """Drops buffered batches and wakes every waiter (a waiting step fails with DATASET_NOT_FOUND)."""
        with self._cond:
            self._closed = True
            self._batches.clear()
            self._buffered_bytes = 0
            self._cond.notify_all()
        return self.stats()

    def stats(self) -> StreamStatsSnapshot:
        with self._cond:
            return StreamStatsSnapshot(
                batches_received=self.batches_received,
                batches_consumed=self.batches_consumed,
                peak_buffered_batches=self.peak_buffered_batches,
                peak_buffered_bytes=self.peak_buffered_bytes,
                capacity_batches=self.capacity,
            )

    def _raise_if_done(self) -> None:
        if self._failure is not None:
            raise self._failure
        if self._closed:
            raise WorkerError(
                "DATASET_NOT_FOUND",
                f"streamed dataset {self.stream_id!r} was closed: open a new stream (OpenStream) to train on it",
            )
