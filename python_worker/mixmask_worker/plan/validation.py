"""Checks a StepPlan before any tensor work, and turns it into host arrays the run consumes.

Plans come from TypeScript and are small (kilobytes), so everything here runs on the host with numpy. Every problem
is reported, not only the first, each as ``path: expected ..., received ...`` with the plan's field path
(``plan.mask.partner``), under the INVALID_ARGUMENT code. Nothing a plan can contain reaches an ``assert``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Optional, Sequence

import numpy as np
import torch

from mixmask_worker.augment.view_params import ViewParams
from mixmask_worker.generated.mixmask.v1 import worker_pb2
from mixmask_worker.mixing.mixmask import kept_fraction
from mixmask_worker.service.protocol import Issue, WorkerError

TERM_KINDS = {
    worker_pb2.INFO_NCE_QUEUE: "INFO_NCE_QUEUE",
    worker_pb2.NT_XENT: "NT_XENT",
    worker_pb2.NEGATIVE_COSINE: "NEGATIVE_COSINE",
    worker_pb2.NORMALIZED_MSE: "NORMALIZED_MSE",
}
TEMPERATURE_KINDS = (worker_pb2.INFO_NCE_QUEUE, worker_pb2.NT_XENT)
MASKED_INPUTS = (worker_pb2.MASKED_0, worker_pb2.MASKED_1)
COMPLEMENT_INPUTS = (worker_pb2.COMPLEMENT_0, worker_pb2.COMPLEMENT_1)
UNMIX_INPUTS = (worker_pb2.UNMIX_0, worker_pb2.UNMIX_1)
FILLS = (worker_pb2.PARTNER, worker_pb2.ZERO, worker_pb2.MEAN, worker_pb2.NOISE)
# λ in a plan must match the one computed here from the cells; both sides use the exact map in float64.
KEPT_FRACTION_TOLERANCE = 1e-6
# At most this many issues are spelled out in one error message; the count of the rest is appended.
MAX_REPORTED_ISSUES = 12

Branch = tuple[int, int]  # (Input, Encoder)


@dataclass(frozen=True)
class RunFacts:
    """What a plan is checked against: the run's dataset, view size and networks."""

    dataset_count: int
    image_size: int
    bn_splits: int
    queue_size: int  # 0: no queue
    has_momentum_encoder: bool
    has_predictor: bool


@dataclass(frozen=True)
class MaskArrays:
    grid: int  # g
    cells: np.ndarray  # [B, g, g] uint8, B = 1 (one mask for the batch) or N; 1 = keep the original image
    fill: int  # MaskFill
    partner: Optional[np.ndarray]  # [N] int64 permutation (PARTNER fill), else None
    kept: np.ndarray  # [B] float64 λ, the pixel fraction kept from the original
    noise_seed: int

    @property
    def partner_inverse(self) -> Optional[np.ndarray]:
        return None if self.partner is None else np.argsort(self.partner)


@dataclass(frozen=True)
class UnmixArrays:
    cutmix: bool
    lam: float
    box: tuple[int, int, int, int]  # top, left, height, width (cutmix only)
    partner: np.ndarray  # [N] int64


@dataclass(frozen=True)
class TermArrays:
    kind: int
    anchor: Branch
    positive: Branch
    anchor_order: Optional[np.ndarray]  # [N] int64, or None for the identity
    weight: float
    temperature: float
    sample_weights: Optional[np.ndarray]  # [N] float32, or None for a plain mean


@dataclass(frozen=True)
class ValidatedPlan:
    step: int
    indices: np.ndarray  # [N] int64 dataset indices
    views: tuple[ViewParams, ViewParams]
    mask: Optional[MaskArrays]
    unmix: Optional[UnmixArrays]
    terms: tuple[TermArrays, ...]
    lr: float
    key_momentum: float
    key_shuffle: Optional[np.ndarray]  # [N] int64 permutation, or None
    enqueue_term: int

    @property
    def batch_size(self) -> int:
        return int(self.indices.shape[0])

    def branches(self) -> list[Branch]:
        """Branches some term reads, each once, in first-use order: only these are computed."""
        used: dict[Branch, None] = {}
        for term in self.terms:
            used[term.anchor] = None
            used[term.positive] = None
        return list(used)

    def inputs(self) -> list[int]:
        """Inputs some branch encodes, each once, in Input order."""
        return sorted({branch[0] for branch in self.branches()})


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


