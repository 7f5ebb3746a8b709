"""The Train stream (and, with another step function, TrainShard): plans in, results out, in order.

A reader task takes each plan as it arrives and runs the step on the compute thread; the step returns as soon as its
work is enqueued on the device, with a PendingResult. The stream yields each pending result as soon as it is ready
(awaited on the readback thread on CUDA, immediate on CPU), never waiting for the next plan: the client keeps a
bounded number of plans in flight and waits on results. An error ends the stream after the results of the steps
before it.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any, AsyncIterator, Callable, Optional

import grpc

from mixmask_worker.generated.mixmask.v1 import worker_pb2
from mixmask_worker.plan.intake import accept_plan
from mixmask_worker.service.protocol import WorkerError, abort_with_error, is_grpc_abort
from mixmask_worker.service.worker_context import WorkerContext
from mixmask_worker.training.run import TrainingRun
from mixmask_worker.training.step_result import PendingResult

# (run, plan, received_at) -> the step's pending result, on the compute thread.
StepFunction = Callable[[TrainingRun, Any, float], PendingResult]


def plain_step(run: TrainingRun, plan: worker_pb2.StepPlan, received_at: float) -> PendingResult:
    return run.step(plan, received_at)


def plain_step_number(plan: worker_pb2.StepPlan) -> int:
    return int(plan.step)


class _StreamEnd:
    """Marks the end of the plan stream in the pending-results queue."""


class _StreamFailure:
    def __init__(self, error: BaseException) -> None:
        self.error = error


class TrainStream:
    """One handler of a stream-stream RPC of plans: Train (``plain_step``) or TrainShard (distributed/).

    ``stream`` is the handler (a bound async generator method: grpc.aio tells streaming handlers by
    ``inspect.isasyncgenfunction``, which a callable object would fail)."""

    def __init__(
        self,
        ctx: WorkerContext,
        step: StepFunction = plain_step,
        step_number: Callable[[Any], int] = plain_step_number,
    ) -> None:
        self.ctx = ctx
        self._step_fn = step
        self._step_number = step_number

    async def stream(
        self, request_iterator: AsyncIterator[Any], context: grpc.aio.ServicerContext
    ) -> AsyncIterator[worker_pb2.StepResult]:
        loop = asyncio.get_running_loop()
        pending: asyncio.Queue[Any] = asyncio.Queue()
        reader: Optional[asyncio.Task[None]] = None
        run: Optional[TrainingRun] = None
        registry = self.ctx.runs
        try:
            candidate = registry.for_stream(context.invocation_metadata())
            registry.open_stream(candidate)
            run = candidate  # ours to release in `finally` only once opened

            async def read_plans() -> None:
                received = 0
                try:
                    async for message in request_iterator:
                        received_at = time.perf_counter()
                        plan = accept_plan(message, received)
                        received += 1
                        result = await loop.run_in_executor(self.ctx.compute, self._step, candidate, plan, received_at)
                        pending.put_nowait(result)
                    pending.put_nowait(_StreamEnd())
                except asyncio.CancelledError:
                    raise
                except BaseException as error:  # reported by the writer, in order after earlier results
                    pending.put_nowait(_StreamFailure(error))

            reader = asyncio.create_task(read_plans())
            while True:
                item = await pending.get()
                if isinstance(item, _StreamEnd):
                    return
                if isinstance(item, _StreamFailure):
                    raise item.error
                try:
                    result = await self._resolve(item)
                except WorkerError as error:
                    if error.code == "NON_FINITE_LOSS":
                        registry.diverged.record(candidate, error)
                    raise
                yield result
        except asyncio.CancelledError:
            raise
        except Exception as error:
            if is_grpc_abort(error):
                raise
            await abort_with_error(context, error)
        finally:
            if reader is not None:
                reader.cancel()
            if run is not None:
                registry.close_stream(run)

    def _step(self, run: TrainingRun, plan: Any, received_at: float) -> PendingResult:
        """One plan on the compute thread, with any fault injected for the reliability tests around it."""
        self.ctx.faults.before_step(self._step_number(plan))
        result = self._step_fn(run, plan, received_at)
        self.ctx.faults.after_step(result)
        return result

    async def _resolve(self, pending: PendingResult) -> worker_pb2.StepResult:
        if pending.ready is None:
            return pending.resolve()
        return await self.ctx.on_readback(pending.resolve)
