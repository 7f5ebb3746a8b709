"""The pieces of a distributed worker that need no process group: starting a rank, checking its shards, the new
RPCs on a worker that is not a rank. The collectives themselves run in test_distributed_run.py (two gloo ranks)
and test/integration/distributed.test.ts (a real torchrun launch driven by the SDK)."""

from __future__ import annotations

import os
import shutil
import tempfile
from typing import Iterator

import grpc
import pytest
import torch
from plan_builders import make_images, make_labels, mixmask_plan, run_request, upload_chunks
from rank_shards import shard_plan, shard_reversal
from spawned_worker import Worker, worker_command

from mixmask_worker.__main__ import parse_args
from mixmask_worker.data.store import DatasetStore
from mixmask_worker.distributed.collectives import is_collective_failure, rank_failed
from mixmask_worker.distributed.distributed_run import DistributedTrainingRun
from mixmask_worker.distributed.distributed_service import parse_shard_plan, run_step
from mixmask_worker.distributed.rank_context import RankContext, RankSetupError, read_rank_context
from mixmask_worker.distributed.rank_endpoints import advertised_address, rank_listen_address, write_endpoints_file
from mixmask_worker.distributed.rank_launch import prepare_rank
from mixmask_worker.distributed.shard_validation import validate_shard
from mixmask_worker.generated.mixmask.v1 import worker_pb2
from mixmask_worker.plan.intake import MAX_PLAN_BYTES, RejectedPlan
from mixmask_worker.service.protocol import ERROR_CODE_TRAILER, WorkerError
from mixmask_worker.training.run import TrainingRun

TORCHRUN_ENV = {"RANK": "1", "WORLD_SIZE": "2", "LOCAL_RANK": "1", "MASTER_ADDR": "127.0.0.1", "MASTER_PORT": "29500"}
RANK_1 = RankContext(rank=1, world_size=2, local_rank=1, backend="gloo", host="h", launch_id="x")


def _shard(step: int = 0) -> worker_pb2.ShardStepPlan:
    plan = mixmask_plan(step, list(range(8)), key_shuffle=[7, 2, 5, 0, 3, 6, 1, 4])
    plan.mask.partner[:] = shard_reversal(8, 2)
    plan.terms[2].anchor_order[:] = shard_reversal(8, 2)
    return shard_plan(plan, 1, 2, has_queue=True)


def test_a_rank_takes_its_endpoint_from_torchrun_and_refuses_rank_options_outside_it() -> None:
    args = parse_args(["--socket-dir", "/tmp/d", "--endpoints-file", "/tmp/d/e.json", "--device", "cpu"])
    launch = prepare_rank(args, TORCHRUN_ENV)
    assert launch is not None and launch.context.rank == 1 and launch.context.backend == "gloo"
    assert args.socket == "/tmp/d/rank-1.sock"
    tcp = parse_args(["--listen", "0.0.0.0:50051", "--device", "cpu"])
    assert prepare_rank(tcp, TORCHRUN_ENV) is not None and tcp.listen == "0.0.0.0:50052"  # base port + local rank
    with pytest.raises(RankSetupError, match="torchrun"):
        prepare_rank(parse_args(["--socket-dir", "/tmp/d", "--device", "cpu"]), {})
    with pytest.raises(RankSetupError, match="--socket-dir"):
        prepare_rank(parse_args(["--socket", "/tmp/d/w.sock", "--device", "cpu"]), TORCHRUN_ENV)
    assert prepare_rank(parse_args(["--socket", "/tmp/d/w.sock"]), {}) is None  # a plain worker
    with pytest.raises(RankSetupError, match="MASTER_PORT"):
        read_rank_context({k: v for k, v in TORCHRUN_ENV.items() if k != "MASTER_PORT"}, "auto", "cpu")
    with pytest.raises(RankSetupError, match="nccl needs CUDA"):
        read_rank_context(TORCHRUN_ENV, "nccl", "cpu")


def test_endpoints_are_announced_where_other_machines_can_dial_them(tmp_path: object) -> None:
    assert rank_listen_address("0.0.0.0:0", 3) == "0.0.0.0:0"  # port 0: the system picks one per rank
    assert advertised_address("10.0.0.5:50051", None) == "10.0.0.5:50051"
    assert advertised_address("0.0.0.0:50051", "node-a") == "node-a:50051"
    assert advertised_address("0.0.0.0:50051", None).endswith(":50051")
    path = os.path.join(str(tmp_path), "endpoints.json")
    write_endpoints_file(path, {"format": "mixmask-endpoints"})
    assert os.listdir(str(tmp_path)) == ["endpoints.json"]  # no temporary file left


