"""Who may drive the worker: an access token checked on every call, and the rules for where the worker may listen.

A worker executes whatever plans it is sent and writes checkpoints to paths the client names, so a worker that
anyone can reach is a remote file-writing service. Hence:

* TCP on a non-loopback address is refused without a token (``--listen 0.0.0.0:50051`` needs one);
* with a token, every call must carry ``authorization: Bearer <token>``; the comparison is constant-time (HMAC's
  ``compare_digest`` over SHA-256 digests, so neither the content nor the length of the token leaks through timing);
* the local Unix socket must sit in a directory that only the worker's user can enter (mode 0700 or stricter), since
  a socket file's own permissions are not honoured everywhere.

The token comes from the environment variable ``MIXMASK_WORKER_TOKEN`` or from ``--token-file``, never from the
command line, where every local user could read it in ``ps``.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import os
import stat
from typing import Any, Awaitable, Callable, MutableMapping, Optional

import grpc

from mixmask_worker.service.protocol import ERROR_CODE_TRAILER

TOKEN_ENV = "MIXMASK_WORKER_TOKEN"
AUTHORIZATION_METADATA = "authorization"
BEARER = "Bearer "
# Short tokens can be guessed over the network; 16 characters is the floor, 32 random bytes (64 hex) the advice.
MIN_TOKEN_CHARS = 16
INHERITED_FD_PREFIX = "/dev/fd/"


class AccessConfigError(ValueError):
    """A refusal to start: the message says what is unsafe and how to fix it."""


def read_token(token_file: Optional[str], environ: MutableMapping[str, str]) -> Optional[str]:
    """The access token from ``--token-file`` or $MIXMASK_WORKER_TOKEN (removed from ``environ`` once read, so
    nothing the worker starts inherits it); None when neither is given."""
    from_env = environ.pop(TOKEN_ENV, None)
    if token_file is not None:
        try:
            token = _read_descriptor(token_file) if token_file.startswith(INHERITED_FD_PREFIX) else None
            if token is None:
                with open(token_file, encoding="utf-8") as file:
                    check_token_file_mode(token_file, os.fstat(file.fileno()))
                    token = file.read().strip()
        except OSError as error:
            raise AccessConfigError(f"cannot read --token-file {token_file}: {error.strerror or error}") from error
    elif from_env is not None:
        token = from_env.strip()
    else:
        return None
    if len(token) < MIN_TOKEN_CHARS:
        raise AccessConfigError(
            f"the access token has {len(token)} characters, at least {MIN_TOKEN_CHARS} are required: "
            "generate one with `openssl rand -hex 32`"
        )
    return token


def _read_descriptor(path: str) -> Optional[str]:
    """``/dev/fd/N``: the token the parent wrote into an inherited descriptor (the SDK's way: no environment
    variable). Read with ``os.read``, since a socket pair, which Node gives its children, cannot be opened by path."""
    number = path[len(INHERITED_FD_PREFIX) :]
    if not number.isdigit():
        return None
    fd = int(number)
    chunks = []
    while chunk := os.read(fd, 4096):
        chunks.append(chunk)
    os.close(fd)
    return b"".join(chunks).decode("utf-8").strip()


def check_token_file_mode(path: str, info: os.stat_result) -> None:
    """A token file that other users can read is no secret (the rule ssh applies to private keys)."""
    others = stat.S_IMODE(info.st_mode) & 0o077
    if stat.S_ISREG(info.st_mode) and others:
        raise AccessConfigError(
            f"--token-file {path} has mode {stat.S_IMODE(info.st_mode):04o}, so other users can read the token: "
            f"`chmod 600 {path}` (and make a new token if others may have read it)"
        )


def is_loopback_host(host: str) -> bool:
    """True for 127.0.0.0/8, ::1 and the name ``localhost``; every other address (0.0.0.0, [::], names) is not."""
    bare = host[1:-1] if host.startswith("[") and host.endswith("]") else host
    if bare == "localhost":
        return True
    try:
        return ipaddress.ip_address(bare).is_loopback
    except ValueError:
        return False  # a host name other than localhost may resolve to anything: treat it as the network


def split_host_port(listen: str) -> tuple[str, int]:
    """``HOST:PORT`` or ``[V6]:PORT`` -> (host, port); port 0 lets the system choose."""
    host, sep, port = listen.rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 <= int(port) <= 65535:
        raise AccessConfigError(f"--listen expects HOST:PORT (e.g. 127.0.0.1:50051 or [::1]:0), received {listen!r}")
    return host, int(port)


def check_listen_policy(host: str, token: Optional[str]) -> None:
    """Refuses a network-reachable address without a token."""
    if token is None and not is_loopback_host(host):
        raise AccessConfigError(
            f"refusing to listen on {host}, which other machines can reach, without an access token: set "
            f"{TOKEN_ENV} (or --token-file) to a secret of at least {MIN_TOKEN_CHARS} characters and give the "
            "same token to the SDK, or listen on 127.0.0.1"
        )


def check_private_directory(socket_path: str) -> None:
    """The socket's directory must belong to this user and admit nobody else (no group/other permission bits)."""
    directory = os.path.dirname(os.path.abspath(socket_path))
    try:
        info = os.stat(directory)
    except OSError as error:
        raise AccessConfigError(f"cannot use the socket directory {directory}: {error.strerror or error}") from error
    if info.st_uid != os.getuid():
        raise AccessConfigError(
            f"the socket directory {directory} belongs to uid {info.st_uid}, not to this user ({os.getuid()}): "
            "put the socket in a directory of your own (the SDK makes a private one with mkdtemp)"
        )
    others = stat.S_IMODE(info.st_mode) & 0o077
    if others:
        raise AccessConfigError(
            f"the socket directory {directory} has mode {stat.S_IMODE(info.st_mode):04o}, which lets other users "
            f"reach the worker: `chmod 700 {directory}`, or use a private directory (mkdtemp makes one)"
        )


