"""A training run shared by every rank of a torchrun launch: DDP over the online networks, shuffle-BN and the
queue across ranks, BatchNorm statistics averaged so that rank 0 holds the state of the whole global batch.

It executes exactly what ``TrainingRun`` executes on a plan, with four differences, each a hook of TrainingRun:

* the online encoder and the predictor run through ``DistributedDataParallel``: the backward pass all-reduces
  (averages) their gradients, so with losses that are means over each rank's n samples the update equals that of
  the mean over the N = R·n samples of the global batch;
* MOMENTUM branches encode a shuffled slice of the gathered batch (cross_rank_shuffle.py);
* the keys enqueued are every rank's keys, gathered and put in the global batch's order (RankShard.enqueue_order),
  so every rank's queue equals the queue of one process trained on the global batch;
* after each update, BatchNorm running statistics are averaged over the ranks (collectives.average_buffers).

Parameters, optimizer state, momentum encoder and queue are therefore identical on every rank, and checkpoints
(written by rank 0 from the unwrapped modules, with torchvision's keys) load into any world size.
"""

from __future__ import annotations

import inspect
from typing import Any, Optional

import numpy as np
import torch
from torch import nn
from torch.nn.parallel import DistributedDataParallel

from mixmask_worker.data.store import DatasetStore
from mixmask_worker.distributed.collectives import (
    average_buffers,
    batch_norm_buffers,
    gather_rows,
    is_collective_failure,
    rank_failed,
)
from mixmask_worker.distributed.cross_rank_shuffle import CrossRankShuffle
from mixmask_worker.distributed.rank_context import RankContext
from mixmask_worker.distributed.shard_validation import ShardArrays, validate_shard
from mixmask_worker.generated.mixmask.v1 import worker_pb2
from mixmask_worker.models.compiled import compile_mode
from mixmask_worker.plan.step_plan import ValidatedPlan
from mixmask_worker.service.protocol import WorkerError
from mixmask_worker.training.run import TrainingRun
from mixmask_worker.training.step_result import PendingResult
from mixmask_worker.training.topology import RankTopology, StepNetworks


def _ddp_options(device: torch.device) -> dict[str, Any]:
    """Gradients are averaged; buffers are not broadcast from rank 0 before each forward (they are averaged after
    each update instead, see module docstring). torch >= 2.13 spells that ``forward_sync_buffers``."""
    accepted = inspect.signature(DistributedDataParallel.__init__).parameters
    options: dict[str, Any] = {"device_ids": [device.index] if device.type == "cuda" else None}
    if "forward_sync_buffers" in accepted:
        options["forward_sync_buffers"] = False
    else:
        options["broadcast_buffers"] = False
    return options


