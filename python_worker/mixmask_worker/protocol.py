"""Wire-level conventions shared with the TypeScript SDK: the protocol version and how errors travel.

Errors are data (STYLE.md habit 11): every failure the worker reports carries one name of the proto's ``ErrorCode``
enum in the trailing metadata key ``mixmask-error-code``, beside a gRPC status chosen from the table below, and a
message that says what was wrong and how to fix it. The TypeScript client maps the trailer back to the user's error.
"""

from __future__ import annotations

import asyncio
import functools
import json
import logging
import math
import sys
import traceback
from typing import Any, Awaitable, Callable, NoReturn, Optional, TypeVar, Union

import grpc

from mixmask_worker.generated.mixmask.v1 import worker_pb2

# Bump together with src/worker/protocol-version.ts whenever the meaning of a message on the wire changes.
PROTOCOL_VERSION = 3

ERROR_CODE_TRAILER = "mixmask-error-code"
# Optional machine-readable facts about an error (a JSON object), e.g. the step, term and lr of a non-finite loss,
# so the client can report them without parsing the message.
ERROR_DETAILS_TRAILER = "mixmask-error-details"

DetailValue = Union[str, int, float, bool, None]

# Every ErrorCode name of proto/mixmask/v1/worker.proto except the zero value.
ERROR_CODES: frozenset[str] = frozenset(
    name for name in worker_pb2.ErrorCode.keys() if name != "ERROR_CODE_UNSPECIFIED"
)

# ErrorCode name -> the gRPC status it travels with. Codes missing here travel as INTERNAL.
STATUS_FOR_CODE: dict[str, grpc.StatusCode] = {
    "PROTOCOL_MISMATCH": grpc.StatusCode.FAILED_PRECONDITION,
    "INVALID_ARGUMENT": grpc.StatusCode.INVALID_ARGUMENT,
    "DATASET_NOT_FOUND": grpc.StatusCode.NOT_FOUND,
    "RUN_NOT_FOUND": grpc.StatusCode.NOT_FOUND,
    "CHECKPOINT_INVALID": grpc.StatusCode.DATA_LOSS,
    "NON_FINITE_LOSS": grpc.StatusCode.ABORTED,
    "DEVICE_UNAVAILABLE": grpc.StatusCode.INTERNAL,
    "INTERNAL": grpc.StatusCode.INTERNAL,
    "UNAUTHENTICATED": grpc.StatusCode.UNAUTHENTICATED,
    "CHECKPOINT_WRITE_FAILED": grpc.StatusCode.RESOURCE_EXHAUSTED,
    "RANK_FAILED": grpc.StatusCode.ABORTED,
    "MODEL_NOT_FOUND": grpc.StatusCode.NOT_FOUND,
    "EXPORT_FAILED": grpc.StatusCode.FAILED_PRECONDITION,
    "DISK_FULL": grpc.StatusCode.RESOURCE_EXHAUSTED,
}

log = logging.getLogger("mixmask_worker")


class WorkerError(Exception):
    """A failure the worker reports to the client: ``code`` is an ``ErrorCode`` name, the message says the fix."""

    def __init__(self, code: str, message: str, details: Optional[dict[str, DetailValue]] = None) -> None:
        if code not in ERROR_CODES:
            # A typo in the worker itself: report it as the bug it is rather than inventing a code on the wire.
            message = f"{message} [worker bug: unknown error code {code!r}]"
            code = "INTERNAL"
        super().__init__(message)
        self.code = code
        self.message = message
        self.details = details or {}

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"


def invalid_argument(path: str, expected: str, received: object) -> WorkerError:
    """An INVALID_ARGUMENT error in the zod shape: where, what was expected, what came."""
    return WorkerError("INVALID_ARGUMENT", f"{path}: expected {expected}, received {received}")


def as_worker_error(error: BaseException) -> WorkerError:
    """Turns any exception into a WorkerError; unexpected ones become INTERNAL with the traceback's last line.

    The full traceback of an unexpected exception is logged to stderr: the client only sees its last line.
    """
    if isinstance(error, WorkerError):
        return error
    lines = traceback.format_exception(type(error), error, error.__traceback__)
    log.error("unexpected worker exception:\n%s", "".join(lines).rstrip())
    last = "".join(traceback.format_exception_only(type(error), error)).strip().splitlines()
    summary = last[-1] if last else type(error).__name__
    return WorkerError(
        "INTERNAL",
        f"{summary} (a bug in the python worker; its stderr holds the full traceback: please report it)",
    )


async def abort_with_error(context: grpc.aio.ServicerContext, error: BaseException) -> NoReturn:
    """Ends the current RPC with the error's gRPC status and the ``mixmask-error-code`` trailer.

    ``context.abort`` raises; callers simply ``await`` this function from their ``except`` block.
    """
    worker_error = as_worker_error(error)
    status = STATUS_FOR_CODE.get(worker_error.code, grpc.StatusCode.INTERNAL)
    trailer: tuple[tuple[str, str], ...] = ((ERROR_CODE_TRAILER, worker_error.code),)
    if worker_error.details:
        safe = {key: _json_safe(value) for key, value in worker_error.details.items()}
        trailer += ((ERROR_DETAILS_TRAILER, json.dumps(safe, allow_nan=False)),)
    context.set_trailing_metadata(trailer)
    await context.abort(status, worker_error.message, trailer)
    # context.abort always raises; this line keeps type checkers and very old grpcio honest.
    raise worker_error


def _json_safe(value: DetailValue) -> DetailValue:
    """JSON has no NaN or infinity, the very values a NON_FINITE_LOSS reports: they travel as "nan", "inf", "-inf"."""
    if isinstance(value, float) and not math.isfinite(value):
        return repr(value)
    return value


def is_grpc_abort(error: BaseException) -> bool:
    """True for the exception ``context.abort`` raises, which must propagate untouched."""
    abort_error = getattr(grpc.aio, "AbortError", None)
    return abort_error is not None and isinstance(error, abort_error)


Handler = TypeVar("Handler", bound=Callable[..., Awaitable[Any]])


def reporting_errors(handler: Handler) -> Handler:
    """Wraps a unary-response handler (a method) so any failure ends the call with its ErrorCode trailer."""

    @functools.wraps(handler)
    async def wrapper(self: Any, request: Any, context: grpc.aio.ServicerContext) -> Any:
        try:
            return await handler(self, request, context)
        except asyncio.CancelledError:
            raise
        except Exception as error:
            if is_grpc_abort(error):
                raise
            await abort_with_error(context, error)

    return wrapper  # type: ignore[return-value]


def configure_stderr_logging(level: int = logging.INFO) -> None:
    """The worker logs to stderr only: its stdout is never read, stderr is forwarded by the SDK on failures."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s mixmask_worker %(levelname)s %(message)s"))
    log.handlers[:] = [handler]
    log.setLevel(level)
    log.propagate = False
