"""Wire-level conventions shared with the TypeScript SDK: the protocol version and how errors travel.

Errors are data: every failure the worker reports carries one name of the proto's ``ErrorCode`` enum (the one table
of error codes, mirrored by the ErrorCode union of src/errors.ts) in the trailing metadata key ``mixmask-error-code``,
beside a gRPC status chosen from the table below, and a message that says what was wrong and how to fix it. A request
with several problems also lists them, one JSON object each, in ``mixmask-error-issues``, which the TypeScript client
turns into ``MixmaskError.issues``.
"""

from __future__ import annotations

import asyncio
import functools
import json
import logging
import math
import re
import sys
import traceback
from dataclasses import dataclass
from typing import Any, Awaitable, Callable, NoReturn, Optional, Sequence, TypeVar, Union

import grpc

from mixmask_worker.generated.mixmask.v1 import worker_pb2

# Bump together with src/worker/protocol-version.ts whenever the meaning of a message on the wire changes.
PROTOCOL_VERSION = 3

ERROR_CODE_TRAILER = "mixmask-error-code"
# Optional machine-readable facts about an error (a JSON object), e.g. the step, term and lr of a non-finite loss,
# so the client can report them without parsing the message.
ERROR_DETAILS_TRAILER = "mixmask-error-details"

# Every problem of a request, one JSON object each ({"path", "message", "expected"?, "received"?}), as a JSON array.
ERROR_ISSUES_TRAILER = "mixmask-error-issues"
# Metadata travels in HTTP/2 headers (8 KiB by default in gRPC): the issue list is cut to stay well below.
MAX_ISSUES_TRAILER_BYTES = 6000

DetailValue = Union[str, int, float, bool, None]

# The ErrorCode names of proto/mixmask/v1/worker.proto the worker may report: those below 100 (the zero value aside);
# the codes from 100 on are raised by the SDK alone.
SDK_ONLY_CODES_FROM = 100
ERROR_CODES: frozenset[str] = frozenset(
    name for name, number in worker_pb2.ErrorCode.items() if 0 < number < SDK_ONLY_CODES_FROM
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
}

log = logging.getLogger("mixmask_worker")


@dataclass(frozen=True)
class Issue:
    """One problem of a request, in the shape of the SDK's ErrorIssue: where, and what was expected and received."""

    path: str
    message: str
    expected: Optional[str] = None
    received: Optional[str] = None

    @classmethod
    def mismatch(cls, path: str, expected: str, received: object) -> "Issue":
        return cls(path, f"expected {expected}, received {received}", expected, str(received))

    @classmethod
    def from_text(cls, text: str) -> "Issue":
        """An issue from its one-line form ``path: expected E, received R`` (or ``path: message``)."""
        match = _ISSUE_TEXT.match(text)
        if match is None:
            return cls("", text)
        path, message = match.group("path"), match.group("message")
        mismatch = _MISMATCH_TEXT.match(message)
        if mismatch is None:
            return cls(path, message)
        return cls(path, message, mismatch.group("expected"), mismatch.group("received"))

    def text(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message

    def as_json(self) -> dict[str, str]:
        entry = {"path": self.path, "message": self.message}
        if self.expected is not None:
            entry["expected"] = self.expected
        if self.received is not None:
            entry["received"] = self.received
        return entry


_ISSUE_TEXT = re.compile(r"^(?P<path>[^\s:]+): (?P<message>.*)$", re.DOTALL)
_MISMATCH_TEXT = re.compile(r"^expected (?P<expected>.*), received (?P<received>.*)$", re.DOTALL)


class WorkerError(Exception):
    """A failure the worker reports to the client: ``code`` is an ``ErrorCode`` name, the message says the fix;
    ``issues`` lists each problem of an invalid request (they are also spelled out in the message)."""

    def __init__(
        self,
        code: str,
        message: str,
        details: Optional[dict[str, DetailValue]] = None,
        issues: Sequence[Union[Issue, str]] = (),
    ) -> None:
        if code not in ERROR_CODES:
            # A typo in the worker itself: report it as the bug it is rather than inventing a code on the wire.
            message = f"{message} [worker bug: unknown error code {code!r}]"
            code = "INTERNAL"
        super().__init__(message)
        self.code = code
        self.message = message
        self.details = details or {}
        self.issues = [issue if isinstance(issue, Issue) else Issue.from_text(issue) for issue in issues]

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"


def invalid_argument(path: str, expected: str, received: object) -> WorkerError:
    """An INVALID_ARGUMENT error in the zod shape: where, what was expected, what came."""
    issue = Issue.mismatch(path, expected, received)
    return WorkerError("INVALID_ARGUMENT", issue.text(), issues=[issue])


def invalid_request(summary: str, issues: Sequence[Union[Issue, str]]) -> WorkerError:
    """INVALID_ARGUMENT for a request with one or more problems: ``summary`` then each issue, "; "-separated in the
    message and one by one in the issues trailer."""
    listed = [issue if isinstance(issue, Issue) else Issue.from_text(issue) for issue in issues]
    return WorkerError("INVALID_ARGUMENT", summary + "; ".join(issue.text() for issue in listed), issues=listed)


def issues_trailer(issues: Sequence[Issue]) -> Optional[str]:
    """The JSON array of the issues trailer, cut (whole entries) to MAX_ISSUES_TRAILER_BYTES; None for no issues."""
    if not issues:
        return None
    entries: list[dict[str, str]] = []
    for issue in issues:
        candidate = json.dumps([*entries, issue.as_json()], ensure_ascii=True)
        if len(candidate) > MAX_ISSUES_TRAILER_BYTES:
            break
        entries.append(issue.as_json())
    return json.dumps(entries, ensure_ascii=True) if entries else None


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
    listed = issues_trailer(worker_error.issues)
    if listed is not None:
        trailer += ((ERROR_ISSUES_TRAILER, listed),)
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
