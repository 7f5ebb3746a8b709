"""Bulk data over a real worker process: content-addressed uploads on both lanes, the dataset cache across worker
restarts, streamed datasets that train exactly like resident ones, and a worker whose Python lacks pyzmq."""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
from typing import Iterator, Optional

import grpc
import numpy as np
import pytest
from plan_builders import make_images, make_labels, mixmask_plan, run_request, shuffled
from spawned_worker import Worker, worker_command

from mixmask_worker.data.cache import content_hash
from mixmask_worker.generated.mixmask.v1 import worker_pb2
from mixmask_worker.service.protocol import ERROR_CODE_TRAILER

zmq = pytest.importorskip("zmq")

CHUNK = 4096


@pytest.fixture(scope="module")
def folders() -> Iterator[tuple[str, str]]:
    sockets = tempfile.mkdtemp(prefix="mmb-")  # short: Unix socket paths are limited to ~104 bytes
    cache = tempfile.mkdtemp(prefix="mixmask-dataset-cache-")
    yield sockets, cache
    shutil.rmtree(sockets, ignore_errors=True)
    shutil.rmtree(cache, ignore_errors=True)


def spawn(socket_dir: str, name: str, cache: Optional[str], python_path: Optional[list[str]] = None) -> Worker:
    # Each worker in its own folder: the zeromq lane binds its endpoints next to the gRPC socket.
    folder = os.path.join(socket_dir, name)
    os.makedirs(folder, mode=0o700, exist_ok=True)  # the worker refuses a socket folder others can reach
    extra = ["--device", "cpu", "--threads", "1"] + (["--dataset-cache", cache] if cache else [])
    return Worker(worker_command(), os.path.join(folder, "w.sock"), extra, python_path=python_path)


@pytest.fixture(scope="module")
def worker(folders: tuple[str, str]) -> Iterator[Worker]:
    spawned = spawn(folders[0], "main", folders[1])
    yield spawned
    spawned.stop()


def header(dataset_id: str, images: np.ndarray, labels: Optional[np.ndarray]) -> worker_pb2.DatasetHeader:
    n, h, w, c = images.shape
    return worker_pb2.DatasetHeader(
        dataset_id=dataset_id,
        count=n,
        height=h,
        width=w,
        channels=c,
        labels=[] if labels is None else labels.tolist(),
        total_bytes=images.nbytes,
    )


def begin(
    worker: Worker, dataset_id: str, images: np.ndarray, labels: Optional[np.ndarray], lane: int, sha: str = ""
) -> worker_pb2.BeginUploadReply:
    request = worker_pb2.BeginUploadRequest(
        header=header(dataset_id, images, labels), content_sha256=sha or content_hash(images, labels), lane=lane
    )
    return worker.unary("BeginUpload", request, worker_pb2.BeginUploadReply)


def send_grpc(worker: Worker, upload_id: str, images: np.ndarray) -> worker_pb2.DatasetInfo:
    data = images.tobytes()
    parts = [
        worker_pb2.UploadPart(upload_id=upload_id if i == 0 else "", pixels=data[i : i + CHUNK])
        for i in range(0, len(data), CHUNK)
    ]
    return worker.stream_unary("UploadParts", iter(parts), worker_pb2.DatasetInfo)


def send_zmq(worker: Worker, reply: worker_pb2.BeginUploadReply, images: np.ndarray) -> worker_pb2.DatasetInfo:
    push = zmq.Context.instance().socket(zmq.PUSH)
    try:
        push.connect(reply.zmq_endpoint)
        data = images.tobytes()
        for i in range(0, len(data), CHUNK):
            push.send(data[i : i + CHUNK])
        return worker.unary(
            "FinishUpload", worker_pb2.FinishUploadRequest(upload_id=reply.upload_id), worker_pb2.DatasetInfo
        )
    finally:
        push.close(linger=1000)


def upload(
    worker: Worker, dataset_id: str, images: np.ndarray, labels: Optional[np.ndarray], lane: int
) -> tuple[worker_pb2.BeginUploadReply, Optional[worker_pb2.DatasetInfo]]:
    reply = begin(worker, dataset_id, images, labels, lane)
    if reply.cached:
        return reply, None
    sent = (
        send_zmq(worker, reply, images) if lane == worker_pb2.LANE_ZMQ else send_grpc(worker, reply.upload_id, images)
    )
    return reply, sent


def error_of(caught: pytest.ExceptionInfo[grpc.RpcError]) -> tuple[str, str]:
    trailer = dict(caught.value.trailing_metadata() or ()).get(ERROR_CODE_TRAILER, "")  # type: ignore[attr-defined]
    return trailer, caught.value.details()  # type: ignore[attr-defined]


def test_hello_announces_the_zeromq_lane(worker: Worker) -> None:
    assert "zmq" in worker.hello().capabilities


