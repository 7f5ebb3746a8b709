"""Where this process stands in its torch.distributed group, read from the environment torchrun sets.

torchrun (``python -m torch.distributed.run``) starts one process per rank with ``RANK``, ``WORLD_SIZE``,
``LOCAL_RANK``, ``MASTER_ADDR`` and ``MASTER_PORT`` in the environment; ``init_process_group`` reads them (the
``env://`` rendezvous). A worker started without them is not distributed (world size 1).
"""

from __future__ import annotations

import datetime
import socket
import uuid
from dataclasses import dataclass, replace
from typing import Mapping, Optional

import torch
import torch.distributed as dist

# The variables torchrun sets for every rank; all of them must be present to join a group.
TORCHRUN_VARIABLES = ("RANK", "WORLD_SIZE", "LOCAL_RANK", "MASTER_ADDR", "MASTER_PORT")
BACKENDS = ("auto", "gloo", "nccl")


class RankSetupError(ValueError):
    """The environment or options cannot start a rank; the message says what to change."""


@dataclass(frozen=True)
class RankContext:
    """One rank of a launch. ``launch_id`` is empty until the group is joined (rank 0 draws it, all receive it)."""

    rank: int
    world_size: int
    local_rank: int
    backend: str  # "gloo" or "nccl"
    host: str
    launch_id: str = ""

    @property
    def is_lead(self) -> bool:
        """Rank 0: writes checkpoints and the endpoints file, answers evaluation (docs/DISTRIBUTED.md)."""
        return self.rank == 0


def launched_by_torchrun(environ: Mapping[str, str]) -> bool:
    return "WORLD_SIZE" in environ and "RANK" in environ


def read_rank_context(environ: Mapping[str, str], backend: str, device_type: str) -> RankContext:
    """The rank facts of torchrun's environment; ``backend`` "auto" means NCCL on CUDA and gloo on the CPU."""
    missing = [name for name in TORCHRUN_VARIABLES if name not in environ]
    if missing:
        raise RankSetupError(
            f"a distributed worker needs torchrun's environment, but {', '.join(missing)} is not set: start it with "
            "`torchrun --nproc-per-node R -m mixmask_worker ...` (docs/DISTRIBUTED.md)"
        )
    try:
        rank, world_size, local_rank = (int(environ[name]) for name in ("RANK", "WORLD_SIZE", "LOCAL_RANK"))
    except ValueError as error:
        raise RankSetupError(f"torchrun's RANK/WORLD_SIZE/LOCAL_RANK are not integers: {error}") from error
    if not (world_size >= 1 and 0 <= rank < world_size and local_rank >= 0):
        raise RankSetupError(f"RANK={rank}, WORLD_SIZE={world_size}, LOCAL_RANK={local_rank} are inconsistent")
    if backend not in BACKENDS:
        raise RankSetupError(f"--backend {backend!r}: expected one of {', '.join(BACKENDS)}")
    chosen = ("nccl" if device_type == "cuda" else "gloo") if backend == "auto" else backend
    if chosen == "nccl" and device_type != "cuda":
        raise RankSetupError("--backend nccl needs CUDA devices: use gloo (or auto) for CPU ranks")
    return RankContext(rank, world_size, local_rank, chosen, socket.gethostname())


def join_group(context: RankContext, device: torch.device, timeout_s: float) -> RankContext:
    """``init_process_group`` over torchrun's rendezvous, then the launch id drawn by rank 0 and broadcast.

    ``timeout_s`` bounds every collective: a rank that hangs (rather than dies, which peers notice at once) makes
    the others fail after this long instead of waiting forever.
    """
    timeout = datetime.timedelta(seconds=timeout_s)
    kwargs: dict[str, object] = {}
    if device.type == "cuda":
        kwargs["device_id"] = device  # binds NCCL to this rank's GPU (no guessing by rank)
    try:
        dist.init_process_group(backend=context.backend, timeout=timeout, **kwargs)  # type: ignore[arg-type]
    except TypeError:  # an older torch without device_id
        dist.init_process_group(backend=context.backend, timeout=timeout)
    # The launch id lets the SDK tell ranks of this launch from a stale endpoint of an earlier one.
    drawn: list[Optional[str]] = [uuid.uuid4().hex if context.is_lead else None]
    dist.broadcast_object_list(drawn, src=0, device=device if device.type == "cuda" else None)
    return replace(context, launch_id=str(drawn[0]))


def rank_device(requested: str, local_rank: int) -> Optional[torch.device]:
    """The GPU of this rank (``cuda:LOCAL_RANK``) when CUDA is requested or available, else None (the CPU)."""
    if requested == "cpu" or not torch.cuda.is_available():
        return None
    if local_rank >= torch.cuda.device_count():
        raise RankSetupError(
            f"local rank {local_rank} has no GPU: this machine has {torch.cuda.device_count()}; start at most that "
            "many ranks per node (--nproc-per-node)"
        )
    torch.cuda.set_device(local_rank)
    return torch.device("cuda", local_rank)
