"""Each rank serves its own endpoint and the launch announces them all in one file the SDK waits for.

Endpoints: with ``--socket-dir DIR`` rank r listens on ``DIR/rank-r.sock`` (the directory must be private, as for
one worker); with ``--listen HOST:PORT`` rank r listens on ``PORT + LOCAL_RANK`` of its machine (port 0: any free
port) and is announced as ``ADVERTISE_HOST:PORT``. Once every rank serves, rank 0 gathers the addresses with
``all_gather_object`` and writes the endpoints file atomically (temporary file, fsync, rename), so the SDK never
reads a partial list and a file present means that every rank answers.
"""

from __future__ import annotations

import json
import os
import socket
from typing import Any, Optional

import torch
import torch.distributed as dist

from mixmask_worker.distributed.rank_context import RankContext, RankSetupError

ENDPOINTS_FORMAT = "mixmask-endpoints"
ENDPOINTS_VERSION = 1
WILDCARD_HOSTS = ("0.0.0.0", "::", "[::]", "")


def rank_socket_path(socket_dir: str, rank: int) -> str:
    return os.path.join(socket_dir, f"rank-{rank}.sock")


def rank_listen_address(listen: str, local_rank: int) -> str:
    """``HOST:PORT`` of this rank: the base port plus the local rank (port 0 stays 0: the system picks one)."""
    host, _, port_text = listen.rpartition(":")
    try:
        port = int(port_text)
    except ValueError as error:
        raise RankSetupError(f"--listen {listen!r}: expected HOST:PORT") from error
    return f"{host}:{port + local_rank if port else 0}"


def advertised_address(bound: str, advertise_host: Optional[str]) -> str:
    """What other machines dial: the bound ``HOST:PORT`` with a wildcard host replaced by this machine's name."""
    host, _, port = bound.rpartition(":")
    if advertise_host:
        return f"{advertise_host}:{port}"
    if host in WILDCARD_HOSTS:
        return f"{socket.getfqdn()}:{port}"
    return bound


def announce_endpoints(
    context: RankContext, endpoint: str, protocol_version: int, endpoints_file: Optional[str], device: torch.device
) -> list[dict[str, Any]]:
    """Gathers every rank's endpoint (a collective: all ranks call it once serving); rank 0 writes the file."""
    mine = {
        "rank": context.rank,
        "localRank": context.local_rank,
        "host": context.host,
        "pid": os.getpid(),
        "endpoint": endpoint,
    }
    gathered: list[Any] = [None] * context.world_size
    dist.all_gather_object(gathered, mine)
    entries = sorted((dict(e) for e in gathered), key=lambda e: int(e["rank"]))
    if context.is_lead and endpoints_file:
        write_endpoints_file(
            endpoints_file,
            {
                "format": ENDPOINTS_FORMAT,
                "version": ENDPOINTS_VERSION,
                "protocolVersion": protocol_version,
                "launchId": context.launch_id,
                "worldSize": context.world_size,
                "backend": context.backend,
                "ranks": entries,
            },
        )
    return entries


def write_endpoints_file(path: str, content: dict[str, Any]) -> None:
    directory = os.path.dirname(os.path.abspath(path))
    temporary = f"{path}.{os.getpid()}.tmp"
    with open(temporary, "w", encoding="utf-8") as out:
        json.dump(content, out, indent=2)
        out.write("\n")
        out.flush()
        os.fsync(out.fileno())
    os.replace(temporary, path)
    descriptor = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
