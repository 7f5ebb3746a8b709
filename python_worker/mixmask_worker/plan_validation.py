"""Checks a StepPlan before any tensor work, and turns it into host arrays the run consumes.

Plans come from TypeScript and are small (kilobytes), so everything here runs on the host with numpy. Every problem
is reported, not only the first, each as ``path: expected ..., received ...`` with the plan's field path
(``plan.mix.partner[3]``), under the INVALID_ARGUMENT code. Nothing a plan can contain reaches an ``assert``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Optional, Sequence

import numpy as np
import torch

from mixmask_worker.augment.view_params import ViewParams
from mixmask_worker.generated.mixmask.v1 import worker_pb2
from mixmask_worker.protocol import WorkerError

QUERY_BRANCHES = (worker_pb2.QUERY_VIEW, worker_pb2.QUERY_MIX)
KEY_BRANCHES = (worker_pb2.KEY_VIEW,)
TERM_KINDS = (worker_pb2.INFO_NCE_QUEUE,)
# At most this many issues are spelled out in one error message; the count of the rest is appended.
MAX_REPORTED_ISSUES = 12


@dataclass(frozen=True)
class MixArrays:
    grid: int  # g
    cells: np.ndarray  # [g, g] uint8, 1 = keep the original image
    partner: np.ndarray  # [N] int64
    lam: float  # fraction of pixels kept from the original (informational: term weights carry it)


@dataclass(frozen=True)
class TermArrays:
    kind: int
    query: int  # Branch of the query embeddings
    key: int  # Branch of the positive keys
    query_order: Optional[np.ndarray]  # [N] int64, or None for the identity
    weight: float
    temperature: float


@dataclass(frozen=True)
class ValidatedPlan:
    step: int
    indices: np.ndarray  # [N] int64 dataset indices
    views: tuple[ViewParams, ViewParams]  # views[0] feeds the query encoder, views[1] the key encoder
    mix: Optional[MixArrays]
    terms: tuple[TermArrays, ...]
    lr: float
    key_momentum: float
    key_shuffle: Optional[np.ndarray]  # [N] int64 permutation, or None
    enqueue_term: int

    @property
    def batch_size(self) -> int:
        return int(self.indices.shape[0])

    def branches(self) -> set[int]:
        """Branch values some term reads: only these are computed."""
        used: set[int] = set()
        for term in self.terms:
            used.add(term.query)
            used.add(term.key)
        return used


def branch_name(value: int) -> str:
    return _enum_name(worker_pb2.Branch, value)


def _enum_name(enum: object, value: int) -> str:
    try:
        return f"{enum.Name(value)} ({value})"  # type: ignore[attr-defined]
    except ValueError:
        return f"unknown value {value}"


class _Issues:
    def __init__(self) -> None:
        self.items: list[str] = []

    def add(self, path: str, expected: str, received: object) -> None:
        self.items.append(f"{path}: expected {expected}, received {received}")

    def raise_if_any(self, step: int) -> None:
        if not self.items:
            return
        shown = self.items[:MAX_REPORTED_ISSUES]
        more = len(self.items) - len(shown)
        suffix = f"; and {more} more" if more > 0 else ""
        raise WorkerError(
            "INVALID_ARGUMENT",
            f"plan for step {step} is invalid ({len(self.items)} issue{'s' if len(self.items) != 1 else ''}): "
            + "; ".join(shown)
            + suffix
            + " (the TypeScript planner produced a malformed StepPlan: fix the plan builder)",
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


def validate_step_plan(
    plan: worker_pb2.StepPlan,
    *,
    dataset_count: int,
    image_size: int,
    bn_splits: int,
    queue_size: int,
    device: torch.device,
) -> ValidatedPlan:
    """Validates ``plan`` for a run whose training dataset holds ``dataset_count`` images.

    Raises WorkerError(INVALID_ARGUMENT) listing every problem found.
    """
    issues = _Issues()
    step = int(plan.step)
    indices = _index_array(plan.indices)
    n = int(indices.shape[0])

    if n < 2:
        issues.add("plan.indices", "at least 2 dataset indices (a contrastive batch needs negatives)", f"{n}")
    else:
        held = f"the training dataset holds {dataset_count} images"
        _check_index_list(issues, "plan.indices", indices, dataset_count, held)
    if n >= 1 and bn_splits >= 1 and n % bn_splits != 0:
        issues.add("plan.indices", f"a batch size divisible by the run's moco.bn_splits = {bn_splits}", f"N = {n}")
    if n > queue_size:
        expected = f"a batch size N <= the run's moco.queue_size = {queue_size} (keys are enqueued)"
        issues.add("plan.indices", expected, f"N = {n}")

    views: list[ViewParams] = []
    if len(plan.views) != 2:
        expected = "exactly 2 views (views[0] for the query encoder, views[1] for the key encoder)"
        issues.add("plan.views", expected, len(plan.views))
    elif n >= 1:
        for i, view in enumerate(plan.views):
            try:
                params = ViewParams.from_proto(view, n, device)
            except ValueError as error:
                issues.items.append(f"plan.views[{i}].{error}")
                continue
            if params.any_blur and params.blur_kernel_size // 2 >= image_size:
                issues.add(
                    f"plan.views[{i}].blur_kernel_size",
                    f"an odd kernel whose half-width is < the run's image_size = {image_size} (reflect padding)",
                    params.blur_kernel_size,
                )
            views.append(params)

    mix: Optional[MixArrays] = None
    if plan.HasField("mix"):
        mix = _validate_mix(issues, plan.mix, n, image_size)

    terms = _validate_terms(issues, plan, n, has_mix=plan.HasField("mix"))

    key_shuffle: Optional[np.ndarray] = None
    if len(plan.key_shuffle) > 0:
        key_shuffle = _index_array(plan.key_shuffle)
        if not _is_permutation(key_shuffle, n):
            preview = key_shuffle[:8].tolist()
            issues.add(
                "plan.key_shuffle",
                f"empty or a permutation of 0..{n - 1} (N = {n} entries, each once)",
                f"{key_shuffle.shape[0]} entries starting {preview}",
            )

    lr = float(plan.lr)
    if not math.isfinite(lr) or lr < 0:
        issues.add("plan.lr", "a finite learning rate >= 0", lr)
    key_momentum = float(plan.key_momentum)
    if not (0.0 <= key_momentum <= 1.0):  # also rejects NaN
        issues.add("plan.key_momentum", "m in [0, 1]", key_momentum)
    enqueue_term = int(plan.enqueue_term)
    if len(plan.terms) > 0 and enqueue_term >= len(plan.terms):
        issues.add("plan.enqueue_term", f"a term index < {len(plan.terms)} (the number of plan.terms)", enqueue_term)

    issues.raise_if_any(step)
    return ValidatedPlan(
        step=step,
        indices=indices,
        views=(views[0], views[1]),
        mix=mix,
        terms=tuple(terms),
        lr=lr,
        key_momentum=key_momentum,
        key_shuffle=key_shuffle,
        enqueue_term=enqueue_term,
    )


def _validate_mix(issues: _Issues, mix: worker_pb2.MixPlan, n: int, image_size: int) -> Optional[MixArrays]:
    grid = int(mix.grid)
    ok = True
    if grid < 1 or grid > image_size:
        issues.add("plan.mix.grid", f"a grid size g in 1..{image_size} (the run's image_size)", grid)
        ok = False
    cells = np.frombuffer(mix.mask, dtype=np.uint8)
    if grid >= 1 and cells.shape[0] != grid * grid:
        expected = f"g*g = {grid * grid} bytes (one per grid cell, row-major)"
        issues.add("plan.mix.mask", expected, f"{cells.shape[0]} bytes")
        ok = False
    elif cells.size and cells.max() > 1:
        position = int(np.nonzero(cells > 1)[0][0])
        issues.add(f"plan.mix.mask[{position}]", "0 (take the partner) or 1 (keep the original)", int(cells[position]))
        ok = False
    partner = _index_array(mix.partner)
    if partner.shape[0] != n:
        issues.add("plan.mix.partner", f"N = {n} partner indices (one per sample)", f"{partner.shape[0]} entries")
        ok = False
    elif not _check_index_list(issues, "plan.mix.partner", partner, n, f"a position in the batch of N = {n}"):
        ok = False
    lam = float(getattr(mix, "lambda"))
    if not (0.0 <= lam <= 1.0):
        issues.add("plan.mix.lambda", "a pixel fraction in [0, 1]", lam)
        ok = False
    if not ok:
        return None
    return MixArrays(grid=grid, cells=cells.reshape(grid, grid), partner=partner, lam=lam)


def _validate_terms(issues: _Issues, plan: worker_pb2.StepPlan, n: int, *, has_mix: bool) -> list[TermArrays]:
    if len(plan.terms) == 0:
        issues.add("plan.terms", "at least one loss term", "none")
        return []
    terms: list[TermArrays] = []
    for i, term in enumerate(plan.terms):
        path = f"plan.terms[{i}]"
        if term.kind not in TERM_KINDS:
            issues.add(f"{path}.kind", "INFO_NCE_QUEUE", _enum_name(worker_pb2.TermKind, term.kind))
        if term.query not in QUERY_BRANCHES:
            expected = "QUERY_VIEW or QUERY_MIX (a branch of the query encoder)"
            issues.add(f"{path}.query", expected, branch_name(term.query))
        elif term.query == worker_pb2.QUERY_MIX and not has_mix:
            issues.add(f"{path}.query", "QUERY_VIEW, or QUERY_MIX together with plan.mix", "QUERY_MIX without plan.mix")
        if term.key not in KEY_BRANCHES:
            issues.add(f"{path}.key", "KEY_VIEW (the momentum encoder's branch)", branch_name(term.key))
        temperature = float(term.temperature)
        if not math.isfinite(temperature) or temperature <= 0:
            issues.add(f"{path}.temperature", "a finite temperature T > 0", temperature)
        weight = float(term.weight)
        if not math.isfinite(weight):
            issues.add(f"{path}.weight", "a finite weight", weight)
        order: Optional[np.ndarray] = None
        if len(term.query_order) > 0:
            order = _index_array(term.query_order)
            if order.shape[0] != n:
                issues.add(f"{path}.query_order", f"empty or N = {n} indices", f"{order.shape[0]} entries")
            else:
                _check_index_list(issues, f"{path}.query_order", order, n, f"a position in the batch of N = {n}")
        terms.append(
            TermArrays(
                kind=int(term.kind),
                query=int(term.query),
                key=int(term.key),
                query_order=order,
                weight=weight,
                temperature=temperature,
            )
        )
    return terms
