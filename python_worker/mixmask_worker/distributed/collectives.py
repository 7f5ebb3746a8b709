"""The few collectives a distributed step adds to DDP's gradient all-reduce, and how their failures are reported.

Every rank calls them in the same order within a step (the plans have the same structure on every rank), which is
what keeps them from deadlocking. When a peer dies, gloo and NCCL raise at once (``Connection reset by peer``); a
peer that hangs makes them raise after the group's timeout. Either way the rank reports RANK_FAILED instead of a
bare RuntimeError, and the SDK, which sees every rank, names the one that died.
"""

from __future__ import annotations

from typing import Iterable, Optional

import torch
import torch.distributed as dist
from torch import Tensor, nn
from torch.nn.modules.batchnorm import _BatchNorm

from mixmask_worker.service.protocol import WorkerError

# Substrings of the RuntimeErrors that torch.distributed's backends raise when a peer is gone or late: gloo raises
# plain RuntimeErrors (``Connection reset by peer``), and older torch versions have no DistError subclasses.
_COLLECTIVE_FAILURE_MARKERS = ("gloo", "nccl", "connection reset", "connection closed", "timed out", "processgroup")


def gather_rows(x: Tensor, world_size: int) -> Tensor:
    """``x [n, ...]`` of every rank -> ``[R·n, ...]``, rank-major (rank 0's rows, then rank 1's, …). No gradient."""
    parts = [torch.empty_like(x) for _ in range(world_size)]
    dist.all_gather(parts, x.contiguous())
    return torch.cat(parts)


def batch_norm_buffers(modules: Iterable[Optional[nn.Module]]) -> list[Tensor]:
    """The running mean and variance of every BatchNorm layer in ``modules`` (None entries skipped)."""
    buffers: list[Tensor] = []
    for module in modules:
        if module is None:
            continue
        for layer in module.modules():
            if isinstance(layer, _BatchNorm) and layer.running_mean is not None and layer.running_var is not None:
                buffers += [layer.running_mean, layer.running_var]
    return buffers


@torch.no_grad()
def average_buffers(buffers: list[Tensor], world_size: int) -> None:
    """Replaces each buffer by its mean over the ranks, in one all-reduce.

    Why: each rank updates its BatchNorm running statistics from its own shard. Their mean is exactly what one
    process computes with SplitBatchNorm over the same groups (the mean of the groups' updates, and the update is
    linear), so after this every rank — rank 0 in particular, which writes checkpoints and evaluates — holds the
    statistics of the whole global batch, whatever the world size.
    """
    if not buffers:
        return
    flat = torch.cat([b.reshape(-1).to(torch.float32) for b in buffers])
    dist.all_reduce(flat)
    flat.div_(world_size)
    offset = 0
    for b in buffers:
        b.copy_(flat[offset : offset + b.numel()].view_as(b))
        offset += b.numel()


def is_collective_failure(error: BaseException) -> bool:
    dist_error = getattr(dist, "DistError", None)
    if dist_error is not None and isinstance(error, dist_error):
        return True
    text = str(error).lower()
    return isinstance(error, RuntimeError) and any(marker in text for marker in _COLLECTIVE_FAILURE_MARKERS)


def rank_failed(rank: int, world_size: int, step: int, error: BaseException) -> WorkerError:
    first_line = (str(error).strip().splitlines() or [type(error).__name__])[0][:400]
    return WorkerError(
        "RANK_FAILED",
        f"rank {rank} of {world_size}: a collective with the other ranks failed at step {step} ({first_line}): "
        "another rank died, hung past the collective timeout or left the group; the SDK names the rank that "
        "failed first, and this run's ranks must be restarted (resume from the last checkpoint)",
        {"rank": rank, "world_size": world_size, "step": step},
    )
