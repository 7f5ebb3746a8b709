"""Starting the worker as one rank of a torchrun launch: ``torchrun ... -m mixmask_worker --socket-dir DIR
--endpoints-file DIR/endpoints.json`` (or ``--listen HOST:PORT``; docs/DISTRIBUTED.md).

Order of a rank's start: pick this rank's endpoint and device, join the process group (rank 0 draws the launch id),
serve, then announce every rank's endpoint in the endpoints file (rank 0 writes it once all ranks serve).
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass, replace
from typing import Mapping, Optional

import torch

from mixmask_worker.distributed.rank_context import (
    RankContext,
    RankSetupError,
    join_group,
    launched_by_torchrun,
    rank_device,
    read_rank_context,
)
from mixmask_worker.distributed.rank_endpoints import (
    advertised_address,
    announce_endpoints,
    rank_listen_address,
    rank_socket_path,
)

# Default bound on every collective: long enough for a slow first step (compilation, a cold file cache) on a large
# model; a rank that dies is noticed at once regardless (its peers' connections reset).
DEFAULT_COLLECTIVE_TIMEOUT_S = 600.0


@dataclass(frozen=True)
class RankLaunch:
    context: RankContext
    endpoints_file: Optional[str]
    advertise_host: Optional[str]
    collective_timeout_s: float

    def join(self, device: torch.device) -> "RankLaunch":
        return replace(self, context=join_group(self.context, device, self.collective_timeout_s))

    def announce(self, bound_address: str, protocol_version: int, device: torch.device) -> str:
        """Announces this rank's endpoint (a collective); returns the address as announced."""
        unix = bound_address.startswith("unix:")
        endpoint = bound_address if unix else advertised_address(bound_address, self.advertise_host)
        announce_endpoints(self.context, endpoint, protocol_version, self.endpoints_file, device)
        return endpoint


def add_rank_arguments(parser: argparse.ArgumentParser, where: argparse._MutuallyExclusiveGroup) -> None:
    where.add_argument("--socket-dir", help="torchrun: rank r listens on DIR/rank-r.sock (DIR private: mode 0700)")
    parser.add_argument("--endpoints-file", help="torchrun: rank 0 writes every rank's endpoint here once all serve")
    parser.add_argument("--advertise-host", help="torchrun with --listen: the host name others dial (default: fqdn)")
    parser.add_argument("--backend", default="auto", help="torchrun: auto (nccl on CUDA, gloo on CPU), gloo or nccl")
    parser.add_argument(
        "--collective-timeout-s",
        type=float,
        default=DEFAULT_COLLECTIVE_TIMEOUT_S,
        help="torchrun: a collective waiting on a hung rank fails after this long",
    )


def prepare_rank(args: argparse.Namespace, environ: Mapping[str, str]) -> Optional[RankLaunch]:
    """In a torchrun launch: this rank's launch facts, with ``args.socket`` / ``args.listen`` set to its endpoint.

    Outside torchrun: None (a plain worker), after refusing the rank-only options.
    """
    if not launched_by_torchrun(environ):
        if args.socket_dir is not None or args.endpoints_file is not None:
            raise RankSetupError(
                "--socket-dir and --endpoints-file are for ranks started by torchrun (RANK and WORLD_SIZE are not "
                "set): `torchrun --nproc-per-node R -m mixmask_worker --socket-dir DIR --endpoints-file FILE`"
            )
        return None
    if args.socket is not None:
        raise RankSetupError("under torchrun, give --socket-dir (one socket per rank) instead of --socket")
    if not (args.collective_timeout_s > 0):
        raise RankSetupError(f"--collective-timeout-s expects seconds > 0, received {args.collective_timeout_s}")
    device_type = "cuda" if args.device != "cpu" and torch.cuda.is_available() else "cpu"
    context = read_rank_context(environ, args.backend, device_type)
    if args.socket_dir is not None:
        args.socket = rank_socket_path(args.socket_dir, context.rank)
    else:
        args.listen = rank_listen_address(args.listen, context.local_rank)
    return RankLaunch(context, args.endpoints_file, args.advertise_host, float(args.collective_timeout_s))


def select_rank_device(args: argparse.Namespace, launch: RankLaunch) -> None:
    """Makes this rank's GPU the current one, so that device "auto"/"cuda" resolves to ``cuda:LOCAL_RANK``."""
    rank_device(args.device, launch.context.local_rank)
