"""The worker's end of the zeromq lane: a PULL socket drained by its own thread. pyzmq is optional.

The GPU machines' Python has no pyzmq, so this module imports without it: ``zmq_available()`` says whether the lane
exists, the worker announces the "zmq" capability in Hello only then, and clients use the gRPC lane otherwise.

Each upload or streamed dataset gets its own endpoint, so a full stream buffer blocks only its own sender, and closing
one never drops another's bytes. A worker on a Unix socket binds ``ipc://`` in its private directory, next to its
gRPC socket. A worker on TCP may serve another machine, where that path means nothing: it binds ``tcp://`` on the
interface gRPC listens on, a port of the system's choice, and with an access token every connection must present it
in zeromq's PLAIN handshake, checked by this module's ZAP handler before a byte of data is accepted
(``data/zap_handler.py``).
The socket's receive high-water mark bounds what zeromq queues while the handler blocks (backpressure to the
client's PUSH socket, whose own high-water mark then makes its sends wait).
"""

from __future__ import annotations

import logging
import os
import threading
from dataclasses import dataclass
from typing import Any, Callable, Optional, Union

log = logging.getLogger("mixmask_worker")

try:  # optional dependency: the lane exists only with it
    import zmq as _zmq
except Exception:  # ImportError, or a broken install: either way there is no zeromq lane
    _zmq = None  # type: ignore[assignment]

# Messages zeromq may queue on the receiving side while the handler is busy (each a chunk or a batch).
RECEIVE_HIGH_WATER_MARK = 4
POLL_MS = 200


def zmq_available() -> bool:
    return _zmq is not None


@dataclass(frozen=True)
class TcpBind:
    """Bind endpoints on ``host`` (the interface gRPC listens on); with ``token``, PLAIN-authenticated by it."""

    host: str
    token: Optional[str] = None


# Where endpoints are bound: a private folder (ipc://) or a TCP interface.
BulkPlace = Union[str, TcpBind]


def _tcp_host(host: str) -> str:
    bare = host[1:-1] if host.startswith("[") and host.endswith("]") else host
    if bare == "localhost":  # zeromq binds interfaces and addresses, not host names
        return "127.0.0.1"
    return f"[{bare}]" if ":" in bare else bare


class PullEndpoint:
    """Binds ``ipc://{directory}/{name}.ipc`` (or ``tcp://HOST:*`` for a TcpBind) and hands every multipart message to ``on_message`` on its thread.

    ``on_message(frames)`` receives a list of memoryviews (zero-copy; valid while referenced) and returns True to
    keep receiving or False when it expects nothing more. An exception from it goes to ``on_error`` and ends the
    thread.
    """

    def __init__(
        self,
        place: BulkPlace,
        name: str,
        on_message: Callable[[list[memoryview]], bool],
        on_error: Callable[[BaseException], None],
    ) -> None:
        if _zmq is None:
            raise RuntimeError("pyzmq is not installed: the zeromq lane is unavailable")
        self._tcp = place if isinstance(place, TcpBind) else None
        self.path = None if self._tcp is not None else os.path.join(str(place), f"{name}.ipc")
        # The bound endpoint; for TCP the port is the system's choice, read back once bound.
        self.endpoint = f"ipc://{self.path}" if self._tcp is None else f"tcp://{_tcp_host(self._tcp.host)}:*"
        self._on_message = on_message
        self._on_error = on_error
        self._stop = threading.Event()
        self._bound = threading.Event()
        self._bind_error: Optional[BaseException] = None
        self._thread = threading.Thread(target=self._serve, name=f"mixmask-zmq-{name}", daemon=True)
        self._thread.start()
        self._bound.wait()
        if self._bind_error is not None:
            raise self._bind_error

    def _serve(self) -> None:
        zmq: Any = _zmq
        socket = zmq.Context.instance().socket(zmq.PULL)
        try:
            socket.setsockopt(zmq.RCVHWM, RECEIVE_HIGH_WATER_MARK)
            socket.setsockopt(zmq.LINGER, 0)
            if self._tcp is not None:
                if ":" in _tcp_host(self._tcp.host):
                    socket.setsockopt(zmq.IPV6, 1)
                if self._tcp.token is not None:
                    from mixmask_worker.data.zap_handler import ensure_zap_handler

                    ensure_zap_handler(zmq.Context.instance(), self._tcp.token)
                    socket.setsockopt(zmq.PLAIN_SERVER, 1)
                    socket.setsockopt(zmq.ZAP_DOMAIN, b"mixmask")
            socket.bind(self.endpoint)
            if self._tcp is not None:
                self.endpoint = socket.getsockopt(zmq.LAST_ENDPOINT).decode("ascii")
        except BaseException as error:
            self._bind_error = error
            socket.close()
            self._bound.set()
            return
        self._bound.set()
        try:
            while not self._stop.is_set():
                if not socket.poll(POLL_MS):
                    continue
                frames = socket.recv_multipart(copy=False)
                if not self._on_message([frame.buffer for frame in frames]):
                    break
        except BaseException as error:
            if not self._stop.is_set():
                self._on_error(error)
        finally:
            socket.close()
            if self.path is not None:
                try:
                    os.unlink(self.path)
                except OSError:
                    pass

    def close(self) -> None:
        """Stops receiving; whatever is still queued is dropped (the caller decided it is not needed)."""
        self._stop.set()
        if threading.current_thread() is not self._thread:
            self._thread.join(timeout=5)
