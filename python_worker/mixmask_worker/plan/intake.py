"""The first gate a StepPlan passes: its size on the wire, then whether it decodes at all.

The Train stream's deserializer never raises: an oversized or undecodable message becomes a RejectedPlan, which the
stream reports as INVALID_ARGUMENT in step order, after the results of the plans before it. (An exception inside a
gRPC deserializer would end the call with a bare INTERNAL status and no ``mixmask-error-code``.) The worker keeps
serving other calls and streams either way. Field-level checks follow in plan/validation.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Union

from google.protobuf.message import DecodeError

from mixmask_worker.generated.mixmask.v1 import worker_pb2
from mixmask_worker.service.protocol import WorkerError

# A plan holds about 150 bytes per sample (indices, two views' parameters, partners, term orders): a batch of 8192
# is ~1.2 MiB. Anything past 16 MiB is not a plan the SDK made, and parsing it would only cost memory.
MAX_PLAN_BYTES = 16 * 1024 * 1024


@dataclass(frozen=True)
class RejectedPlan:
    """A message on the Train stream that is not a usable StepPlan; ``reason`` says why."""

    reason: str


def parse_plan(data: bytes) -> Union[worker_pb2.StepPlan, RejectedPlan]:
    """The Train stream's request deserializer: a StepPlan, or a RejectedPlan instead of an exception."""
    if len(data) > MAX_PLAN_BYTES:
        return RejectedPlan(
            f"a StepPlan of {len(data)} bytes exceeds the worker's limit of {MAX_PLAN_BYTES} bytes (plans hold about "
            "150 bytes per sample): send smaller batches, or check that the client sends StepPlans on this stream"
        )
    try:
        return worker_pb2.StepPlan.FromString(data)
    except (DecodeError, ValueError, RuntimeError) as error:
        return RejectedPlan(
            f"a message of {len(data)} bytes on the Train stream is not a StepPlan ({type(error).__name__}: "
            f"{error}): the client and worker disagree on the protocol, or the bytes were damaged"
        )


def accept_plan(plan: Union[worker_pb2.StepPlan, RejectedPlan], received: int) -> worker_pb2.StepPlan:
    """The plan itself, or WorkerError(INVALID_ARGUMENT) naming the ``received``-th message (0-based) of the stream."""
    if isinstance(plan, RejectedPlan):
        raise WorkerError("INVALID_ARGUMENT", f"Train stream message {received}: {plan.reason}")
    return plan
