"""The runs one worker holds, by id, and which of them are in use or unusable.

A Train stream names its run with the ``mixmask-run-id`` call metadata, else the most recently created run is used.
Plans of two streams must not interleave on one model, so a run with an open stream refuses a second one; a run
whose loss went non-finite is refused training and saving until a checkpoint is loaded (diverged_runs.py).
"""

from __future__ import annotations

from typing import Optional, Sequence, Tuple, Union

from mixmask_worker.service.diverged_runs import DivergedRuns
from mixmask_worker.service.protocol import WorkerError
from mixmask_worker.training.run import TrainingRun

# Invocation metadata naming the run a Train stream drives; without it the most recently created run is used.
RUN_ID_METADATA = "mixmask-run-id"

Metadata = Optional[Sequence[Tuple[str, Union[str, bytes]]]]


class RunRegistry:
    """Runs by id, the latest created, the runs with an open Train stream, and the diverged ones."""

    def __init__(self) -> None:
        self.runs: dict[str, TrainingRun] = {}
        self.latest_run_id: Optional[str] = None
        # Run objects (so a re-created run of the same id starts free) with an open Train stream.
        self._training: set[TrainingRun] = set()
        self.diverged = DivergedRuns()

    def add(self, run: TrainingRun) -> None:
        self.runs[run.run_id] = run
        self.latest_run_id = run.run_id

    def get(self, run_id: str) -> TrainingRun:
        run = self.runs.get(run_id)
        if run is None:
            held = ", ".join(sorted(self.runs)) or "none"
            raise WorkerError(
                "RUN_NOT_FOUND",
                f"run {run_id!r} does not exist on this worker (runs: {held}): call CreateRun first "
                "(a restarted worker holds no runs: create the run again and load its checkpoint)",
            )
        return run

    def for_stream(self, metadata: Metadata) -> TrainingRun:
        """The run a Train stream's call metadata names, else the latest one."""
        for key, value in metadata or ():
            if key == RUN_ID_METADATA:
                return self.get(value if isinstance(value, str) else value.decode())
        if self.latest_run_id is None:
            raise WorkerError(
                "RUN_NOT_FOUND",
                "Train needs a run: call CreateRun first (and name it with the 'mixmask-run-id' call metadata)",
            )
        return self.get(self.latest_run_id)

    def open_stream(self, run: TrainingRun) -> None:
        """Marks ``run`` as driven by a stream; refuses a second stream and a diverged run."""
        if run in self._training:
            raise WorkerError(
                "INVALID_ARGUMENT",
                "this run already has an open Train stream; plans of two streams would interleave on one model: "
                "end (or cancel) the first stream before opening another",
            )
        self.diverged.refuse_if_diverged(run, "train")
        self._training.add(run)

    def close_stream(self, run: TrainingRun) -> None:
        self._training.discard(run)
