"""Bad input never corrupts a run and never stops the worker: oversized and undecodable plans, non-finite losses,
and the injected faults the SDK's reliability tests rely on. Real worker process, real gRPC channel."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from typing import Iterator

import grpc
import pytest
from plan_builders import make_images, make_labels, mixmask_plan, run_request, upload_chunks
from spawned_worker import WORKER_DIR
from test_server import Worker, _error, _worker_command

from mixmask_worker.generated.mixmask.v1 import worker_pb2
from mixmask_worker.plan.intake import MAX_PLAN_BYTES, RejectedPlan, accept_plan, parse_plan
from mixmask_worker.service.fault_injection import EXIT_INJECTED_CRASH, FaultPlan, FaultSpecError
from mixmask_worker.service.protocol import ERROR_DETAILS_TRAILER, PROTOCOL_VERSION, WorkerError

NAN_STEP, NAN_TERM, EXIT_STEP = 3, 1, 40


@pytest.fixture(scope="module")
def directory() -> Iterator[str]:
    path = tempfile.mkdtemp(prefix="mmw-bad-")
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(scope="module")
def worker(directory: str) -> Iterator[Worker]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("MIXMASK_WORKER_FAULTS", f"nan-loss@{NAN_STEP}:{NAN_TERM},exit@{EXIT_STEP}")
        spawned = Worker(
            _worker_command(),
            os.path.join(directory, "w.sock"),
            ["--device", "cpu", "--threads", "1", "--parent-pid", str(os.getpid())],
        )
    try:
        spawned.upload(upload_chunks("train", make_images(16), make_labels(16)))
        spawned.unary("CreateRun", run_request(), worker_pb2.CreateRunReply)
        yield spawned
    finally:
        spawned.stop()


def _raw_train(worker: Worker, messages: list[bytes]) -> Iterator[worker_pb2.StepResult]:
    call = worker.channel.stream_stream(
        "/mixmask.v1.Worker/Train", request_serializer=None, response_deserializer=worker_pb2.StepResult.FromString
    )
    return call(iter(messages), timeout=120, metadata=(("mixmask-run-id", "run-1"),))


def _steps(worker: Worker, steps: range) -> list[int]:
    return [r.step for r in worker.train(iter([mixmask_plan(s, list(range(8))) for s in steps]), run_id="run-1")]


def test_plan_intake_rejects_oversized_and_undecodable_messages_without_raising() -> None:
    assert isinstance(parse_plan(b"\x00" * (MAX_PLAN_BYTES + 1)), RejectedPlan)
    assert isinstance(parse_plan(b"\xff\xff\xff\xff"), RejectedPlan)
    plan = mixmask_plan(5, list(range(8)))
    assert parse_plan(plan.SerializeToString()) == plan
    with pytest.raises(WorkerError) as caught:
        accept_plan(RejectedPlan("why"), 7)
    assert caught.value.code == "INVALID_ARGUMENT" and "message 7: why" in caught.value.message


@pytest.mark.parametrize(
    "kind,expected", [("oversized", "exceeds the worker's limit"), ("garbage", "is not a StepPlan")]
)
def test_bad_plan_bytes_end_the_stream_in_order_and_the_worker_keeps_serving(
    worker: Worker, kind: str, expected: str
) -> None:
    payload = b"\x00" * (MAX_PLAN_BYTES + 1) if kind == "oversized" else b"\xff\xff\xff\xff\x0f"
    results = _raw_train(worker, [mixmask_plan(0, list(range(8))).SerializeToString(), payload])
    assert next(results).step == 0  # the good plan's result arrives before the error
    with pytest.raises(grpc.RpcError) as caught:
        next(results)
    code, trailer, details = _error(caught.value)
    assert code == grpc.StatusCode.INVALID_ARGUMENT and trailer == "INVALID_ARGUMENT"
    assert "Train stream message 1" in details and expected in details
    assert worker.hello().protocol_version == PROTOCOL_VERSION
    assert _steps(worker, range(1, 3)) == [1, 2]


def test_non_finite_loss_reports_details_and_blocks_the_run_until_a_checkpoint_is_loaded(
    worker: Worker, directory: str
) -> None:
    good = os.path.join(directory, "good.pt")
    saved = worker.unary(
        "SaveCheckpoint",
        worker_pb2.SaveCheckpointRequest(run_id="run-1", path=good, step=3),
        worker_pb2.SaveCheckpointReply,
    )
    results = worker.train(
        iter([mixmask_plan(s, list(range(8)), lr=0.03) for s in range(NAN_STEP, NAN_STEP + 4)]), run_id="run-1"
    )
    with pytest.raises(grpc.RpcError) as caught:
        list(results)
    code, trailer, message = _error(caught.value)
    assert code == grpc.StatusCode.ABORTED and trailer == "NON_FINITE_LOSS"
    assert f"step {NAN_STEP}: loss term {NAN_TERM}" in message and "lr=0.03" in message
    details = json.loads(dict(caught.value.trailing_metadata())[ERROR_DETAILS_TRAILER])  # type: ignore[attr-defined]
    assert details["step"] == NAN_STEP and details["term"] == NAN_TERM and details["value"] == "nan"
    assert details["lr"] == pytest.approx(0.03)

    # The weights are unusable now: no checkpoint of them, no further training.
    with pytest.raises(grpc.RpcError) as caught:
        worker.unary(
            "SaveCheckpoint",
            worker_pb2.SaveCheckpointRequest(run_id="run-1", path=os.path.join(directory, "bad.pt"), step=9),
            worker_pb2.SaveCheckpointReply,
        )
    assert _error(caught.value)[1] == "NON_FINITE_LOSS" and "diverged at step 3" in _error(caught.value)[2]
    assert not os.path.exists(os.path.join(directory, "bad.pt"))
    with pytest.raises(grpc.RpcError) as caught:
        _steps(worker, range(10, 11))
    assert _error(caught.value)[1] == "NON_FINITE_LOSS"

    worker.unary(
        "LoadCheckpoint",
        worker_pb2.LoadCheckpointRequest(run_id="run-1", path=good, sha256=saved.sha256),
        worker_pb2.LoadCheckpointReply,
    )
    assert _steps(worker, range(10, 12)) == [10, 11]


def test_injected_crash_exits_mid_stream_with_a_stderr_line(worker: Worker) -> None:
    # Last in this module: the worker is gone afterwards.
    with pytest.raises(grpc.RpcError) as caught:
        _steps(worker, range(EXIT_STEP - 1, EXIT_STEP + 2))
    assert caught.value.code() == grpc.StatusCode.UNAVAILABLE  # type: ignore[attr-defined]
    assert worker.process.wait(30) == EXIT_INJECTED_CRASH
    assert any(f"injected crash at step {EXIT_STEP}" in line for line in worker.lines)


def test_fault_specifications_parse_or_fail_loudly() -> None:
    plan = FaultPlan.parse("nan-loss@6, nan-loss@9:2,exit@12,stall@3:0.5")
    assert plan.nan_loss == {6: 0, 9: 2} and plan.exit_at == {12} and plan.stall == {3: 0.5} and plan.active
    assert not FaultPlan.parse("").active
    for bad in ("nan-loss", "exit@x", "stall@3", "stall@3:-1", "melt@3", "nan-loss@3:a", "exit@3:1"):
        with pytest.raises(FaultSpecError):
            FaultPlan.parse(bad)


def test_unknown_fault_specification_stops_the_worker_at_start(directory: str) -> None:
    env = {**os.environ, "PYTHONPATH": WORKER_DIR, "MIXMASK_WORKER_FAULTS": "melt@3"}
    done = subprocess.run(
        [sys.executable, "-m", "mixmask_worker", "--socket", os.path.join(directory, "f.sock")],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2 and "unknown fault 'melt@3'" in done.stderr
