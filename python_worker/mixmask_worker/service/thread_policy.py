"""How the worker's OpenMP threads wait, set before torch is imported (OpenMP reads it once, when torch loads).

By default libgomp's idle threads spin for a while before sleeping, to catch the next parallel region quickly. On a
machine whose cores are shared with other processes, a spinning thread burns the time slice that the thread it waits
for needs: two torch threads on a shared 2-core VM made steps 5–10× slower than one (docs/RESULTS.md). PASSIVE makes
them sleep at once; bench/RESULTS.md ("Threads on a busy machine") has the measurement. An explicit OMP_WAIT_POLICY
or KMP_BLOCKTIME in the worker's environment wins.
"""

from __future__ import annotations

import os
import sys

DEFAULTS = {"OMP_WAIT_POLICY": "PASSIVE", "KMP_BLOCKTIME": "0"}  # libgomp, and Intel's OpenMP if torch uses it


def apply_wait_policy() -> dict[str, str]:
    """Sets the defaults the environment does not override; returns what is in effect. Too late once torch is
    imported in this process (then nothing changes, and the caller is told so by the returned values' absence)."""
    if "torch" in sys.modules:
        return {}
    for key, value in DEFAULTS.items():
        os.environ.setdefault(key, value)
    return {key: os.environ[key] for key in DEFAULTS}
