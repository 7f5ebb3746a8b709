"""pytest hooks and fixtures shared by the worker's tests: the fuzz tally at the end of the run, one torch thread."""

from __future__ import annotations

from typing import Any, Iterator

import fuzz_budget
import pytest
import torch


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
