"""An independent Python reference of the SDK's sharding (src/distributed/shard-plan.ts), for the worker's tests.

Rank r of R holds positions r, r+R, r+2R… of a global batch of N = R·n (the groups SplitBatchNorm forms on one
device); a gathered row is rank-major: rank r's j-th row is r·n + j.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from mixmask_worker.generated.mixmask.v1 import worker_pb2


def positions(rank: int, world: int, n: int) -> list[int]:
    return [rank + world * j for j in range(n)]


def gathered_row(position: int, world: int, n: int) -> int:
    return (position % world) * n + position // world


def shard_reversal(total: int, world: int) -> list[int]:
    """MixMask's reversed partners inside each rank's shard, as global positions."""
    n = total // world
    return [(n - 1 - i // world) * world + i % world for i in range(total)]


def _localize(values: Sequence[int], rank: int, world: int, n: int) -> list[int]:
    local = []
    for p in positions(rank, world, n):
        target = int(values[p])
        assert target % world == rank, "a pairing crosses shards"
        local.append(target // world)
    return local


def shard_plan(plan: worker_pb2.StepPlan, rank: int, world: int, has_queue: bool) -> worker_pb2.ShardStepPlan:
    """The rank's ShardStepPlan of a global plan with uniform per-sample views (the builders' plans)."""
    total = len(plan.indices)
    n = total // world
    mine = positions(rank, world, n)
    local = worker_pb2.StepPlan()
    local.CopyFrom(plan)
    del local.indices[:]
    local.indices.extend(int(plan.indices[p]) for p in mine)
    for view in local.views:
        view.crop[:] = list(view.crop)[: 4 * n]
        view.flip = view.flip[:n]
        view.jitter[:] = list(view.jitter)[: 4 * n]
        view.jitter_order = view.jitter_order[: 4 * n]
        view.grayscale = view.grayscale[:n]
        view.blur_sigma[:] = list(view.blur_sigma)[:n]
    if plan.HasField("mask") and len(plan.mask.partner):
        local.mask.partner[:] = _localize(plan.mask.partner, rank, world, n)
    for term, global_term in zip(local.terms, plan.terms):
        if len(global_term.anchor_order):
            term.anchor_order[:] = _localize(global_term.anchor_order, rank, world, n)
    del local.key_shuffle[:]
    shard = worker_pb2.RankShard(rank=rank, world_size=world, global_batch_size=total, positions=mine)
    if len(plan.key_shuffle):
        sigma = np.asarray(plan.key_shuffle)
        inverse = np.argsort(sigma)
        shard.key_gather_shuffle.extend(gathered_row(int(sigma[p]), world, n) for p in mine)
        shard.key_gather_unshuffle.extend(gathered_row(int(inverse[p]), world, n) for p in mine)
    if has_queue:
        shard.enqueue_order.extend(gathered_row(i, world, n) for i in range(total))
    return worker_pb2.ShardStepPlan(plan=local, shard=shard)
