"""The OpenMP wait policy: PASSIVE only on a machine whose cores are already busy, the environment's choice kept."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from mixmask_worker.service import thread_policy


def test_busy_is_a_load_within_half_a_core_of_the_cores() -> None:
    assert not thread_policy.machine_is_busy(load=0.2, cores=2)
    assert not thread_policy.machine_is_busy(load=1.4, cores=2)
    assert thread_policy.machine_is_busy(load=1.6, cores=2)
    assert thread_policy.machine_is_busy(load=9.0, cores=16) is False
    assert thread_policy.machine_is_busy(load=15.8, cores=16)


def _policy_in_fresh_python(env: dict[str, str], load: float, cores: int) -> str:
    """apply_wait_policy runs before torch is imported, so each case needs its own interpreter."""
    code = (
        "import json, os; from mixmask_worker.service.thread_policy import apply_wait_policy; "
        f"r = apply_wait_policy(load={load}, cores={cores}); "
        "print(json.dumps([r, os.environ.get('OMP_WAIT_POLICY')]))"
    )
    clean = {k: v for k, v in os.environ.items() if k not in thread_policy.PASSIVE}
    out = subprocess.run([sys.executable, "-c", code], env={**clean, **env}, capture_output=True, text=True, check=True)
    return out.stdout.strip()


@pytest.mark.parametrize(
    ("env", "load", "cores", "expected"),
    [
        ({}, 0.1, 2, "[{}, null]"),  # idle cores: OpenMP's own spin-then-sleep, the faster one there
        ({}, 3.0, 2, '[{"OMP_WAIT_POLICY": "PASSIVE", "KMP_BLOCKTIME": "0"}, "PASSIVE"]'),
        ({"OMP_WAIT_POLICY": "ACTIVE"}, 3.0, 2, '[{"OMP_WAIT_POLICY": "ACTIVE"}, "ACTIVE"]'),  # the user's choice wins
        ({"OMP_WAIT_POLICY": "PASSIVE"}, 0.1, 2, '[{"OMP_WAIT_POLICY": "PASSIVE"}, "PASSIVE"]'),
    ],
)
def test_passive_only_when_busy_and_unset(env: dict[str, str], load: float, cores: int, expected: str) -> None:
    assert _policy_in_fresh_python(env, load, cores) == expected


def test_nothing_changes_once_torch_is_loaded() -> None:
    import torch  # noqa: F401  (this test process has torch; OpenMP has read its settings)

    assert thread_policy.apply_wait_policy(load=9.0, cores=2) == {}
