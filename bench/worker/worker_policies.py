"""The worker process's start-up policies, for bench scripts that run the worker's modules in their own process:
call ``apply_worker_policies()`` before importing torch, as python_worker/mixmask_worker/__main__.py does, so that the
bench steps run under the same OpenMP wait and malloc behaviour as the worker's (both move steps/s several-fold on the
CPU; bench/RESULTS.md, "Step speed on the CPU"). The environment overrides them as it does the worker's."""

from __future__ import annotations

import functools
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "python_worker"))

from mixmask_worker.service.malloc_policy import apply_malloc_policy  # noqa: E402
from mixmask_worker.service.thread_policy import apply_wait_policy  # noqa: E402


# Once per process, as in the worker: a later call (plain_loop.py imported by step_speed.py) gets the first's answer.
@functools.cache
def apply_worker_policies() -> dict[str, str]:
    """Applies both policies; returns what is in effect (``threadWait``, ``malloc``), as the worker's Hello says."""
    return {"threadWait": apply_wait_policy(), "malloc": apply_malloc_policy()}
