"""The bounded batch buffer of a streamed dataset: order, bound, backpressure, timeouts and bad batches."""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest
import torch

from mixmask_worker.data.stream import StreamedDataset, StreamShape
from mixmask_worker.service.protocol import WorkerError

SHAPE = StreamShape(count=100, height=4, width=4, channels=3)
CPU = torch.device("cpu")


def batch(step: int, n: int = 2) -> tuple[np.ndarray, np.ndarray]:
    indices = (np.arange(n, dtype=np.int64) + step) % SHAPE.count
    pixels = np.full(n * SHAPE.image_bytes, step % 256, dtype=np.uint8)
    return indices, pixels


def test_take_returns_the_pushed_pixels_of_that_step_in_plan_order() -> None:
    stream = StreamedDataset("s", SHAPE, capacity=4, batch_timeout_s=5)
    indices, pixels = batch(3)
    pixels[: SHAPE.image_bytes] = 7  # first image differs from the second
    stream.put(3, indices, pixels)
    images = stream.take(3, indices, CPU)
    assert images.shape == (2, 4, 4, 3) and images.dtype == torch.uint8
    assert int(images[0].max()) == 7 and int(images[1].min()) == 3


def test_put_blocks_while_the_buffer_is_full_and_the_peak_never_exceeds_capacity() -> None:
    stream = StreamedDataset("s", SHAPE, capacity=2, batch_timeout_s=5)
    for step in range(2):
        stream.put(step, *batch(step))
    third_in = threading.Event()

    def producer() -> None:
        stream.put(2, *batch(2))
        third_in.set()

    threading.Thread(target=producer, daemon=True).start()
    assert not third_in.wait(0.3), "a push into a full buffer must wait"
    stream.take(0, batch(0)[0], CPU)
    assert third_in.wait(5), "taking a batch must make room for the waiting push"
    stream.take(1, batch(1)[0], CPU)
    stream.take(2, batch(2)[0], CPU)
    stats = stream.stats()
    assert stats.peak_buffered_batches == 2 and stats.capacity_batches == 2
    assert stats.peak_buffered_bytes == 2 * 2 * SHAPE.image_bytes
    assert stats.batches_received == stats.batches_consumed == 3


def test_take_waits_for_a_batch_pushed_later() -> None:
    stream = StreamedDataset("s", SHAPE, capacity=2, batch_timeout_s=5)
    threading.Timer(0.2, lambda: stream.put(5, *batch(5))).start()
    started = time.monotonic()
    assert stream.take(5, batch(5)[0], CPU).shape[0] == 2
    assert time.monotonic() - started >= 0.15


def test_a_batch_that_never_arrives_times_out_naming_the_step() -> None:
    stream = StreamedDataset("s", SHAPE, capacity=2, batch_timeout_s=0.2)
    with pytest.raises(WorkerError) as caught:
        stream.take(9, batch(9)[0], CPU)
    assert caught.value.code == "DATASET_NOT_FOUND" and "step 9" in caught.value.message


def test_close_wakes_a_waiting_step() -> None:
    stream = StreamedDataset("s", SHAPE, capacity=2, batch_timeout_s=30)
    threading.Timer(0.2, stream.close).start()
    with pytest.raises(WorkerError) as caught:
        stream.take(0, batch(0)[0], CPU)
    assert "closed" in caught.value.message


def test_indices_other_than_the_plans_are_refused() -> None:
    stream = StreamedDataset("s", SHAPE, capacity=2, batch_timeout_s=5)
    stream.put(0, *batch(0))
    with pytest.raises(WorkerError) as caught:
        stream.take(0, np.array([50, 51], dtype=np.int64), CPU)
    assert caught.value.code == "INVALID_ARGUMENT" and "indices" in caught.value.message


@pytest.mark.parametrize(
    "indices,pixel_bytes,fragment",
    [
        (np.array([0, 100]), 2 * SHAPE.image_bytes, "indices[1]"),
        (np.array([0, 1]), 2 * SHAPE.image_bytes - 1, "2*4*4*3 = 96 bytes"),
        (np.array([], dtype=np.int64), 0, "at least one index"),
    ],
)
def test_malformed_batches_are_refused(indices: np.ndarray, pixel_bytes: int, fragment: str) -> None:
    stream = StreamedDataset("s", SHAPE, capacity=2, batch_timeout_s=5)
    with pytest.raises(WorkerError) as caught:
        stream.put(0, indices.astype(np.int64), np.zeros(pixel_bytes, dtype=np.uint8))
    assert caught.value.code == "INVALID_ARGUMENT" and fragment in caught.value.message


def test_a_stale_or_repeated_step_is_refused() -> None:
    stream = StreamedDataset("s", SHAPE, capacity=4, batch_timeout_s=5)
    stream.put(0, *batch(0))
    with pytest.raises(WorkerError):
        stream.put(0, *batch(0))
    stream.take(0, batch(0)[0], CPU)
    with pytest.raises(WorkerError):
        stream.put(0, *batch(0))


def test_a_lane_failure_is_reported_by_the_next_take() -> None:
    stream = StreamedDataset("s", SHAPE, capacity=2, batch_timeout_s=30)
    stream.fail(WorkerError("INVALID_ARGUMENT", "frame 3 was malformed"))
    with pytest.raises(WorkerError) as caught:
        stream.take(0, batch(0)[0], CPU)
    assert "frame 3 was malformed" in caught.value.message


def test_read_only_lane_buffers_become_writable_tensors_without_warnings() -> None:
    import warnings

    stream = StreamedDataset("s", SHAPE, capacity=2, batch_timeout_s=5)
    indices, pixels = batch(0)
    stream.put(0, indices, np.frombuffer(pixels.tobytes(), dtype=np.uint8))  # what a gRPC message's bytes give
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        images = stream.take(0, indices, CPU)
    images[0, 0, 0, 0] = 1  # writable: an in-place op cannot touch the lane's message
