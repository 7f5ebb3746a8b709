"""The real worker process (`python -m mixmask_worker`) over a real gRPC channel on a Unix socket."""

from __future__ import annotations

import json
import os
import queue
import shutil
import subprocess
import tempfile
import threading
import time
from typing import Iterator, Optional

import grpc
import numpy as np
import pytest
import torch
from plan_builders import make_images, make_labels, mixmask_plan, run_request, shuffled, upload_chunks
from spawned_worker import DEADLINE_S, WORKER_DIR, Worker
from spawned_worker import worker_command as _worker_command

from mixmask_worker.generated.mixmask.v1 import worker_pb2
from mixmask_worker.models.compiled import compile_toolchain_missing
from mixmask_worker.service.protocol import (
    ERROR_CODE_TRAILER,
    ERROR_CODES,
    ERROR_ISSUES_TRAILER,
    PROTOCOL_VERSION,
    SDK_ONLY_CODES_FROM,
    STATUS_FOR_CODE,
    WorkerError,
    as_worker_error,
)


@pytest.fixture(scope="module")
def socket_dir() -> Iterator[str]:
    directory = tempfile.mkdtemp(prefix="mmw-")  # short: Unix socket paths are limited to ~104 bytes
    yield directory
    shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture(scope="module")
def worker(socket_dir: str) -> Iterator[Worker]:
    spawned = Worker(
        _worker_command(),
        os.path.join(socket_dir, "w.sock"),
        ["--device", "cpu", "--threads", "1", "--parent-pid", str(os.getpid())],
    )
    try:
        info = spawned.upload(upload_chunks("train", make_images(16), make_labels(16)))
        assert (info.dataset_id, info.count, info.placement) == ("train", 16, "cpu")
        reply = spawned.unary("CreateRun", run_request(), worker_pb2.CreateRunReply)
        assert reply.run_id == "run-1" and reply.parameters > 0 and reply.feature_dim == 64
        yield spawned
    finally:
        spawned.stop()


def _error(error: grpc.RpcError) -> tuple[grpc.StatusCode, str, str]:
    trailer = dict(error.trailing_metadata() or ()).get(ERROR_CODE_TRAILER, "")  # type: ignore[attr-defined]
    return error.code(), trailer, error.details()  # type: ignore[attr-defined]


def test_hello_reports_versions_device_and_capabilities(worker: Worker) -> None:
    reply = worker.hello()
    assert reply.protocol_version == PROTOCOL_VERSION and reply.worker_version == "0.1.0"
    assert reply.torch_version == torch.__version__ and reply.python_version.count(".") == 2
    assert reply.device == "cpu" and reply.device_name and reply.torch_threads == 1
    assert reply.pid == worker.process.pid == worker.ready_pid()
    assert set(reply.capabilities) <= {"cuda", "bf16", "zmq", "channels_last", "compile"}
    # "compile" is announced exactly when inductor's toolchain is here (this machine and CI install g++, python3-dev).
    assert ("compile" in reply.capabilities) == (compile_toolchain_missing(torch.device("cpu")) is None)


@pytest.mark.parametrize("version,older", [(PROTOCOL_VERSION + 1, "python_worker"), (0, "mixmask npm package")])
def test_protocol_mismatch_is_failed_precondition(worker: Worker, version: int, older: str) -> None:
    with pytest.raises(grpc.RpcError) as caught:
        worker.hello(version)
    code, trailer, details = _error(caught.value)
    assert code == grpc.StatusCode.FAILED_PRECONDITION and trailer == "PROTOCOL_MISMATCH"
    assert f"client speaks protocol v{version}, this worker speaks v{PROTOCOL_VERSION}" in details
    assert f"update the {older}" in details


def _plans_on_demand() -> tuple[queue.Queue[Optional[worker_pb2.StepPlan]], Iterator[worker_pb2.StepPlan]]:
    """A request stream fed by the test: put plans into the queue, then None to end the stream."""
    plans: queue.Queue[Optional[worker_pb2.StepPlan]] = queue.Queue()

    def requests() -> Iterator[worker_pb2.StepPlan]:
        while (plan := plans.get()) is not None:
            yield plan

    return plans, requests()


def test_train_answers_each_plan_before_the_next_arrives(worker: Worker) -> None:
    # The client sends plan i+1 only after result i: a worker holding results for the next plan would deadlock.
    plans, requests = _plans_on_demand()
    results = worker.train(requests, run_id="run-1")
    steps = []
    for step in range(3):
        plans.put(mixmask_plan(step, list(range(step, step + 8)), key_shuffle=shuffled(8, step)))
        result = next(results)
        steps.append(result.step)
        assert len(result.term_losses) == 3 and np.isfinite(result.loss) and 0 <= result.positive_top1 <= 1
    plans.put(None)
    assert list(results) == []
    assert steps == [0, 1, 2]


