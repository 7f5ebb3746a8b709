"""How the worker's OpenMP threads wait, set before torch is imported (OpenMP reads it once, when torch loads), and how
busy other processes kept the cores while the worker started.

By default libgomp's idle threads spin 300 000 times before sleeping, to catch the next parallel region quickly. When
another process wants a core, a spinning thread burns the time slice that the thread it waits for needs. Measured on
the 2-core development VM, CPU preset MixMask step, 2 torch threads, wall ms per step (bench/worker/busy_machine.py,
bench/RESULTS.md "Threads on a busy machine"): beside one spinning process, libgomp's default wait took 6 330–7 329 ms,
a 1 000-spin wait 701–703 and PASSIVE (sleep at once) 680–698; on idle cores 273, 278–286 and 288–303 (PASSIVE cost
1.2–1.8× on an Intel VM). So the worker sets GOMP_SPINCOUNT=1000 whatever the load: it holds whenever load comes,
with no guess at start that goes stale, and the thread count, which changes the float rounding of a step (a resumed
run's losses equal an uninterrupted run's, bit for bit), stays what the run asked for.

An explicit OMP_WAIT_POLICY, GOMP_SPINCOUNT or KMP_BLOCKTIME in the worker's environment wins. Other OpenMP runtimes
(LLVM's libomp of macOS builds, Intel's) do not read GOMP_SPINCOUNT and keep their defaults.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from collections.abc import MutableMapping
from typing import Optional

SHORT_SPIN = {"GOMP_SPINCOUNT": "1000"}
USER_SETTINGS = ("OMP_WAIT_POLICY", "GOMP_SPINCOUNT", "KMP_BLOCKTIME")


def torch_openmp() -> Optional[str]:
    """The OpenMP runtime that torch's wheel ships (``libgomp``, ``libiomp5``, ``libomp``), found without importing
    torch; None when torch/lib holds none (a build that links the system's)."""
    spec = importlib.util.find_spec("torch")
    folders = list(spec.submodule_search_locations or []) if spec is not None else []
    for lib in (os.path.join(folder, "lib") for folder in folders):
        names = sorted(os.listdir(lib)) if os.path.isdir(lib) else []
        for runtime in ("libgomp", "libiomp5", "libomp"):
            if any(name.startswith((runtime + ".", runtime + "-")) for name in names):
                return runtime
    return None


def apply_wait_policy(env: Optional[MutableMapping[str, str]] = None, runtime: Optional[str] = "") -> str:
    """Sets the short spin unless the environment chose how to wait; returns what is in effect, for Hello and the
    ready line. Too late once torch is imported in this process: then it says so and changes nothing. ``runtime``:
    torch's OpenMP (default: ``torch_openmp()``); only libgomp reads GOMP_SPINCOUNT, and a system libgomp is
    assumed on Linux when the wheel ships none."""
    env = os.environ if env is None else env
    chosen = [f"{key}={env[key]}" for key in USER_SETTINGS if key in env]
    if chosen:
        return f"{', '.join(chosen)}, from the environment"
    if "torch" in sys.modules:
        return "OpenMP's default (torch was imported before the policy)"
    runtime = torch_openmp() if runtime == "" else runtime
    if runtime is None and sys.platform.startswith("linux"):
        runtime = "libgomp"
    if runtime != "libgomp":
        return f"OpenMP's default ({runtime or 'no libgomp'}: GOMP_SPINCOUNT is libgomp's)"
    env.update(SHORT_SPIN)
    return f"spin {SHORT_SPIN['GOMP_SPINCOUNT']}, then sleep"


def _busy_ticks() -> Optional[tuple[int, int]]:
    """(busy, elapsed) clock ticks summed over all CPUs from /proc/stat; busy counts steal (another guest had the
    core). None without /proc/stat."""
    try:
        with open("/proc/stat", encoding="ascii") as stat:
            fields = [int(v) for v in stat.readline().split()[1:9]]
    except (OSError, ValueError):
        return None
    user, nice, system, idle, iowait, irq, softirq, steal = fields + [0] * (8 - len(fields))
    busy = user + nice + system + irq + softirq + steal
    return busy, busy + idle + iowait


def _process_ticks(pid: int) -> int:
    """utime + stime of a process in clock ticks (0 when it is gone or unreadable)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as stat:
            after_name = stat.read().rpartition(")")[2].split()  # the name may hold spaces and parentheses
        return int(after_name[11]) + int(after_name[12])
    except (OSError, ValueError, IndexError):
        return 0


class OtherLoad:
    """How many cores processes other than this worker and its parent (the SDK, busy starting it) kept busy between
    ``OtherLoad()`` and ``cores()``: the worker measures across its own start-up (importing torch), which costs no
    extra time, and leaves its own and its parent's CPU time out. It is the CPU time the others got, which is less
    than they wanted while the worker competed with them (two spinning processes on 2 cores read about 1.0)."""

    def __init__(self) -> None:
        self.parent_pid = os.getppid()
        self._start = self._sample()

    def _sample(self) -> Optional[tuple[int, int, int]]:
        system = _busy_ticks()
        if system is None:
            return None
        return system[0], system[1], _process_ticks(os.getpid()) + _process_ticks(self.parent_pid)

    def cores(self) -> Optional[float]:
        """Cores kept busy by other processes, averaged over the interval; None when unknown (no /proc, or under a
        tenth of a second of ticks)."""
        end = self._sample()
        if self._start is None or end is None:
            return None
        busy, elapsed, ours = (b - a for a, b in zip(self._start, end))
        cpus = os.cpu_count() or 1
        if elapsed < cpus * os.sysconf("SC_CLK_TCK") // 10:
            return None
        return max(0.0, (busy - ours) / (elapsed / cpus))


def threads_advice(other_cores: Optional[float], cores: int, threads: int) -> Optional[str]:
    """A hint when other processes took so many cores that some of the torch threads must share one: each parallel
    region then waits for the slowest thread (on 2 cores beside one spinning process, 1 thread took 460–508 ms per
    step, 2 threads 701–703; beside two, 704–835 and 1 062–1 560; bench/RESULTS.md). None when every thread has a
    core of its own."""
    if other_cores is None or threads <= 1 or other_cores <= cores - threads + 0.5:
        return None
    free = max(1, int(cores - other_cores + 0.5))
    return (
        f"other processes kept {other_cores:.1f} of {cores} cores busy as the worker started, so its {threads} torch "
        f"threads share cores with them: --threads {free} may be faster while that load lasts"
    )