def test_a_valid_shard_passes_and_a_wrong_one_lists_every_issue() -> None:
    message = _shard()
    checked = validate_shard(message.shard, RANK_1, 4, 64, 0, 0)
    assert checked.global_batch_size == 8 and checked.positions.tolist() == [1, 3, 5, 7]
    assert checked.enqueue_order is not None and sorted(checked.enqueue_order.tolist()) == list(range(8))
    bad = worker_pb2.RankShard()
    bad.CopyFrom(message.shard)
    bad.rank, bad.world_size, bad.global_batch_size = 0, 3, 9
    bad.key_gather_shuffle[:] = [0, 0, 1, 2]
    del bad.enqueue_order[:]
    with pytest.raises(WorkerError) as raised:
        validate_shard(bad, RANK_1, 4, 4, 3, 5)
    text = str(raised.value)
    assert raised.value.code == "INVALID_ARGUMENT" and "step 5" in text
    fields = ("shard.rank", "shard.world_size", "shard.global_batch_size", "key_gather_shuffle", "enqueue_order")
    for field in (*fields, "plan.key_shuffle"):
        assert field in text, field


def test_shard_plans_are_gated_like_plans_and_need_a_distributed_run() -> None:
    assert isinstance(parse_shard_plan(b"\xff" * 10), RejectedPlan)
    assert "exceeds" in parse_shard_plan(b"\x00" * (MAX_PLAN_BYTES + 1)).reason  # type: ignore[union-attr]
    assert parse_shard_plan(_shard().SerializeToString()) == _shard()
    store = DatasetStore(torch.device("cpu"))
    store.put("train", make_images(16), make_labels(16))
    plain = TrainingRun(run_request(bn_splits=1), store, torch.device("cpu"))
    with pytest.raises(WorkerError, match="not distributed"):
        run_step(plain, _shard(), 0.0)
    with pytest.raises(WorkerError, match="SyncBatchNorm runs on GPUs only"):
        request = worker_pb2.CreateDistributedRunRequest(run=run_request(), sync_batch_norm=True)
        DistributedTrainingRun(request, store, torch.device("cpu"), RANK_1)


def test_a_peer_that_died_is_reported_as_rank_failed() -> None:
    gloo = RuntimeError("[gloo/transport/tcp/pair.cc:537] Read error [127.0.0.1]:53153: Connection reset by peer")
    assert is_collective_failure(gloo) and not is_collective_failure(RuntimeError("shape mismatch"))
    error = rank_failed(0, 2, 7, gloo)
    assert error.code == "RANK_FAILED" and "rank 0 of 2" in error.message and "step 7" in error.message
    assert error.details == {"rank": 0, "world_size": 2, "step": 7}


@pytest.fixture(scope="module")
def plain_worker() -> Iterator[Worker]:
    directory = tempfile.mkdtemp(prefix="mmr-")
    spawned = Worker(worker_command(), os.path.join(directory, "w.sock"), ["--device", "cpu", "--threads", "1"])
    try:
        yield spawned
    finally:
        spawned.stop()
        shutil.rmtree(directory, ignore_errors=True)


def test_a_worker_outside_torchrun_is_rank_0_of_1_and_refuses_distributed_runs(plain_worker: Worker) -> None:
    info = plain_worker.unary("DescribeRank", worker_pb2.DescribeRankRequest(), worker_pb2.RankInfo)
    assert (info.rank, info.world_size, info.launch_id, info.pid) == (0, 1, "", plain_worker.ready_pid())
    assert info.endpoint == f"unix:{plain_worker.socket_path}"
    plain_worker.upload(upload_chunks("train", make_images(16), make_labels(16)))
    request = worker_pb2.CreateDistributedRunRequest(run=run_request())
    with pytest.raises(grpc.RpcError) as raised:
        plain_worker.unary("CreateDistributedRun", request, worker_pb2.CreateRunReply)
    trailer = dict(raised.value.trailing_metadata() or ()).get(ERROR_CODE_TRAILER)  # type: ignore[attr-defined]
    assert trailer == "INVALID_ARGUMENT"
    assert "not a rank of a torchrun launch" in raised.value.details()  # type: ignore[attr-defined]