class DistributedTrainingRun(TrainingRun):
    """``TrainingRun`` on one rank; ``step_shard`` executes the rank's shard of a global plan (every rank at once)."""

    def __init__(
        self,
        request: worker_pb2.CreateDistributedRunRequest,
        store: DatasetStore,
        device: torch.device,
        rank: RankContext,
    ) -> None:
        if request.sync_batch_norm and device.type != "cuda":
            raise WorkerError(
                "INVALID_ARGUMENT",
                f"sync_batch_norm: torch's SyncBatchNorm runs on GPUs only and rank {rank.rank} runs on {device}: "
                "drop sync_batch_norm for CPU ranks (each rank then normalises its own shard, as the release does)",
            )
        if compile_mode(request.run.compile) is not None:
            # Not tested with DDP: the encoder would be compiled inside DDP's wrapper (in place), so DDP's bucketed
            # all-reduce could not overlap the compiled backward, and no run here has checked that ranks agree.
            raise WorkerError(
                "INVALID_ARGUMENT",
                f"run.compile {request.run.compile!r}: distributed runs train eagerly (torch.compile is not supported "
                "with DDP in this worker yet): use compile 'off', or one rank",
            )
        # The same seed on every rank: the same initial weights.
        super().__init__(request.run, store, device, topology=ShardTopology())
        self.rank = rank
        self.sync_batch_norm = bool(request.sync_batch_norm)
        if self.sync_batch_norm:
            # Converted after the momentum encoder was copied: keys keep per-rank BN, which shuffle-BN relies on.
            # The converted layers share the parameters and buffers the optimizer already holds.
            self.online = nn.SyncBatchNorm.convert_sync_batchnorm(self.online)
            if self.predictor is not None:
                self.predictor = nn.SyncBatchNorm.convert_sync_batchnorm(self.predictor)
        options = _ddp_options(device)
        self.online_ddp: nn.Module = DistributedDataParallel(self.online, **options)
        self.predictor_ddp: Optional[nn.Module] = (
            None if self.predictor is None else DistributedDataParallel(self.predictor, **options)
        )
        self._bn_buffers = batch_norm_buffers((self.online, self.predictor, self.momentum))
        self._shard: Optional[ShardArrays] = None

    def step(self, plan: worker_pb2.StepPlan, received_at: Optional[float] = None) -> PendingResult:
        if self._shard is None:
            raise WorkerError(
                "INVALID_ARGUMENT",
                f"run {self.run_id!r} is distributed over {self.rank.world_size} ranks: its plans arrive sharded, on "
                "TrainShard, at every rank at once (the SDK's WorkerGroup sends them); Train is for rank-local runs",
            )
        return super().step(plan, received_at)

    def step_shard(self, message: worker_pb2.ShardStepPlan, received_at: Optional[float] = None) -> PendingResult:
        """Validates the shard, then runs the step; a failed collective becomes RANK_FAILED."""
        plan = message.plan
        self._shard = validate_shard(
            message.shard,
            self.rank,
            len(plan.indices),
            0 if self.queue is None else self.queue.size,
            len(plan.key_shuffle),
            int(plan.step),
        )
        try:
            return super().step(plan, received_at)
        except WorkerError:
            raise
        except Exception as error:
            if is_collective_failure(error):
                raise rank_failed(self.rank.rank, self.rank.world_size, int(plan.step), error) from error
            raise
        finally:
            self._shard = None

    def _current_shard(self) -> ShardArrays:
        if self._shard is None:
            raise RuntimeError("a distributed step ran without its shard (a bug in DistributedTrainingRun)")
        return self._shard


def _distributed(run: TrainingRun) -> DistributedTrainingRun:
    if not isinstance(run, DistributedTrainingRun):
        raise TypeError(f"ShardTopology drives DistributedTrainingRuns, not {type(run).__name__}")
    return run


class ShardTopology(RankTopology):
    """This process is one rank of a torchrun launch and holds its shard of the global batch."""

    def step_networks(self, run: TrainingRun, checked: ValidatedPlan) -> StepNetworks:
        ranked = _distributed(run)
        shard = ranked._current_shard()
        momentum = ranked.momentum
        if momentum is not None and shard.key_gather_shuffle is not None and shard.key_gather_unshuffle is not None:
            momentum = CrossRankShuffle(
                momentum,
                ranked._index_tensor(shard.key_gather_shuffle),
                ranked._index_tensor(shard.key_gather_unshuffle),
                ranked.rank.world_size,
            )
        return ranked.online_ddp, ranked.predictor_ddp, momentum, None

    def after_update(self, run: TrainingRun) -> None:
        ranked = _distributed(run)
        average_buffers(ranked._bn_buffers, ranked.rank.world_size)

    def keys_to_enqueue(self, run: TrainingRun, keys: torch.Tensor) -> torch.Tensor:
        ranked = _distributed(run)
        order = ranked._current_shard().enqueue_order
        if order is None:  # validate_shard: a run with a queue needs enqueue_order
            raise ValueError("a distributed step with a queue ran without its shard's enqueue_order")
        return gather_rows(keys, ranked.rank.world_size).index_select(0, ranked._index_tensor(order))  # [N, D]

    def global_rows(self, run: TrainingRun) -> Optional[tuple[int, torch.Tensor]]:
        shard = _distributed(run)._shard
        if shard is None:  # Preview of a distributed run: a plain plan on one rank
            return None
        return shard.global_batch_size, run._index_tensor(np.asarray(shard.positions))