@pytest.mark.parametrize("lane", [worker_pb2.LANE_GRPC, worker_pb2.LANE_ZMQ], ids=["grpc", "zmq"])
def test_an_upload_on_either_lane_becomes_resident_and_a_second_is_not_sent(worker: Worker, lane: int) -> None:
    images, labels = make_images(12, size=16, seed=lane), make_labels(12)
    reply, info = upload(worker, f"lane-{lane}", images, labels, lane)
    assert not reply.cached and reply.upload_id and (reply.zmq_endpoint != "") == (lane == worker_pb2.LANE_ZMQ)
    assert info is not None and (info.dataset_id, info.count, info.placement) == (f"lane-{lane}", 12, "cpu")
    again = begin(worker, f"lane-{lane}", images, labels, lane)
    assert again.cached and again.cache_source == "resident" and again.dataset.count == 12


def test_bytes_that_do_not_match_the_hash_are_refused_and_not_kept(worker: Worker) -> None:
    images, labels = make_images(4, size=8, seed=11), make_labels(4)
    other = content_hash(make_images(4, size=8, seed=12), labels)
    reply = begin(worker, "mismatch", images, labels, worker_pb2.LANE_GRPC, sha=other)
    with pytest.raises(grpc.RpcError) as caught:
        send_grpc(worker, reply.upload_id, images)
    code, details = error_of(caught)
    assert code == "INVALID_ARGUMENT" and "content_sha256" in details
    with pytest.raises(grpc.RpcError) as missing:
        worker.unary("Knn", worker_pb2.KnnRequest(run_id="none"), worker_pb2.KnnReply)
    assert error_of(missing)[0] == "RUN_NOT_FOUND"
    # A fresh upload under the same id with the right hash is not confused by the refused one.
    assert not begin(worker, "mismatch", images, labels, worker_pb2.LANE_GRPC).cached


def test_begin_upload_names_bad_fields(worker: Worker) -> None:
    images = make_images(2, size=4)
    with pytest.raises(grpc.RpcError) as caught:
        worker.unary(
            "BeginUpload",
            worker_pb2.BeginUploadRequest(
                header=header("x", images, None), content_sha256="abc", lane=worker_pb2.LANE_GRPC
            ),
            worker_pb2.BeginUploadReply,
        )
    assert "upload.content_sha256" in error_of(caught)[1]
    with pytest.raises(grpc.RpcError) as caught:
        begin(worker, "x", images, None, lane=0)
    assert "upload.lane" in error_of(caught)[1]


def test_a_restarted_worker_reloads_the_dataset_from_its_cache(folders: tuple[str, str]) -> None:
    images, labels = make_images(10, size=16, seed=21), make_labels(10)
    first = spawn(folders[0], "first", folders[1])
    try:
        reply, info = upload(first, "restart", images, labels, worker_pb2.LANE_GRPC)
        assert not reply.cached and info is not None
        first.unary("Shutdown", worker_pb2.ShutdownRequest(), worker_pb2.ShutdownReply)
        assert first.process.wait(30) == 0  # a graceful stop waits for the cache write
    finally:
        first.stop()
    second = spawn(folders[0], "second", folders[1])
    try:
        again = begin(second, "restart", images, labels, worker_pb2.LANE_ZMQ)
        assert again.cached and again.cache_source == "disk" and again.dataset.count == 10
        # The reloaded dataset is usable: a run trains on it.
        second.unary("CreateRun", run_request(dataset_id="restart"), worker_pb2.CreateRunReply)
        results = list(second.train(iter([mixmask_plan(0, list(range(8)), key_shuffle=shuffled(8, 0))])))
        assert [r.step for r in results] == [0] and np.isfinite(results[0].loss)
    finally:
        second.stop()


def push_batches_grpc(worker: Worker, stream_id: str, batches: list[worker_pb2.StreamBatch]) -> None:
    messages = [
        worker_pb2.StreamBatch(stream_id=stream_id if i == 0 else "", step=b.step, indices=b.indices, pixels=b.pixels)
        for i, b in enumerate(batches)
    ]
    reply = worker.stream_unary("PushBatches", iter(messages), worker_pb2.PushBatchesReply)
    assert reply.batches == len(batches)


def push_batches_zmq(endpoint: str, batches: list[worker_pb2.StreamBatch]) -> None:
    push = zmq.Context.instance().socket(zmq.PUSH)
    try:
        push.connect(endpoint)
        for b in batches:
            push.send_multipart([worker_pb2.StreamBatch(step=b.step, indices=b.indices).SerializeToString(), b.pixels])
    finally:
        # The worker reads a batch only when a step frees its buffer, so queued batches may wait as long as the steps
        # take; a short linger would drop them on a slow machine (seen once under load: step 4's batch never came).
        push.close(linger=60_000)


