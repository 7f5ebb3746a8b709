"""How the worker's OpenMP threads wait, set before torch is imported (OpenMP reads it once, when torch loads).

By default libgomp's idle threads spin for a while before sleeping, to catch the next parallel region quickly. On a
machine whose cores are busy with other processes, a spinning thread burns the time slice that the thread it waits
for needs: two torch threads on a loaded 2-core VM made steps 5–10× slower than one, and PASSIVE (sleep at once)
fixed that. On idle cores the spinning pays instead: PASSIVE made the CPU preset's MixMask step 1.2× slower at two
threads (1.58 against 1.89 steps/s, interleaved; bench/RESULTS.md, "Threads on a busy machine"). So PASSIVE is set
only when the cores are already busy when the worker starts (1-minute load average within half a core of the core
count); an explicit OMP_WAIT_POLICY or KMP_BLOCKTIME in the worker's environment wins either way.
"""

from __future__ import annotations

import os
import sys
from typing import Optional

PASSIVE = {"OMP_WAIT_POLICY": "PASSIVE", "KMP_BLOCKTIME": "0"}  # libgomp, and Intel's OpenMP if torch uses it


def machine_is_busy(load: Optional[float] = None, cores: Optional[int] = None) -> bool:
    """Whether other processes already keep the cores busy: the 1-minute load average is within half a core of the
    core count. Unknown load (no ``os.getloadavg``) counts as busy, the safe side of the two measurements above."""
    if load is None:
        try:
            load = os.getloadavg()[0]
        except (AttributeError, OSError):
            return True
    cores = cores if cores is not None else (os.cpu_count() or 1)
    return load > cores - 0.5


def apply_wait_policy(load: Optional[float] = None, cores: Optional[int] = None) -> dict[str, str]:
    """Sets PASSIVE waiting when the machine is busy and the environment chose nothing; returns the wait settings in
    effect (empty: OpenMP's defaults). Too late once torch is imported in this process: then nothing changes."""
    if "torch" in sys.modules:
        return {}
    chosen = {key: os.environ[key] for key in PASSIVE if key in os.environ}
    if chosen:
        return chosen
    if not machine_is_busy(load, cores):
        return {}
    os.environ.update(PASSIVE)
    return dict(PASSIVE)
