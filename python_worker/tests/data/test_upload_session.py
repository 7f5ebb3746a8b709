"""An upload in progress: bytes in order, hashed while they arrive, refused when the hash or the size is wrong."""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest
from plan_builders import make_images, make_labels

from mixmask_worker.data.cache import content_hash
from mixmask_worker.data.upload import UploadSession
from mixmask_worker.generated.mixmask.v1 import worker_pb2
from mixmask_worker.service.protocol import WorkerError


def session_for(images: np.ndarray, labels: np.ndarray, sha: str = "") -> UploadSession:
    n, h, w, c = images.shape
    header = worker_pb2.DatasetHeader(
        dataset_id="d", count=n, height=h, width=w, channels=c, labels=labels.tolist(), total_bytes=images.nbytes
    )
    return UploadSession("u1", header, sha or content_hash(images, labels), images.nbytes)


def test_chunks_in_order_become_the_images_when_the_hash_matches() -> None:
    images, labels = make_images(6, size=16), make_labels(6)
    session = session_for(images, labels)
    flat = images.tobytes()
    for start in range(0, len(flat), 1000):
        session.write(flat[start : start + 1000])
    assert np.array_equal(session.finish(stall_timeout_s=5), images)


def test_finish_waits_for_bytes_still_on_the_way() -> None:
    images, labels = make_images(4, size=16), make_labels(4)
    session = session_for(images, labels)
    flat = images.tobytes()
    session.write(flat[:100])
    threading.Timer(0.2, lambda: session.write(flat[100:])).start()
    assert np.array_equal(session.finish(stall_timeout_s=5), images)


def test_a_hash_of_other_bytes_is_refused() -> None:
    images, labels = make_images(4, size=8), make_labels(4)
    session = session_for(images, labels, sha=content_hash(images[::-1].copy(), labels))
    session.write(images.tobytes())
    with pytest.raises(WorkerError) as caught:
        session.finish(stall_timeout_s=5)
    assert caught.value.code == "INVALID_ARGUMENT" and "content_sha256" in caught.value.message


def test_more_bytes_than_the_header_said_are_refused() -> None:
    images, labels = make_images(2, size=4), make_labels(2)
    session = session_for(images, labels)
    with pytest.raises(WorkerError) as caught:
        session.write(images.tobytes() + b"x")
    assert f"total_bytes = {images.nbytes} bytes" in caught.value.message


def test_a_sender_that_stops_is_reported_after_the_stall_timeout() -> None:
    images, labels = make_images(2, size=4), make_labels(2)
    session = session_for(images, labels)
    session.write(images.tobytes()[:10])
    started = time.monotonic()
    with pytest.raises(WorkerError) as caught:
        session.finish(stall_timeout_s=0.3)
    assert time.monotonic() - started < 5 and "10 bytes, then nothing" in caught.value.message


def test_a_cancelled_session_refuses_more_bytes() -> None:
    images, labels = make_images(2, size=4), make_labels(2)
    session = session_for(images, labels)
    session.cancel("replaced")
    with pytest.raises(WorkerError):
        session.write(images.tobytes())
