"""Faults injected on purpose, so the SDK's reliability tests exercise the real recovery paths of a real worker.

Off unless the environment variable ``MIXMASK_WORKER_FAULTS`` is set (the SDK never sets it by itself; tests and
docs/RELIABILITY.md do). A comma-separated list of:

* ``nan-loss@STEP[:TERM]``  the read-back losses of step STEP report NaN for term TERM (default 0) and the total,
                            exactly as a diverged step would reach the client;
* ``exit@STEP``             the process writes a line to stderr and exits with code 70 when the plan of STEP arrives,
                            as a crash (segfault, OOM kill) mid-training would end it;
* ``stall@STEP:SECONDS``    the compute thread sleeps SECONDS before running STEP, as a hung device would.

A malformed specification stops the worker at start with exit code 2, never silently injecting nothing.
"""

from __future__ import annotations

import math
import os
import sys
import time
from dataclasses import dataclass, field
from typing import Any, Mapping, Optional

FAULTS_ENV = "MIXMASK_WORKER_FAULTS"
EXIT_INJECTED_CRASH = 70


class FaultSpecError(ValueError):
    pass


@dataclass
class FaultPlan:
    nan_loss: dict[int, int] = field(default_factory=dict)  # step -> term index
    exit_at: set[int] = field(default_factory=set)
    stall: dict[int, float] = field(default_factory=dict)  # step -> seconds

    @property
    def active(self) -> bool:
        return bool(self.nan_loss or self.exit_at or self.stall)

    @staticmethod
    def parse(spec: str) -> "FaultPlan":
        faults = FaultPlan()
        for item in filter(None, (part.strip() for part in spec.split(","))):
            kind, sep, where = item.partition("@")
            step_text, _, arg = where.partition(":")
            if not sep or not step_text.isdigit():
                raise FaultSpecError(
                    f"{FAULTS_ENV}: {item!r} is not KIND@STEP[:ARG] (e.g. nan-loss@6, exit@5, stall@2:30)"
                )
            step = int(step_text)
            if kind == "nan-loss":
                if arg and not arg.isdigit():
                    raise FaultSpecError(f"{FAULTS_ENV}: {item!r}: the term index must be an integer >= 0")
                faults.nan_loss[step] = int(arg or 0)
            elif kind == "exit" and not arg:
                faults.exit_at.add(step)
            elif kind == "stall":
                try:
                    seconds = float(arg)
                except ValueError:
                    seconds = math.nan
                if not (math.isfinite(seconds) and seconds > 0):
                    raise FaultSpecError(f"{FAULTS_ENV}: {item!r}: stall needs seconds > 0 (stall@STEP:SECONDS)")
                faults.stall[step] = seconds
            else:
                raise FaultSpecError(
                    f"{FAULTS_ENV}: unknown fault {item!r}: use nan-loss@STEP[:TERM], exit@STEP or stall@STEP:SECONDS"
                )
        return faults

    @staticmethod
    def from_environ(environ: Optional[Mapping[str, str]] = None) -> "FaultPlan":
        return FaultPlan.parse((environ if environ is not None else os.environ).get(FAULTS_ENV, ""))

    def before_step(self, step: int) -> None:
        """Runs on the compute thread before the step executes."""
        if step in self.exit_at:
            print(f"mixmask worker: injected crash at step {step} ({FAULTS_ENV})", file=sys.stderr, flush=True)
            os._exit(EXIT_INJECTED_CRASH)  # no clean-up, no reply: like a process killed mid-step
        seconds = self.stall.get(step)
        if seconds is not None:
            time.sleep(seconds)

    def after_step(self, pending: Any) -> None:
        """Poisons the read-back values of a chosen step: [total, term 0, …, term T−1, top-1]."""
        term = self.nan_loss.get(int(pending.step))
        if term is None:
            return
        if pending.ready is not None:
            pending.ready.synchronize()  # the device->host copy must land before we overwrite it
        values = pending.values
        index = 1 + min(term, values.numel() - 3)
        values[index] = math.nan
        values[0] = math.nan
