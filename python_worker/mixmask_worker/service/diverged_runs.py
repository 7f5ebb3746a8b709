"""Runs whose loss became NaN or infinite: their weights are unusable until a good checkpoint is loaded.

A step's loss is read back after later steps were already enqueued (the worker never waits on the device), so by the
time a non-finite loss is seen, up to plans-in-flight − 1 further optimizer steps have run on the damaged weights.
Whatever the client does next, the run must not be trained on or checkpointed in that state: a checkpoint written
now would overwrite good state with NaN weights. LoadCheckpoint clears the mark.
"""

from __future__ import annotations

import weakref
from typing import Any

from mixmask_worker.service.protocol import WorkerError


class DivergedRuns:
    """Remembers, per run object, the NON_FINITE_LOSS error that made it unusable."""

    def __init__(self) -> None:
        self._errors: "weakref.WeakKeyDictionary[Any, WorkerError]" = weakref.WeakKeyDictionary()

    def record(self, run: Any, error: WorkerError) -> None:
        self._errors.setdefault(run, error)  # the first divergence is the one to report

    def clear(self, run: Any) -> None:
        self._errors.pop(run, None)

    def refuse_if_diverged(self, run: Any, action: str) -> None:
        """Raises NON_FINITE_LOSS when ``run`` diverged, naming the step and what to do instead of ``action``."""
        error = self._errors.get(run)
        if error is None:
            return
        step = error.details.get("step", "?")
        raise WorkerError(
            "NON_FINITE_LOSS",
            f"cannot {action}: run {getattr(run, 'run_id', '?')!r} diverged at step {step} and its weights are not "
            "usable: LoadCheckpoint the last good checkpoint first (the SDK's --resume does this)",
            dict(error.details),
        )
