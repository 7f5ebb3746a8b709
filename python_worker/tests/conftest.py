"""pytest hooks shared by the worker's tests: the fuzz tally at the end of the run."""

from __future__ import annotations

from typing import Any

import fuzz_budget


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if not fuzz_budget.tried:
        return
    terminalreporter.section("fuzz inputs tried")
    for name, count in sorted(fuzz_budget.tried.items()):
        terminalreporter.write_line(f"{count:>8}  {name}")
    terminalreporter.write_line(f"{sum(fuzz_budget.tried.values()):>8}  in total")
