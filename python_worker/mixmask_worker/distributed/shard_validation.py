"""Checks the RankShard beside a rank's plan shard before any collective, and turns it into index arrays.

A rank that refused its shard after another rank entered a collective would leave that rank waiting until the
collective timeout, so everything a shard can get wrong is checked here, on the host, first: each issue reported as
``path: expected ..., received ...`` under INVALID_ARGUMENT, as plan/validation.py does for the plan itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Sequence

import numpy as np

from mixmask_worker.distributed.rank_context import RankContext
from mixmask_worker.generated.mixmask.v1 import worker_pb2
from mixmask_worker.service.protocol import WorkerError


@dataclass(frozen=True)
class ShardArrays:
    """A validated RankShard: n = this rank's samples, N = the global batch."""

    global_batch_size: int  # N
    positions: np.ndarray  # [n] int64: the rank's samples' places in the global batch
    key_gather_shuffle: Optional[np.ndarray]  # [n] int64 gathered rows encoded here, or None (no shuffle-BN)
    key_gather_unshuffle: Optional[np.ndarray]  # [n] int64 gathered rows of this rank's keys
    enqueue_order: Optional[np.ndarray]  # [N] int64 permutation of the gathered keys, or None (no queue)


def _rows(values: Sequence[int]) -> np.ndarray:
    return np.asarray(values, dtype=np.int64).reshape(-1)


def _distinct_in_range(values: np.ndarray, upper: int) -> bool:
    if values.size == 0:
        return True
    return bool(values.min() >= 0 and values.max() < upper and np.unique(values).size == values.size)


def validate_shard(
    shard: worker_pb2.RankShard, rank: RankContext, local_batch: int, queue_size: int, plan_key_shuffle: int, step: int
) -> ShardArrays:
    """Raises WorkerError(INVALID_ARGUMENT) listing every problem of ``shard`` for this rank and its n-sample plan.

    ``queue_size``: the run's K (0: no queue); ``plan_key_shuffle``: entries of the plan shard's own key_shuffle,
    which must be empty (shuffle-BN across ranks travels in the shard's gathered rows)."""
    issues: list[str] = []

    def add(path: str, expected: str, received: object) -> None:
        issues.append(f"shard.{path}: expected {expected}, received {received}")

    if shard.rank != rank.rank:
        add("rank", f"this worker's rank {rank.rank} (the SDK sent the shard to the wrong rank)", shard.rank)
    if shard.world_size != rank.world_size:
        add("world_size", f"the group's world size {rank.world_size}", shard.world_size)
    n = local_batch
    total = int(shard.global_batch_size)
    if total != n * rank.world_size:
        expected = f"R · n = {rank.world_size} · {n} = {n * rank.world_size} (every rank gets n samples)"
        add("global_batch_size", expected, total)
        total = max(total, 1)
    positions = _rows(shard.positions)
    if positions.shape[0] != n or not _distinct_in_range(positions, total):
        add("positions", f"{n} distinct places in the global batch of {total}", f"{positions.shape[0]} entries")
    shuffle: Optional[np.ndarray] = None
    unshuffle: Optional[np.ndarray] = None
    if len(shard.key_gather_shuffle) or len(shard.key_gather_unshuffle):
        shuffle, unshuffle = _rows(shard.key_gather_shuffle), _rows(shard.key_gather_unshuffle)
        for name, rows in (("key_gather_shuffle", shuffle), ("key_gather_unshuffle", unshuffle)):
            if rows.shape[0] != n or not _distinct_in_range(rows, total):
                expected = f"{n} distinct gathered rows < {total} (both arrays, or neither)"
                add(name, expected, f"{rows.shape[0]} entries")
    if plan_key_shuffle:
        issues.append(
            f"plan.key_shuffle: expected empty in a shard (shuffle-BN across ranks uses shard.key_gather_*), "
            f"received {plan_key_shuffle} entries"
        )
    order: Optional[np.ndarray] = None
    if queue_size > 0 and total > queue_size:
        expected = f"at most the run's moco.queue_size = {queue_size} (every step enqueues N keys)"
        add("global_batch_size", expected, total)
    if queue_size > 0:
        order = _rows(shard.enqueue_order)
        if order.shape[0] != total or not _distinct_in_range(order, total):
            expected = f"a permutation of the {total} gathered keys (the run has a queue)"
            add("enqueue_order", expected, f"{order.shape[0]} entries")
    elif len(shard.enqueue_order):
        add("enqueue_order", "empty: the run has no queue", f"{len(shard.enqueue_order)} entries")
    if issues:
        raise WorkerError(
            "INVALID_ARGUMENT",
            f"rank {rank.rank}: the shard of step {step} is invalid "
            f"({len(issues)} issue{'s' if len(issues) > 1 else ''}): "
            + "; ".join(issues)
            + " (the SDK's shard planner produced it: fix src/distributed/shard-plan.ts)",
            issues=issues,
        )
    return ShardArrays(total, positions, shuffle, unshuffle, order)