def test_train_pipelined_plans_come_back_in_order(worker: Worker) -> None:
    plans = [mixmask_plan(step, list(range(16)), key_shuffle=shuffled(16, step)) for step in range(10, 13)]
    results = list(worker.train(iter(plans)))  # no run metadata: the latest run
    assert [r.step for r in results] == [10, 11, 12]
    assert all(r.worker_ms > 0 for r in results)


def test_malformed_plan_is_invalid_argument_and_worker_keeps_serving(worker: Worker) -> None:
    bad = mixmask_plan(21, list(range(8)))
    bad.terms[2].anchor_order[3] = 8
    results = worker.train(iter([mixmask_plan(20, list(range(8))), bad]), run_id="run-1")
    assert next(results).step == 20  # results of earlier steps arrive before the error
    with pytest.raises(grpc.RpcError) as caught:
        next(results)
    code, trailer, details = _error(caught.value)
    assert code == grpc.StatusCode.INVALID_ARGUMENT and trailer == "INVALID_ARGUMENT"
    assert "plan.terms[2].anchor_order[3]" in details and "step 21" in details
    assert worker.hello().protocol_version == PROTOCOL_VERSION
    assert [r.step for r in worker.train(iter([mixmask_plan(22, list(range(8)))]))] == [22]


def test_each_issue_of_an_invalid_plan_travels_in_the_issues_trailer(worker: Worker) -> None:
    bad = mixmask_plan(23, list(range(8)))
    bad.terms[2].anchor_order[3] = 8
    bad.lr = -1.0
    with pytest.raises(grpc.RpcError) as caught:
        list(worker.train(iter([bad]), run_id="run-1"))
    trailer = dict(caught.value.trailing_metadata() or ())  # type: ignore[attr-defined]
    issues = json.loads(trailer[ERROR_ISSUES_TRAILER])
    assert [issue["path"] for issue in issues] == ["plan.terms[2].anchor_order[3]", "plan.lr"]
    assert issues[1] == {
        "path": "plan.lr",
        "message": "expected a finite learning rate >= 0, received -1.0",
        "expected": "a finite learning rate >= 0",
        "received": "-1.0",
    }


def test_a_second_train_stream_on_the_same_run_is_refused(worker: Worker) -> None:
    plans, requests = _plans_on_demand()
    first = worker.train(requests, run_id="run-1")
    plans.put(mixmask_plan(50, list(range(8))))
    assert next(first).step == 50  # the first stream is open and has trained
    with pytest.raises(grpc.RpcError) as caught:
        list(worker.train(iter([mixmask_plan(51, list(range(8)))]), run_id="run-1"))
    code, trailer, details = _error(caught.value)
    assert code == grpc.StatusCode.INVALID_ARGUMENT and trailer == "INVALID_ARGUMENT"
    assert "already has an open Train stream" in details
    plans.put(None)
    assert list(first) == []
    assert [r.step for r in worker.train(iter([mixmask_plan(52, list(range(8)))]), run_id="run-1")] == [52]


def test_hello_answers_while_training(worker: Worker) -> None:
    plans = [mixmask_plan(step, list(range(16)), key_shuffle=shuffled(16, step)) for step in range(30, 40)]
    collected: list[int] = []
    trainer = threading.Thread(target=lambda: collected.extend(r.step for r in worker.train(iter(plans))))
    trainer.start()
    for _ in range(5):
        assert worker.hello(timeout=5.0).pid == worker.process.pid
    trainer.join(DEADLINE_S)
    assert collected == list(range(30, 40))


def test_unknown_run_and_dataset_are_not_found(worker: Worker) -> None:
    with pytest.raises(grpc.RpcError) as caught:
        list(worker.train(iter([mixmask_plan(0, list(range(8)))]), run_id="nope"))
    code, trailer, details = _error(caught.value)
    assert code == grpc.StatusCode.NOT_FOUND and trailer == "RUN_NOT_FOUND" and "'nope'" in details
    with pytest.raises(grpc.RpcError) as caught:
        worker.unary("CreateRun", run_request(run_id="other", dataset_id="missing"), worker_pb2.CreateRunReply)
    code, trailer, details = _error(caught.value)
    assert code == grpc.StatusCode.NOT_FOUND and trailer == "DATASET_NOT_FOUND" and "BeginUpload" in details


def test_upload_rejects_an_unknown_upload_and_short_data(worker: Worker) -> None:
    upload = upload_chunks("bad", make_images(2))
    parts = [worker_pb2.UploadPart(upload_id="never-begun", pixels=chunk) for chunk in upload.chunks]
    with pytest.raises(grpc.RpcError) as caught:
        worker.stream_unary("UploadParts", iter(parts), worker_pb2.DatasetInfo)
    code, trailer, details = _error(caught.value)
    assert (
        code == grpc.StatusCode.INVALID_ARGUMENT
        and trailer == "INVALID_ARGUMENT"
        and "upload_parts.upload_id" in details
    )
    upload.chunks = upload.chunks[:-1]
    with pytest.raises(grpc.RpcError) as caught:
        worker.upload(upload)
    code, trailer, details = _error(caught.value)
    assert code == grpc.StatusCode.INVALID_ARGUMENT and "total_bytes" in details
    upload.begin.header.channels = 2
    with pytest.raises(grpc.RpcError) as caught:
        worker.upload(upload)
    assert "upload.header.channels" in _error(caught.value)[2]