def input_name(value: int) -> str:
    return _enum_name(worker_pb2.Input, value)


def encoder_name(value: int) -> str:
    return _enum_name(worker_pb2.Encoder, value)


def validate_step_plan(plan: worker_pb2.StepPlan, run: RunFacts, device: torch.device) -> ValidatedPlan:
    """Validates ``plan`` against the run it is sent to; raises WorkerError(INVALID_ARGUMENT) listing every problem."""
    issues = _Issues()
    step = int(plan.step)
    indices = _index_array(plan.indices)
    n = int(indices.shape[0])

    if n < 2:
        issues.add("plan.indices", "at least 2 dataset indices (a contrastive batch needs negatives)", f"{n}")
    else:
        held = f"the training dataset holds {run.dataset_count} images"
        _check_index_list(issues, "plan.indices", indices, run.dataset_count, held)
    if n >= 1 and run.bn_splits >= 1 and n % run.bn_splits != 0:
        issues.add("plan.indices", f"a batch size divisible by the run's moco.bn_splits = {run.bn_splits}", f"N = {n}")
    if run.queue_size > 0 and n > run.queue_size:
        expected = f"a batch size N <= the run's moco.queue_size = {run.queue_size} (keys are enqueued)"
        issues.add("plan.indices", expected, f"N = {n}")

    views: list[ViewParams] = []
    if len(plan.views) != 2:
        issues.add("plan.views", "exactly 2 views (view 0 and view 1)", len(plan.views))
    elif n >= 1:
        for i, view in enumerate(plan.views):
            try:
                params = ViewParams.from_proto(view, n, device)
            except ValueError as error:
                issues.add_text(f"plan.views[{i}].{error}")
                continue
            if params.any_blur and params.blur_kernel_size // 2 >= run.image_size:
                issues.add(
                    f"plan.views[{i}].blur_kernel_size",
                    f"an odd kernel whose half-width is < the run's image_size = {run.image_size} (reflect padding)",
                    params.blur_kernel_size,
                )
            views.append(params)

    mask = _validate_mask(issues, plan.mask, n, run.image_size) if plan.HasField("mask") else None
    unmix = _validate_unmix(issues, plan.unmix, n, run.image_size) if plan.HasField("unmix") else None
    terms = _validate_terms(issues, plan, n, run)

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
    if run.queue_size > 0 and len(plan.terms) > 0:
        if enqueue_term >= len(plan.terms):
            issues.add("plan.enqueue_term", f"a term index < {len(plan.terms)} (the number of plan.terms)", enqueue_term)
        elif plan.terms[enqueue_term].positive.encoder != worker_pb2.MOMENTUM:
            issues.add(
                "plan.enqueue_term",
                "a term whose positive is a MOMENTUM branch (the queue holds momentum-encoder keys)",
                f"term {enqueue_term}, positive {encoder_name(plan.terms[enqueue_term].positive.encoder)}",
            )

    issues.raise_if_any(step)
    return ValidatedPlan(
        step=step,
        indices=indices,
        views=(views[0], views[1]),
        mask=mask,
        unmix=unmix,
        terms=tuple(terms),
        lr=lr,
        key_momentum=key_momentum,
        key_shuffle=key_shuffle,
        enqueue_term=enqueue_term,
    )


