"""How the worker's C allocator (glibc's malloc) treats freed memory, set once when the worker starts.

A training step frees its activations and the next step allocates the same sizes again. With glibc's defaults the
freed memory goes back to the kernel: blocks above the mmap threshold (at most 32 MiB) are unmapped, a heap whose
free top exceeds the trim threshold is trimmed, an empty thread heap is unmapped. So every step gets fresh pages
and faults each one in: 11 000–47 000 minor page faults per step of the CPU preset on the 2-core development VM,
20–30 µs of CPU time each, up to 60 % of the step; 1.2 million per step at batch 256, width 32 (bench/RESULTS.md,
"Freed memory kept in the process"). PyTorch's CPU tensors come straight from malloc, with no caching allocator in between.

The worker therefore keeps what it frees, for the next step to reuse: no mmap'd blocks (M_MMAP_MAX = 0; a block too
large for a thread heap comes from the main heap), no trimming (M_TRIM_THRESHOLD at its maximum), and thread heaps
never unmapped (M_TOP_PAD above a thread heap's 64 MiB). The cost: the process holds its peak footprint until it
exits, which a training worker reaches every step anyway, plus what freed blocks too small for the next requests
keep: peak RSS 738 MB against glibc's 770 for the CPU preset, 2 511 against 1 938 MB (+30 %) at width 32, batch 256.

``MIXMASK_WORKER_MALLOC=system`` keeps glibc's behaviour. So do a glibc tunable (``MALLOC_*_``, ``GLIBC_TUNABLES``)
or an allocator preloaded (``LD_PRELOAD``, e.g. jemalloc or tcmalloc) in the environment: the user chose already.
A C library other than glibc (macOS, musl) is left as it is.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import platform
from collections.abc import Mapping
from typing import Optional

ENVIRONMENT_VARIABLE = "MIXMASK_WORKER_MALLOC"
CHOICES = ("retain", "system")

# mallopt parameters (glibc's malloc.h) and the values that keep freed memory in the process.
M_TRIM_THRESHOLD, M_TOP_PAD, M_MMAP_MAX = -1, -2, -4
RETAIN = ((M_MMAP_MAX, 0), (M_TRIM_THRESHOLD, 2**31 - 1), (M_TOP_PAD, 128 << 20))


class MallocPolicyError(ValueError):
    """The environment asks for a policy that does not exist."""


def chosen_elsewhere(env: Mapping[str, str]) -> Optional[str]:
    """Why the environment already decides how malloc behaves (a reason for the ready line), or None."""
    tunables = sorted(key for key in env if key.startswith("MALLOC_") and key.endswith("_"))
    if tunables:
        return f"{tunables[0]} set"
    if "glibc.malloc." in env.get("GLIBC_TUNABLES", ""):
        return "GLIBC_TUNABLES set"
    if "malloc" in env.get("LD_PRELOAD", ""):
        return "LD_PRELOAD allocator"
    return None


def apply_malloc_policy(env: Optional[Mapping[str, str]] = None) -> str:
    """Keeps freed memory in the process unless the environment decided otherwise; returns what is in effect, for
    the worker's ready line: ``retain``, or ``system`` with the reason in parentheses."""
    env = os.environ if env is None else env
    requested = env.get(ENVIRONMENT_VARIABLE, "") or "retain"
    if requested not in CHOICES:
        raise MallocPolicyError(
            f"{ENVIRONMENT_VARIABLE}={requested!r}: expected one of {', '.join(CHOICES)} "
            "(unset: retain, which keeps freed memory for the next step)"
        )
    if requested == "system":
        return f"system ({ENVIRONMENT_VARIABLE})"
    reason = chosen_elsewhere(env)
    if reason is not None:
        return f"system ({reason})"
    if platform.libc_ver()[0] != "glibc":
        return "system (not glibc)"
    libc = ctypes.CDLL(ctypes.util.find_library("c"))
    for parameter, value in RETAIN:
        if libc.mallopt(parameter, value) != 1:  # glibc answers 1 on success
            return f"system (mallopt({parameter}, {value}) refused)"
    return "retain"