def test_checkpoints_and_knn_over_grpc(worker: Worker, socket_dir: str) -> None:
    path = os.path.join(socket_dir, "ckpt", "a.pt")
    saved = worker.unary(
        "SaveCheckpoint",
        worker_pb2.SaveCheckpointRequest(run_id="run-1", path=path, step=3),
        worker_pb2.SaveCheckpointReply,
    )
    assert saved.bytes == os.path.getsize(path) and len(saved.sha256) == 64
    loaded = worker.unary(
        "LoadCheckpoint",
        worker_pb2.LoadCheckpointRequest(run_id="run-1", path=path, sha256=saved.sha256),
        worker_pb2.LoadCheckpointReply,
    )
    assert loaded.bytes == saved.bytes
    with pytest.raises(grpc.RpcError) as caught:
        worker.unary(
            "LoadCheckpoint",
            worker_pb2.LoadCheckpointRequest(run_id="run-1", path=path, sha256="0" * 64),
            worker_pb2.LoadCheckpointReply,
        )
    code, trailer, details = _error(caught.value)
    assert code == grpc.StatusCode.DATA_LOSS and trailer == "CHECKPOINT_INVALID" and "sha256" in details
    knn = worker.unary(
        "Knn",
        worker_pb2.KnnRequest(
            run_id="run-1", train_dataset_id="train", test_dataset_id="train", k=5, temperature=0.1, batch_size=8
        ),
        worker_pb2.KnnReply,
    )
    assert knn.train_count == knn.test_count == 16 and 0 <= knn.top1 <= knn.top5 <= 1


def test_shutdown_replies_then_exits(socket_dir: str) -> None:
    socket_path = os.path.join(socket_dir, "s.sock")
    spawned = Worker(_worker_command(), socket_path, ["--device", "cpu", "--threads", "1"])
    try:
        spawned.unary("Shutdown", worker_pb2.ShutdownRequest(), worker_pb2.ShutdownReply)
        assert spawned.process.wait(15) == 0
        assert not os.path.exists(socket_path)
    finally:
        spawned.stop()


def _exited(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", encoding="utf-8") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] in ("Z", "X")  # a zombie has exited
    except FileNotFoundError:
        return True


@pytest.mark.skipif(not os.path.isdir("/proc/self"), reason="needs /proc to watch a re-parented process")
def test_worker_exits_when_its_parent_dies(socket_dir: str) -> None:
    # sh starts the worker in the background with --parent-pid $$ (sh itself), then sh is killed.
    socket_path = os.path.join(socket_dir, "p.sock")
    command = " ".join([*_worker_command(), "--device cpu --threads 1 --parent-pid $$ --socket", socket_path, "& wait"])
    spawned = Worker(["sh", "-c", command, "sh"], socket_path, [])
    try:
        pid, pid_of_sh = spawned.ready_pid(), spawned.process.pid
        assert pid != pid_of_sh
        spawned.process.kill()
        spawned.process.wait()
        deadline = time.monotonic() + 15
        while not _exited(pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert _exited(pid), "worker outlived its parent"
        time.sleep(0.2)  # let the drain thread read the last lines
        assert any(f"parent process {pid_of_sh} is gone" in line for line in spawned.lines), spawned.lines
    finally:
        spawned.stop()


@pytest.mark.skipif(torch.cuda.is_available(), reason="CUDA is available here")
def test_device_cuda_without_cuda_exits_3(socket_dir: str) -> None:
    env = {**os.environ, "PYTHONPATH": WORKER_DIR}
    done = subprocess.run(
        [*_worker_command(), "--socket", os.path.join(socket_dir, "c.sock"), "--device", "cuda"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 3 and "--device cuda" in done.stderr


def test_error_codes_map_to_grpc_statuses() -> None:
    worker_codes = {name for name, number in worker_pb2.ErrorCode.items() if 0 < number < SDK_ONLY_CODES_FROM}
    assert set(STATUS_FOR_CODE) == ERROR_CODES == worker_codes  # the codes from 100 on are the SDK's own
    assert STATUS_FOR_CODE["PROTOCOL_MISMATCH"] == grpc.StatusCode.FAILED_PRECONDITION
    assert STATUS_FOR_CODE["DATASET_NOT_FOUND"] == STATUS_FOR_CODE["RUN_NOT_FOUND"] == grpc.StatusCode.NOT_FOUND
    assert STATUS_FOR_CODE["CHECKPOINT_INVALID"] == grpc.StatusCode.DATA_LOSS
    assert STATUS_FOR_CODE["NON_FINITE_LOSS"] == grpc.StatusCode.ABORTED
    try:
        raise KeyError("boom")
    except KeyError as error:
        internal = as_worker_error(error)
    assert internal.code == "INTERNAL" and "KeyError: 'boom'" in internal.message
    assert WorkerError("NOT_A_CODE", "x").code == "INTERNAL"