def _validate_mask(issues: _Issues, mask: worker_pb2.MaskPlan, n: int, image_size: int) -> Optional[MaskArrays]:
    grid = int(mask.grid)
    ok = True
    if grid < 1 or grid > image_size:
        issues.add("plan.mask.grid", f"a grid size g in 1..{image_size} (the run's image_size)", grid)
        return None
    cells = np.frombuffer(mask.cells, dtype=np.uint8)
    per_mask = grid * grid
    if cells.shape[0] not in (per_mask, n * per_mask):
        expected = f"g*g = {per_mask} bytes (one mask for the batch) or N*g*g = {n * per_mask} (one per sample)"
        issues.add("plan.mask.cells", expected, f"{cells.shape[0]} bytes")
        return None
    if cells.size and cells.max() > 1:
        position = int(np.nonzero(cells > 1)[0][0])
        issues.add(f"plan.mask.cells[{position}]", "0 (drop) or 1 (keep the original)", int(cells[position]))
        ok = False
    fill = int(mask.fill)
    if fill not in FILLS:
        issues.add("plan.mask.fill", "PARTNER, ZERO, MEAN or NOISE", _enum_name(worker_pb2.MaskFill, fill))
        ok = False
    partner: Optional[np.ndarray] = None
    if fill == worker_pb2.PARTNER:
        partner = _index_array(mask.partner)
        if not _is_permutation(partner, n):
            issues.add(
                "plan.mask.partner",
                f"a permutation of 0..{n - 1} (PARTNER fill: each image fills exactly one other)",
                f"{partner.shape[0]} entries starting {partner[:8].tolist()}",
            )
            ok = False
    elif len(mask.partner) > 0:
        issues.add("plan.mask.partner", "no partners for an erase fill (ZERO, MEAN, NOISE)", f"{len(mask.partner)} entries")
        ok = False
    grids = cells.reshape(-1, grid, grid).copy()  # writable: torch refuses to wrap read-only buffers
    exact = kept_fraction(torch.from_numpy(grids), image_size).numpy()  # [B] float64
    planned = np.asarray(mask.kept_fraction, dtype=np.float64)
    if planned.shape != exact.shape:
        issues.add("plan.mask.kept_fraction", f"{exact.shape[0]} value(s), one per mask", f"{planned.shape[0]} values")
        ok = False
    else:
        off = np.nonzero(~(np.abs(planned - exact) <= KEPT_FRACTION_TOLERANCE))[0]
        if off.size:
            i = int(off[0])
            issues.add(
                f"plan.mask.kept_fraction[{i}]",
                f"{exact[i]:.9f}, the pixel fraction the cells keep at S = {image_size} (exact nearest-neighbour map)",
                f"{planned[i]:.9f}",
            )
            ok = False
    if not ok:
        return None
    return MaskArrays(grid=grid, cells=grids, fill=fill, partner=partner, kept=exact, noise_seed=int(mask.noise_seed))


def _validate_unmix(issues: _Issues, unmix: worker_pb2.UnmixPlan, n: int, image_size: int) -> Optional[UnmixArrays]:
    ok = True
    lam = float(getattr(unmix, "lambda"))
    if not (0.0 <= lam <= 1.0):
        issues.add("plan.unmix.lambda", "a mixing weight in [0, 1]", lam)
        ok = False
    partner = _index_array(unmix.partner)
    if partner.shape[0] != n:
        issues.add("plan.unmix.partner", f"N = {n} partner indices", f"{partner.shape[0]} entries")
        ok = False
    elif not _check_index_list(issues, "plan.unmix.partner", partner, n, f"a position in the batch of N = {n}"):
        ok = False
    box = (0, 0, 0, 0)
    if unmix.cutmix:
        values = [int(v) for v in unmix.box]
        if len(values) != 4:
            issues.add("plan.unmix.box", "4 values: top, left, height, width", f"{len(values)} values")
            ok = False
        else:
            top, left, height, width = values
            if top + height > image_size or left + width > image_size:
                issues.add("plan.unmix.box", f"a box inside the {image_size}x{image_size} view", values)
                ok = False
            elif ok and abs((1 - height * width / image_size**2) - lam) > KEPT_FRACTION_TOLERANCE:
                issues.add("plan.unmix.lambda", f"1 - box area / S^2 = {1 - height * width / image_size**2:.9f}", lam)
                ok = False
            box = (top, left, height, width)
    return UnmixArrays(cutmix=bool(unmix.cutmix), lam=lam, box=box, partner=partner) if ok else None


def _validate_branch(issues: _Issues, path: str, branch: worker_pb2.BranchRef, plan: worker_pb2.StepPlan, run: RunFacts) -> Branch:
    source, encoder = int(branch.input), int(branch.encoder)
    if source not in worker_pb2.Input.values() or source == worker_pb2.INPUT_UNSPECIFIED:
        issues.add(f"{path}.input", "VIEW_0/1, MASKED_0/1, COMPLEMENT_0/1 or UNMIX_0/1", input_name(source))
    elif source in MASKED_INPUTS + COMPLEMENT_INPUTS and not plan.HasField("mask"):
        issues.add(f"{path}.input", f"{input_name(source)} together with plan.mask", "no plan.mask")
    elif source in COMPLEMENT_INPUTS and plan.mask.fill != worker_pb2.PARTNER:
        issues.add(f"{path}.input", "COMPLEMENT_* only with a PARTNER-filled mask", _enum_name(worker_pb2.MaskFill, plan.mask.fill))
    elif source in UNMIX_INPUTS and not plan.HasField("unmix"):
        issues.add(f"{path}.input", f"{input_name(source)} together with plan.unmix", "no plan.unmix")
    if encoder not in worker_pb2.Encoder.values() or encoder == worker_pb2.ENCODER_UNSPECIFIED:
        issues.add(f"{path}.encoder", "ONLINE, ONLINE_PREDICTOR, ONLINE_DETACHED or MOMENTUM", encoder_name(encoder))
    elif encoder == worker_pb2.MOMENTUM and not run.has_momentum_encoder:
        issues.add(f"{path}.encoder", "a non-MOMENTUM encoder: the run was created without momentum_encoder", "MOMENTUM")
    elif encoder == worker_pb2.ONLINE_PREDICTOR and not run.has_predictor:
        issues.add(f"{path}.encoder", "a non-PREDICTOR encoder: the run was created without a predictor", "ONLINE_PREDICTOR")
    return (source, encoder)


