"""The RPCs of a worker that is one rank of a torchrun launch (proto: the "Distributed" rpcs; docs/DISTRIBUTED.md).

* ``DescribeRank``: rank, world size, launch id, endpoint — the SDK checks that all ranks agree before training;
* ``CreateDistributedRun``: a DistributedTrainingRun on this rank (every rank must receive it: DDP's construction
  is a collective);
* ``TrainShard``: the server's Train stream, fed ShardStepPlans instead of StepPlans (``parse_shard_plan``).

Rank 0 answers evaluation and writes checkpoints (docs/DISTRIBUTED.md): every rank holds the same state after each
step, so those RPCs need no collective and other work (a linear probe, a preview) can go to rank 0 alone.
"""

from __future__ import annotations

import logging
import os
import socket
from typing import Any, Callable, Union

import grpc
from google.protobuf.message import DecodeError

from mixmask_worker.distributed.distributed_run import DistributedTrainingRun
from mixmask_worker.generated.mixmask.v1 import worker_pb2
from mixmask_worker.plan.intake import MAX_PLAN_BYTES, RejectedPlan
from mixmask_worker.service.protocol import WorkerError, reporting_errors
from mixmask_worker.service.train_stream import TrainStream
from mixmask_worker.service.worker_context import WorkerContext
from mixmask_worker.training.run import TrainingRun
from mixmask_worker.training.step_result import PendingResult

log = logging.getLogger("mixmask_worker")

AnyPlan = Union[worker_pb2.StepPlan, worker_pb2.ShardStepPlan]


def parse_shard_plan(data: bytes) -> Union[worker_pb2.ShardStepPlan, RejectedPlan]:
    """TrainShard's request deserializer: never raises (see plan/intake.py for why)."""
    if len(data) > MAX_PLAN_BYTES:
        return RejectedPlan(
            f"a ShardStepPlan of {len(data)} bytes exceeds the worker's limit of {MAX_PLAN_BYTES} bytes"
        )
    try:
        return worker_pb2.ShardStepPlan.FromString(data)
    except (DecodeError, ValueError, RuntimeError) as error:
        return RejectedPlan(
            f"a message of {len(data)} bytes on the TrainShard stream is not a ShardStepPlan ({type(error).__name__}: "
            f"{error}): the client and worker disagree on the protocol, or the bytes were damaged"
        )


def step_of(plan: AnyPlan) -> int:
    return int(plan.plan.step) if isinstance(plan, worker_pb2.ShardStepPlan) else int(plan.step)


def run_step(run: TrainingRun, plan: AnyPlan, received_at: float) -> PendingResult:
    """One plan of a Train or TrainShard stream on its run (on the compute thread)."""
    if not isinstance(plan, worker_pb2.ShardStepPlan):
        return run.step(plan, received_at)
    if not isinstance(run, DistributedTrainingRun):
        raise WorkerError(
            "INVALID_ARGUMENT",
            f"run {run.run_id!r} is not distributed: TrainShard needs a run made by CreateDistributedRun on every rank",
        )
    return run.step_shard(plan, received_at)


class DistributedService:
    """DescribeRank, CreateDistributedRun and TrainShard (the Train stream with a ShardStepPlan step)."""

    REQUEST_PARSERS: dict[str, Callable[[bytes], Any]] = {"TrainShard": parse_shard_plan}

    def __init__(self, ctx: WorkerContext) -> None:
        self.rank = ctx.rank
        self.store = ctx.store
        self.device = ctx.device
        self._on_compute = ctx.on_compute
        self._add_run = ctx.runs.add
        self.TrainShard = TrainStream(ctx, step=run_step, step_number=step_of).stream
        # Set once the server is bound (the address others dial, as in the endpoints file).
        self.endpoint = ""

    @reporting_errors
    async def DescribeRank(
        self, request: worker_pb2.DescribeRankRequest, context: grpc.aio.ServicerContext
    ) -> worker_pb2.RankInfo:
        rank = self.rank
        if rank is None:
            return worker_pb2.RankInfo(
                rank=0, world_size=1, host=socket.gethostname(), endpoint=self.endpoint, pid=os.getpid()
            )
        return worker_pb2.RankInfo(
            rank=rank.rank,
            world_size=rank.world_size,
            local_rank=rank.local_rank,
            launch_id=rank.launch_id,
            backend=rank.backend,
            host=rank.host,
            endpoint=self.endpoint,
            pid=os.getpid(),
        )

    @reporting_errors
    async def CreateDistributedRun(
        self, request: worker_pb2.CreateDistributedRunRequest, context: grpc.aio.ServicerContext
    ) -> worker_pb2.CreateRunReply:
        rank = self.rank
        if rank is None:
            raise WorkerError(
                "INVALID_ARGUMENT",
                "this worker is not a rank of a torchrun launch: start the workers with "
                "`torchrun --nproc-per-node R -m mixmask_worker ...` (docs/DISTRIBUTED.md), or use CreateRun",
            )
        run = await self._on_compute(DistributedTrainingRun, request, self.store, self.device, rank)
        self._add_run(run)
        log.info(
            "distributed run %s created on rank %d of %d (%s%s): %d parameters",
            run.run_id,
            rank.rank,
            rank.world_size,
            rank.backend,
            ", SyncBatchNorm" if run.sync_batch_norm else "",
            run.parameters,
        )
        return worker_pb2.CreateRunReply(run_id=run.run_id, parameters=run.parameters, feature_dim=run.feature_dim)