def _token_digest(token: str) -> bytes:
    return hashlib.sha256(token.encode("utf-8")).digest()


class TokenInterceptor(grpc.aio.ServerInterceptor):
    """Refuses every call whose ``authorization`` metadata is not ``Bearer <token>``, before any handler runs."""

    def __init__(self, token: str) -> None:
        self._expected = _token_digest(token)

    def allows(self, metadata: Any) -> bool:
        presented = ""
        for key, value in metadata or ():
            if key == AUTHORIZATION_METADATA:
                presented = value if isinstance(value, str) else value.decode("utf-8", "replace")
        given = presented[len(BEARER) :] if presented.startswith(BEARER) else ""
        # Digests first: compare_digest is constant-time only for inputs of equal length.
        return hmac.compare_digest(_token_digest(given), self._expected)

    async def intercept_service(
        self,
        continuation: Callable[[grpc.HandlerCallDetails], Awaitable[Optional[grpc.RpcMethodHandler]]],
        handler_call_details: grpc.HandlerCallDetails,
    ) -> Optional[grpc.RpcMethodHandler]:
        if self.allows(handler_call_details.invocation_metadata):
            return await continuation(handler_call_details)
        return _REFUSING_HANDLER


async def _refuse(request: Any, context: grpc.aio.ServicerContext) -> None:
    trailer = ((ERROR_CODE_TRAILER, "UNAUTHENTICATED"),)
    context.set_trailing_metadata(trailer)
    await context.abort(
        grpc.StatusCode.UNAUTHENTICATED,
        f"this worker requires an access token: send the token it was started with ({TOKEN_ENV}) as "
        "'authorization: Bearer <token>' (the SDK does this when given the token)",
        trailer,
    )


# A refusal decided on the metadata alone, before any request byte is read: a streaming-request handler makes
# grpcio hand over the call without receiving its message (a unary handler would first receive all of it, up to
# the 256 MiB limit, per call), and without a deserializer no stranger's byte reaches a parser. The client sees
# UNAUTHENTICATED whatever the method's shape; an unknown method is refused the same way, so a stranger learns nothing
# about which methods exist.
_REFUSING_HANDLER = grpc.stream_stream_rpc_method_handler(_refuse, request_deserializer=None, response_serializer=None)
