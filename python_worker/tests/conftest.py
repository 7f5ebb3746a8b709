"""pytest hooks and fixtures shared by the worker's tests: the fuzz tally at the end of the run, one torch thread.

The tests live in one folder per subpackage of mixmask_worker (tests/service/ for mixmask_worker/service/, ...); the
helpers they share (plan_builders, spawned_worker, ...) stay here, importable because pytest puts this folder on
sys.path. The package itself is put there too, so plain ``python -m pytest python_worker/tests`` works without
PYTHONPATH.
"""

from __future__ import annotations

import os
import sys
from typing import Any, Iterator

_WORKER_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))  # python_worker/
if _WORKER_DIR not in sys.path:
    sys.path.insert(0, _WORKER_DIR)

import fuzz_budget  # noqa: E402 (after the path set-up above)
import pytest  # noqa: E402
import torch  # noqa: E402


@pytest.fixture(scope="module")
def one_thread() -> Iterator[None]:
    """One intra-op thread for a module: tiny convolutions gain nothing from more, and OpenMP spinning on a busy 2-core
    machine slows them down by an order of magnitude."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if not fuzz_budget.tried:
        return
    terminalreporter.section("fuzz inputs tried")
    for name, count in sorted(fuzz_budget.tried.items()):
        terminalreporter.write_line(f"{count:>8}  {name}")
    terminalreporter.write_line(f"{sum(fuzz_budget.tried.values()):>8}  in total")
