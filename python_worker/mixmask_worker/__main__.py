"""Entry point: ``python -m mixmask_worker (--socket PATH | --listen HOST:PORT) [--device auto|cpu|cuda] [--threads N]
[--parent-pid PID] [--token-file PATH] [--tls-cert PEM --tls-key PEM] [--dataset-cache DIR]``.

The SDK spawns this process, waits for Hello, forwards its stderr when something fails and kills its process group
on exit. The worker logs to stderr only and prints one line ``mixmask worker ready on unix:PATH (device=..., pid=...)``
(or ``on HOST:PORT``, with the port actually bound) once it serves. With ``--parent-pid`` it exits by itself when
that parent is gone, so no worker is orphaned.

Access (service/access_control.py): the Unix socket's directory must be private to the user; TCP on an address other
machines can reach needs an access token ($MIXMASK_WORKER_TOKEN or ``--token-file``), which every call must then
carry; ``--tls-cert``/``--tls-key`` make the TCP port speak TLS.

Under torchrun (``torchrun --nproc-per-node R -m mixmask_worker --socket-dir DIR --endpoints-file FILE``) the
process is one rank of a group: it serves its own endpoint and rank 0 announces all of them (distributed/,
docs/DISTRIBUTED.md).

Exit codes: 0 after Shutdown, SIGTERM/SIGINT or the parent's death; 2 for bad arguments or an unsafe access setup;
3 when the requested device cannot be used.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import signal
import socket
import stat
import sys
from typing import Optional, Sequence

from mixmask_worker.service.malloc_policy import MallocPolicyError, apply_malloc_policy
from mixmask_worker.service.thread_policy import OtherLoad, apply_wait_policy, threads_advice

WAIT_POLICY = apply_wait_policy()  # before torch loads OpenMP
try:
    MALLOC_POLICY = apply_malloc_policy()  # before torch allocates
except MallocPolicyError as _error:
    print(f"mixmask worker: {_error}", file=sys.stderr, flush=True)
    raise SystemExit(2) from None  # EXIT_BAD_ARGUMENTS, defined below the imports
OTHER_LOAD = OtherLoad()  # measured across the imports below (seconds of torch loading)

import grpc  # noqa: E402
import torch  # noqa: E402

from mixmask_worker.data.zmq_endpoint import BulkPlace, TcpBind
from mixmask_worker.distributed.rank_context import RankSetupError
from mixmask_worker.distributed.rank_launch import RankLaunch, add_rank_arguments, prepare_rank, select_rank_device
from mixmask_worker.generated.mixmask.v1 import worker_pb2
from mixmask_worker.service.access_control import (
    AccessConfigError,
    check_listen_policy,
    check_private_directory,
    read_token,
    split_host_port,
)
from mixmask_worker.service.fault_injection import FaultPlan, FaultSpecError
from mixmask_worker.service.protocol import PROTOCOL_VERSION, configure_stderr_logging
from mixmask_worker.service.server import WorkerServicer, build_server

log = logging.getLogger("mixmask_worker")

EXIT_BAD_ARGUMENTS = 2
EXIT_DEVICE_UNAVAILABLE = 3
PARENT_POLL_SECONDS = 0.5
STOP_GRACE_SECONDS = 2.0
# sockaddr_un.sun_path holds 108 bytes on Linux (104 on macOS) including the terminating NUL.
MAX_SOCKET_PATH_BYTES = 103


def parse_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m mixmask_worker", description="mixmask PyTorch worker (gRPC)")
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--socket", help="Unix socket path to listen on (its directory must be private: mode 0700)")
    where.add_argument("--listen", help="TCP HOST:PORT to listen on; port 0 picks a free one (printed when ready)")
    parser.add_argument("--token-file", help="file holding the access token (else $MIXMASK_WORKER_TOKEN)")
    parser.add_argument("--tls-cert", help="PEM certificate chain: serve TLS on --listen")
    parser.add_argument("--tls-key", help="PEM private key of --tls-cert")
    parser.add_argument("--device", choices=("auto", "cpu", "cuda"), default="auto", help="auto: cuda when available")
    parser.add_argument("--threads", type=int, default=None, help="torch intra-op threads (torch.set_num_threads)")
    parser.add_argument("--parent-pid", type=int, default=None, help="exit when this process is gone")
    parser.add_argument(
        "--dataset-cache", default=None, help="folder of the on-disk dataset cache, keyed by content hash (none: off)"
    )
    add_rank_arguments(parser, where)
    return parser.parse_args(argv)


def resolve_device(requested: str) -> torch.device:
    """auto -> cuda when available, else cpu; cuda without a usable GPU exits with code 3."""
    if requested == "cpu":
        return torch.device("cpu")
    if torch.cuda.is_available():
        return torch.device("cuda", torch.cuda.current_device())
    if requested == "cuda":
        print(
            f"mixmask worker: --device cuda was requested but torch {torch.__version__} sees no usable CUDA device "
            f"(torch.version.cuda = {torch.version.cuda}): run on a GPU machine with a CUDA build of torch, "
            "or use --device cpu / auto",
            file=sys.stderr,
            flush=True,
        )
        raise SystemExit(EXIT_DEVICE_UNAVAILABLE)
    return torch.device("cpu")


def _process_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


async def _watch_parent(parent_pid: int, stop: asyncio.Event) -> None:
    """Sets ``stop`` once the parent is gone: re-parented (getppid changed) or no longer existing."""
    started_under_parent = os.getppid() == parent_pid
    while not stop.is_set():
        if started_under_parent:
            gone = os.getppid() != parent_pid
        else:  # spawned through a wrapper: watch the named process itself
            gone = not _process_exists(parent_pid)
        if gone:
            log.info("parent process %d is gone: stopping", parent_pid)
            stop.set()
            return
        await asyncio.sleep(PARENT_POLL_SECONDS)


def start_facts(device: torch.device) -> worker_pb2.HelloReply:
    """What this process chose and found as it started, for Hello: the wait and malloc policies, and the load of
    other processes with the advice it calls for (CPU only: a GPU step does not wait on CPU threads that way)."""
    other = OTHER_LOAD.cores()
    cores, threads = os.cpu_count() or 1, torch.get_num_threads()
    advice = threads_advice(other, cores, threads) if device.type == "cpu" else None
    if advice:
        log.warning("%s", advice)
    return worker_pb2.HelloReply(
        thread_wait=WAIT_POLICY,
        malloc_policy=MALLOC_POLICY,
        other_cores_busy=-1.0 if other is None else other,
        threads_advice=advice or "",
    )


def claim_socket_path(path: str) -> Optional[str]:
    """Removes a stale socket left by a dead worker; returns why ``path`` cannot be used, or None."""
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        return None
    if not stat.S_ISSOCK(mode):
        return f"{path} exists and is not a socket: remove it or choose another --socket path"
    probe = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        probe.connect(path)
    except ConnectionRefusedError:
        os.unlink(path)  # nobody listens: left behind by a worker that died
        return None
    except OSError as error:
        return f"cannot use {path}: {error.strerror or error}"
    finally:
        probe.close()
    return f"another process is listening on {path}: stop it or choose another --socket path"


def _server_credentials(cert_path: Optional[str], key_path: Optional[str]) -> Optional[grpc.ServerCredentials]:
    if cert_path is None and key_path is None:
        return None
    if cert_path is None or key_path is None:
        raise AccessConfigError("TLS needs both --tls-cert and --tls-key (PEM files)")
    try:
        with open(cert_path, "rb") as cert, open(key_path, "rb") as key:
            return grpc.ssl_server_credentials([(key.read(), cert.read())])
    except OSError as error:
        raise AccessConfigError(f"cannot read {error.filename}: {error.strerror}") from error


async def serve(
    socket_path: Optional[str],
    listen: Optional[str],
    device: torch.device,
    parent_pid: Optional[int],
    token: Optional[str] = None,
    credentials: Optional[grpc.ServerCredentials] = None,
    faults: Optional[FaultPlan] = None,
    dataset_cache: Optional[str] = None,
    launch: Optional[RankLaunch] = None,
) -> int:
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    # The zeromq lane's ipc endpoints live beside the gRPC socket, in the folder the SDK made private (0700). A TCP
    # worker may serve another machine, which cannot reach an ipc path here: it binds tcp endpoints on the interface
    # gRPC listens on, guarded by the same token (zap_handler.py).
    bulk_dir: BulkPlace
    if socket_path is not None:
        bulk_dir = os.path.dirname(os.path.abspath(socket_path))
        if launch is not None:  # ranks share the socket folder: each binds its zeromq endpoints in a folder of its own
            bulk_dir = os.path.join(bulk_dir, f"rank-{launch.context.rank}")
            os.makedirs(bulk_dir, mode=0o700, exist_ok=True)
    else:
        bulk_dir = TcpBind(split_host_port(str(listen))[0], token)
    servicer = WorkerServicer(
        device,
        request_stop=stop.set,
        bulk_dir=bulk_dir,
        dataset_cache_dir=dataset_cache,
        faults=faults,
        rank=None if launch is None else launch.context,
        start_facts=start_facts(device),
    )
    address = f"unix:{socket_path}" if socket_path is not None else str(listen)
    try:
        server, port = build_server(servicer, address, token, credentials)
        if socket_path is None and port == 0:
            raise RuntimeError("the port is taken or the address is not local")
    except RuntimeError as error:
        print(
            f"mixmask worker: cannot listen on {address}: {error} (does the directory exist and is it writable?)",
            file=sys.stderr,
            flush=True,
        )
        servicer.close()
        return EXIT_BAD_ARGUMENTS
    await server.start()
    for signum in (signal.SIGTERM, signal.SIGINT):
        try:
            loop.add_signal_handler(signum, stop.set)
        except (NotImplementedError, RuntimeError):  # not the main thread, or a platform without it
            pass
    watcher = asyncio.create_task(_watch_parent(parent_pid, stop)) if parent_pid else None
    # A rank also ends with its torchrun agent, which may be killed without the chance to stop its ranks.
    agent_watcher = asyncio.create_task(_watch_parent(os.getppid(), stop)) if launch is not None else None
    if socket_path is None:
        address = f"{address.rpartition(':')[0]}:{port}"  # the port actually bound (port 0 picks one)
    if launch is not None:
        address = launch.announce(address, PROTOCOL_VERSION, device)
    servicer.distributed.endpoint = address  # DescribeRank's answer
    access = "".join([", token" if token else "", ", tls" if credentials else ""])
    print(
        f"mixmask worker ready on {address} (device={device}, pid={os.getpid()}, omp wait={WAIT_POLICY}, "
        f"malloc={MALLOC_POLICY}{access})",
        file=sys.stderr,
        flush=True,
    )
    if faults is not None and faults.active:
        log.warning("fault injection is active (MIXMASK_WORKER_FAULTS): %s", faults)
    try:
        await stop.wait()
    finally:
        for task in (watcher, agent_watcher):
            if task is not None:
                task.cancel()
        await server.stop(STOP_GRACE_SECONDS)
        servicer.close()
        if socket_path is not None:
            remove_private_folders(socket_path, bulk_dir)
    log.info("stopped")
    return 0


def remove_private_folders(socket_path: str, bulk_dir: BulkPlace) -> None:
    """Removes the socket, a rank's endpoint folder, and the SDK's ``mixmask-*`` folder once empty: the SDK removes
    that folder too, but not when it was killed (the worker then exits by itself, --parent-pid)."""
    folders = [bulk_dir] if isinstance(bulk_dir, str) else []
    folder = os.path.dirname(os.path.abspath(socket_path))
    if os.path.basename(folder).startswith("mixmask-"):
        folders.append(folder)
    for path in [socket_path, *folders]:
        try:
            os.rmdir(path) if path in folders else os.unlink(path)  # rmdir: only an empty folder, never others' files
        except OSError:
            pass


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = parse_args(argv)
    configure_stderr_logging()
    try:
        token = read_token(args.token_file, os.environ)
        credentials = _server_credentials(args.tls_cert, args.tls_key)
        launch = prepare_rank(args, os.environ)  # a torchrun rank: sets this rank's --socket or --listen
        if args.listen is not None:
            check_listen_policy(split_host_port(args.listen)[0], token)
        else:
            if credentials is not None:
                raise AccessConfigError("--tls-cert/--tls-key apply to --listen (TCP); a Unix socket needs no TLS")
            check_private_directory(args.socket)
        faults = FaultPlan.from_environ()
    except (AccessConfigError, FaultSpecError, RankSetupError) as error:
        print(f"mixmask worker: {error}", file=sys.stderr, flush=True)
        return EXIT_BAD_ARGUMENTS
    if args.listen is not None:
        return _serve_after_checks(args, None, token, credentials, faults, launch)
    if len(os.fsencode(args.socket)) > MAX_SOCKET_PATH_BYTES:
        print(
            f"mixmask worker: --socket path is {len(os.fsencode(args.socket))} bytes, Unix sockets allow at most "
            f"{MAX_SOCKET_PATH_BYTES}: choose a shorter run directory",
            file=sys.stderr,
            flush=True,
        )
        return EXIT_BAD_ARGUMENTS
    problem = claim_socket_path(args.socket)
    if problem is not None:
        print(f"mixmask worker: {problem}", file=sys.stderr, flush=True)
        return EXIT_BAD_ARGUMENTS
    return _serve_after_checks(args, args.socket, token, credentials, faults, launch)


def _serve_after_checks(
    args: argparse.Namespace,
    socket_path: Optional[str],
    token: Optional[str],
    credentials: Optional[grpc.ServerCredentials],
    faults: FaultPlan,
    launch: Optional[RankLaunch] = None,
) -> int:
    if args.threads is not None:
        if args.threads < 1:
            print(f"mixmask worker: --threads expects >= 1, received {args.threads}", file=sys.stderr, flush=True)
            return EXIT_BAD_ARGUMENTS
        torch.set_num_threads(args.threads)
    if launch is None:
        device = resolve_device(args.device)
        return asyncio.run(
            serve(socket_path, args.listen, device, args.parent_pid, token, credentials, faults, args.dataset_cache)
        )
    try:
        select_rank_device(args, launch)
    except RankSetupError as error:
        print(f"mixmask worker: {error}", file=sys.stderr, flush=True)
        return EXIT_BAD_ARGUMENTS
    device = resolve_device(args.device)
    launch = launch.join(device)
    code = asyncio.run(
        serve(socket_path, args.listen, device, args.parent_pid, token, credentials, faults, args.dataset_cache, launch)
    )
    # A rank's compute thread may be stuck in a collective with a rank that died; exiting here ends it instead of
    # waiting for the collective timeout (the process group needs no clean-up: its peers are being stopped too).
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":
    sys.exit(main())
