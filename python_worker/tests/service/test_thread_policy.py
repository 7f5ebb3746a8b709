"""The OpenMP wait policy (a short spin, unless the environment chose) and the load of other processes at start."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import pytest

from mixmask_worker.service import thread_policy
from mixmask_worker.service.thread_policy import OtherLoad, threads_advice


def _policy_in_fresh_python(env: dict[str, str], arguments: str = "") -> list:
    """apply_wait_policy runs before torch is imported, so each case needs its own interpreter."""
    code = (
        "import json, os; from mixmask_worker.service.thread_policy import apply_wait_policy; "
        f"r = apply_wait_policy({arguments}); import torch; "
        "print(json.dumps([r, os.environ.get('GOMP_SPINCOUNT'), os.environ.get('OMP_WAIT_POLICY')]))"
    )
    clean = {k: v for k, v in os.environ.items() if k not in thread_policy.USER_SETTINGS}
    out = subprocess.run([sys.executable, "-c", code], env={**clean, **env}, capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, ["spin 1000, then sleep", "1000", None]),
        ({"OMP_WAIT_POLICY": "PASSIVE"}, ["OMP_WAIT_POLICY=PASSIVE, from the environment", None, "PASSIVE"]),
        ({"GOMP_SPINCOUNT": "0"}, ["GOMP_SPINCOUNT=0, from the environment", "0", None]),
        ({"KMP_BLOCKTIME": "0"}, ["KMP_BLOCKTIME=0, from the environment", None, None]),
    ],
)
def test_a_short_spin_unless_the_environment_chose(env: dict[str, str], expected: list) -> None:
    assert _policy_in_fresh_python(env) == expected


@pytest.mark.parametrize("runtime", ["libomp", "libiomp5"])
def test_other_openmp_runtimes_keep_their_defaults(runtime: str) -> None:
    # Only libgomp reads GOMP_SPINCOUNT: for LLVM's or Intel's OpenMP the policy sets nothing and says why.
    policy = _policy_in_fresh_python({}, f"runtime={runtime!r}")
    assert policy == [f"OpenMP's default ({runtime}: GOMP_SPINCOUNT is libgomp's)", None, None]


def test_the_wheel_here_ships_libgomp() -> None:
    # Linux wheels of torch bundle libgomp (torch/lib/libgomp*.so*); what the worker's ready line reports depends on it.
    if sys.platform.startswith("linux"):
        assert thread_policy.torch_openmp() == "libgomp"


def test_nothing_changes_once_torch_is_loaded() -> None:
    import torch  # noqa: F401  (this test process has torch; OpenMP has read its settings)

    env: dict[str, str] = {}
    assert thread_policy.apply_wait_policy(env) == "OpenMP's default (torch was imported before the policy)"
    assert env == {}


@pytest.mark.skipif(not os.path.exists("/proc/stat"), reason="reads /proc/stat")
def test_other_load_counts_a_spinning_process_but_not_this_one_nor_its_parent() -> None:
    # This process spins too (it is "the worker starting"), and so does its parent's child below, the spinner: only the
    # spinner is another process. On a machine that other work keeps busy the figure is higher; hence the bounds.
    spinner = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    try:
        time.sleep(0.3)
        load = OtherLoad()
        deadline = time.monotonic() + 1.0
        while time.monotonic() < deadline:
            pass  # our own start-up work, left out
        cores = load.cores()
    finally:
        spinner.kill()
        spinner.wait()
    assert cores is not None
    assert 0.7 <= cores <= (os.cpu_count() or 1), cores
    quiet = OtherLoad()  # spinner gone: still a reading, not None
    time.sleep(0.5)
    assert quiet.cores() is not None


def test_advice_only_when_threads_would_share_cores() -> None:
    assert threads_advice(None, cores=2, threads=2) is None  # unknown load: nothing to say
    assert threads_advice(0.3, cores=2, threads=2) is None
    assert threads_advice(1.8, cores=2, threads=1) is None  # one thread never waits for another
    assert threads_advice(1.0, cores=16, threads=8) is None  # 8 cores are still free
    advice = threads_advice(1.9, cores=2, threads=2)
    assert advice is not None
    assert "1.9 of 2 cores busy" in advice and "--threads 1" in advice
    advice = threads_advice(6.2, cores=16, threads=16)
    assert advice is not None and "--threads 10" in advice