@pytest.mark.parametrize("lane", [worker_pb2.LANE_GRPC, worker_pb2.LANE_ZMQ], ids=["grpc", "zmq"])
def test_a_streamed_dataset_trains_exactly_like_the_resident_one_within_its_buffer(worker: Worker, lane: int) -> None:
    images, labels = make_images(32, size=16, seed=31), make_labels(32)
    upload(worker, "resident", images, labels, worker_pb2.LANE_GRPC)
    stream_id = f"streamed-{lane}"
    opened = worker.unary(
        "OpenStream",
        worker_pb2.OpenStreamRequest(
            stream_id=stream_id,
            count=32,
            height=16,
            width=16,
            channels=3,
            capacity_batches=2,
            batch_timeout_ms=60_000,
            lane=lane,
        ),
        worker_pb2.OpenStreamReply,
    )
    plans = [mixmask_plan(step, shuffled(32, step)[:8], key_shuffle=shuffled(8, step)) for step in range(5)]
    batches = [
        worker_pb2.StreamBatch(step=p.step, indices=p.indices, pixels=images[list(p.indices)].tobytes()) for p in plans
    ]
    # All five batches are pushed at once; the buffer of 2 makes the pusher wait for the steps to consume them.
    pusher = threading.Thread(
        daemon=True,
        target=push_batches_zmq if lane == worker_pb2.LANE_ZMQ else push_batches_grpc,
        args=(opened.zmq_endpoint, batches) if lane == worker_pb2.LANE_ZMQ else (worker, stream_id, batches),
    )
    pusher.start()
    losses = {}
    for run_id, dataset_id in ((f"run-s{lane}", stream_id), (f"run-r{lane}", "resident")):
        worker.unary("CreateRun", run_request(run_id=run_id, dataset_id=dataset_id), worker_pb2.CreateRunReply)
        losses[dataset_id] = [r.loss for r in worker.train(iter(plans), run_id=run_id)]
    pusher.join(60)
    assert not pusher.is_alive()
    assert losses[stream_id] == losses["resident"]  # same plans, same pixels: the same computation
    stats = worker.unary("CloseStream", worker_pb2.CloseStreamRequest(stream_id=stream_id), worker_pb2.StreamStats)
    assert stats.batches_received == stats.batches_consumed == 5
    assert 1 <= stats.peak_buffered_batches <= 2 == stats.capacity_batches
    assert stats.peak_buffered_bytes <= 2 * 8 * 16 * 16 * 3


def test_knn_on_a_streamed_dataset_says_it_needs_resident_images(worker: Worker) -> None:
    worker.unary(
        "OpenStream",
        worker_pb2.OpenStreamRequest(
            stream_id="s-knn", count=4, height=16, width=16, channels=3, capacity_batches=1, lane=worker_pb2.LANE_GRPC
        ),
        worker_pb2.OpenStreamReply,
    )
    upload(worker, "resident", make_images(32, size=16, seed=31), make_labels(32), worker_pb2.LANE_GRPC)
    worker.unary("CreateRun", run_request(run_id="run-knn", dataset_id="resident"), worker_pb2.CreateRunReply)
    with pytest.raises(grpc.RpcError) as caught:
        worker.unary(
            "Knn",
            worker_pb2.KnnRequest(
                run_id="run-knn",
                train_dataset_id="s-knn",
                test_dataset_id="resident",
                k=2,
                temperature=0.1,
                batch_size=4,
            ),
            worker_pb2.KnnReply,
        )
    code, details = error_of(caught)
    assert code == "DATASET_NOT_FOUND" and "streamed" in details and "resident" in details
    worker.unary("CloseStream", worker_pb2.CloseStreamRequest(stream_id="s-knn"), worker_pb2.StreamStats)


def test_a_worker_without_pyzmq_serves_the_grpc_lane_only(folders: tuple[str, str]) -> None:
    # A folder earlier on PYTHONPATH whose zmq package fails to import: the GPU machines' Python has no pyzmq.
    blocker = tempfile.mkdtemp(prefix="no-pyzmq-")
    os.makedirs(os.path.join(blocker, "zmq"))
    with open(os.path.join(blocker, "zmq", "__init__.py"), "w", encoding="utf-8") as init:
        init.write('raise ImportError("pyzmq is blocked by the test")\n')
    spawned = spawn(folders[0], "nozmq", None, python_path=[blocker])
    try:
        assert "zmq" not in spawned.hello().capabilities
        images, labels = make_images(6, size=8, seed=41), make_labels(6)
        with pytest.raises(grpc.RpcError) as caught:
            begin(spawned, "nozmq", images, labels, worker_pb2.LANE_ZMQ)
        code, details = error_of(caught)
        assert code == "INVALID_ARGUMENT" and "pyzmq" in details and "LANE_GRPC" in details
        reply, info = upload(spawned, "nozmq", images, labels, worker_pb2.LANE_GRPC)
        assert info is not None and info.count == 6
    finally:
        spawned.stop()
        shutil.rmtree(blocker, ignore_errors=True)
