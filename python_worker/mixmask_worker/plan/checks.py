"""Helpers of the plan's checks (plan/validation.py, mixing/mask_rules.py): the issue list and index-array tests."""

from __future__ import annotations

from typing import Sequence

import numpy as np

from mixmask_worker.service.protocol import Issue, WorkerError

# At most this many issues are spelled out in one error message; the count of the rest is appended.
MAX_REPORTED_ISSUES = 12


def _enum_name(enum: object, value: int) -> str:
    try:
        return f"{enum.Name(value)} ({value})"  # type: ignore[attr-defined]
    except ValueError:
        return f"unknown value {value}"


class _Issues:
    def __init__(self) -> None:
        self.items: list[Issue] = []

    def add(self, path: str, expected: str, received: object) -> None:
        self.items.append(Issue.mismatch(path, expected, received))

    def add_text(self, text: str) -> None:
        self.items.append(Issue.from_text(text))

    def raise_if_any(self, step: int) -> None:
        if not self.items:
            return
        shown = self.items[:MAX_REPORTED_ISSUES]
        more = len(self.items) - len(shown)
        suffix = f"; and {more} more" if more > 0 else ""
        raise WorkerError(
            "INVALID_ARGUMENT",
            f"plan for step {step} is invalid ({len(self.items)} issue{'s' if len(self.items) != 1 else ''}): "
            + "; ".join(issue.text() for issue in shown)
            + suffix
            + " (the TypeScript planner produced a malformed StepPlan: fix the plan builder)",
            issues=self.items,
        )


def _index_array(values: Sequence[int]) -> np.ndarray:
    return np.asarray(values, dtype=np.int64).reshape(-1)


def _check_index_list(issues: _Issues, path: str, values: np.ndarray, upper: int, what: str) -> bool:
    """Every entry < upper; reports the first offending position. Returns True when all are in range."""
    bad = np.nonzero(values >= upper)[0]
    if bad.size:
        position = int(bad[0])
        extra = f" ({bad.size} entries out of range)" if bad.size > 1 else ""
        issues.add(f"{path}[{position}]", f"an index < {upper} ({what})", f"{int(values[position])}{extra}")
        return False
    return True


def _is_permutation(values: np.ndarray, n: int) -> bool:
    if values.shape[0] != n:
        return False
    seen = np.zeros(n, dtype=bool)
    in_range = values[(values >= 0) & (values < n)]
    if in_range.shape[0] != n:
        return False
    seen[in_range] = True
    return bool(seen.all())
