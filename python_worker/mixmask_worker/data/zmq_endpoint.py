"""The worker's end of the zeromq lane: a PULL socket drained by its own thread. pyzmq is optional.

The GPU machines' Python has no pyzmq, so this module imports without it: ``zmq_available()`` says whether the lane
exists, the worker announces the "zmq" capability in Hello only then, and clients use the gRPC lane otherwise.

Each upload or streamed dataset gets its own endpoint (``ipc://`` in the worker's private run directory, next to
its gRPC socket), so a full stream buffer blocks only its own sender, and closing one never drops another's bytes.
The socket's receive high-water mark bounds what zeromq queues while the handler blocks (backpressure to the
client's PUSH socket, whose own high-water mark then makes its sends wait).
"""

from __future__ import annotations

import logging
import os
import threading
from typing import Any, Callable, Optional

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


class PullEndpoint:
    """Binds ``ipc://{directory}/{name}.ipc`` and hands every multipart message to ``on_message`` on its thread.

    ``on_message(frames)`` receives a list of memoryviews (zero-copy; valid while referenced) and returns True to
    keep receiving or False when it expects nothing more. An exception from it goes to ``on_error`` and ends the
    thread.
    """

    def __init__(
        self,
        directory: str,
        name: str,
        on_message: Callable[[list[memoryview]], bool],
        on_error: Callable[[BaseException], None],
    ) -> None:
        if _zmq is None:
            raise RuntimeError("pyzmq is not installed: the zeromq lane is unavailable")
        self.path = os.path.join(directory, f"{name}.ipc")
        self.endpoint = f"ipc://{self.path}"
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
            socket.bind(self.endpoint)
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
            try:
                os.unlink(self.path)
            except OSError:
                pass

    def close(self) -> None:
        """Stops receiving; whatever is still queued is dropped (the caller decided it is not needed)."""
        self._stop.set()
        if threading.current_thread() is not self._thread:
            self._thread.join(timeout=5)