def _validate_terms(issues: _Issues, plan: worker_pb2.StepPlan, n: int, run: RunFacts) -> list[TermArrays]:
    if len(plan.terms) == 0:
        issues.add("plan.terms", "at least one loss term", "none")
        return []
    terms: list[TermArrays] = []
    grid = int(plan.mask.grid) if plan.HasField("mask") else 0
    per_sample_masks = grid > 0 and n > 1 and len(plan.mask.cells) == n * grid * grid
    for i, term in enumerate(plan.terms):
        path = f"plan.terms[{i}]"
        kind = int(term.kind)
        if kind not in TERM_KINDS:
            issues.add(f"{path}.kind", " or ".join(TERM_KINDS.values()), _enum_name(worker_pb2.TermKind, kind))
        elif kind == worker_pb2.INFO_NCE_QUEUE and run.queue_size == 0:
            issues.add(f"{path}.kind", "a kind without a queue: the run was created with moco.queue_size = 0", "INFO_NCE_QUEUE")
        anchor = _validate_branch(issues, f"{path}.anchor", term.anchor, plan, run)
        positive = _validate_branch(issues, f"{path}.positive", term.positive, plan, run)
        temperature = float(term.temperature)
        if kind in TEMPERATURE_KINDS and (not math.isfinite(temperature) or temperature <= 0):
            issues.add(f"{path}.temperature", "a finite temperature T > 0", temperature)
        weight = float(term.weight)
        if not (math.isfinite(weight) and weight >= 0):
            issues.add(f"{path}.weight", "a finite weight >= 0", weight)
        order: Optional[np.ndarray] = None
        if len(term.anchor_order) > 0:
            order = _index_array(term.anchor_order)
            if order.shape[0] != n:
                issues.add(f"{path}.anchor_order", f"empty or N = {n} indices", f"{order.shape[0]} entries")
            elif not _check_index_list(issues, f"{path}.anchor_order", order, n, f"a position in the batch of N = {n}"):
                pass  # the out-of-range entry is named
            elif not _is_permutation(order, n):
                issues.add(
                    f"{path}.anchor_order",
                    f"empty or a permutation of 0..{n - 1} (each row once)",
                    f"{order.shape[0]} entries starting {order[:8].tolist()}",
                )
            elif per_sample_masks and int(term.anchor.input) in MASKED_INPUTS + COMPLEMENT_INPUTS:
                # docs/METHODS.md, Maskers (partners): with a mask per sample, a reordered mix is not the complement of anything.
                issues.add(
                    f"{path}.anchor_order",
                    "no reordering of masked images when each sample has its own mask (use COMPLEMENT_* inputs)",
                    f"{order.shape[0]} entries",
                )
        sample_weights: Optional[np.ndarray] = None
        if len(term.sample_weights) > 0:
            sample_weights = np.asarray(term.sample_weights, dtype=np.float32)
            if sample_weights.shape[0] != n:
                issues.add(f"{path}.sample_weights", f"empty or N = {n} weights", f"{sample_weights.shape[0]} entries")
            elif not (np.isfinite(sample_weights).all() and (sample_weights >= 0).all()):
                issues.add(f"{path}.sample_weights", "finite weights >= 0", "a NaN, infinite or negative weight")
        terms.append(
            TermArrays(
                kind=kind,
                anchor=anchor,
                positive=positive,
                anchor_order=order,
                weight=weight,
                temperature=temperature,
                sample_weights=sample_weights,
            )
        )
    return terms
