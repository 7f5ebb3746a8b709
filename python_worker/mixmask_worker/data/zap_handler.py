"""The access token on the zeromq lane over TCP: a ZAP handler (ZeroMQ RFC 27) that admits a PLAIN handshake only when
its password is the worker's token.

A TCP worker's zeromq endpoints are reachable by whoever reaches its gRPC port, so they need the same guard as the
gRPC calls (service/access_control.py). zeromq runs the check inside the handshake: a peer that fails it never gets
a byte into the PULL socket's queue. The comparison is the one TokenInterceptor uses (SHA-256 digests,
``compare_digest``), so timing leaks neither the token nor its length. PLAIN sends the token in the clear, as the
bearer token does on a plaintext gRPC port: TLS is not available on this lane, so use the gRPC lane (``--lane
grpc``) where the network is not trusted.

libzmq consults the handler bound at ``inproc://zeromq.zap.01`` of the socket's context; with no handler bound, a
PLAIN server admits everyone. Hence one handler per context, started (and bound) before the first guarded socket.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import threading
from typing import Any, Optional

log = logging.getLogger("mixmask_worker")

ZAP_ENDPOINT = "inproc://zeromq.zap.01"
ZAP_VERSION = b"1.0"
POLL_MS = 200

_lock = threading.Lock()
_handler: Optional["_ZapHandler"] = None


def token_digest(token: str) -> bytes:
    return hashlib.sha256(token.encode("utf-8")).digest()


def admits(mechanism: bytes, password: bytes, expected_digest: bytes) -> bool:
    """Only PLAIN, and only with the token as its password (the user name is not checked)."""
    given = hashlib.sha256(password).digest()
    return mechanism == b"PLAIN" and hmac.compare_digest(given, expected_digest)


def ensure_zap_handler(context: Any, token: str) -> None:
    """Starts the handler of ``context`` once; later calls must give the same token (one token per worker)."""
    global _handler
    with _lock:
        if _handler is None:
            _handler = _ZapHandler(context, token_digest(token))
        elif not hmac.compare_digest(_handler.expected, token_digest(token)):
            raise RuntimeError("the zeromq lane's ZAP handler already checks another token")


class _ZapHandler:
    def __init__(self, context: Any, expected: bytes) -> None:
        import zmq

        self.expected = expected
        self._socket = context.socket(zmq.REP)
        self._socket.setsockopt(zmq.LINGER, 0)
        self._socket.bind(ZAP_ENDPOINT)  # bound here, before any guarded socket is, so none runs unchecked
        threading.Thread(target=self._serve, name="mixmask-zap", daemon=True).start()

    def _serve(self) -> None:
        socket = self._socket
        while True:
            try:
                if not socket.poll(POLL_MS):
                    continue
                frames = socket.recv_multipart()
            except Exception:  # the context was terminated at exit
                return
            # version, request id, domain, address, identity, mechanism, credentials... (RFC 27)
            request_id = frames[1] if len(frames) > 1 else b""
            mechanism = frames[5] if len(frames) > 5 else b""
            password = frames[7] if len(frames) > 7 else b""
            ok = len(frames) >= 6 and frames[0] == ZAP_VERSION and admits(mechanism, password, self.expected)
            if not ok:
                address = frames[3].decode("ascii", "replace") if len(frames) > 3 else "?"
                log.warning("zeromq lane: refused a connection from %s without the access token", address)
            status = (b"200", b"OK") if ok else (b"400", b"the worker's access token is required")
            socket.send_multipart([ZAP_VERSION, request_id, *status, b"mixmask" if ok else b"", b""])
