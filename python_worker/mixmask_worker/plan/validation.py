"""Checks a StepPlan before any tensor work, and turns it into host arrays the run consumes.

Plans come from TypeScript and are small (kilobytes), so everything here runs on the host with numpy. Every problem
is reported, not only the first, each as ``path: expected ..., received ...`` with the plan's field path
(``plan.mask.partner``), under the INVALID_ARGUMENT code. Nothing a plan can contain reaches an ``assert``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Optional

import numpy as np
import torch

from mixmask_worker.augment.view_params import ViewParams
from mixmask_worker.generated.mixmask.v1 import worker_pb2
from mixmask_worker.mixing.mask_rules import _validate_mask, _validate_unmix
from mixmask_worker.plan.checks import _check_index_list, _enum_name, _index_array, _is_permutation, _Issues
from mixmask_worker.plan.step_plan import (
    BranchRef,
    CellMask,
    ComplementInput,
    ErasedInput,
    InputRecipe,
    LossTerm,
    MixedInput,
    UnmixInput,
    UnmixMixture,
    ValidatedPlan,
    ViewInput,
)

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


@dataclass(frozen=True)
class RunFacts:
    """What a plan is checked against: the run's dataset, view size and networks."""

    dataset_count: int
    image_size: int
    bn_splits: int
    queue_size: int  # 0: no queue
    has_momentum_encoder: bool
    has_predictor: bool


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
            issues.add(
                "plan.enqueue_term", f"a term index < {len(plan.terms)} (the number of plan.terms)", enqueue_term
            )
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
        recipes=_recipes(mask, unmix),
    )


def _recipes(mask: Optional[CellMask], unmix: Optional[UnmixMixture]) -> dict[int, InputRecipe]:
    """How to build every input the plan has the parts of: the two views always, the masked inputs with a mask (and
    their complements with a PARTNER fill), the Un-Mix inputs with an Un-Mix part. _validate_branch has checked that
    each input a term reads is among them."""
    recipes: dict[int, InputRecipe] = {}
    for view, (plain, masked, complement, mixed) in enumerate(
        (
            (worker_pb2.VIEW_0, worker_pb2.MASKED_0, worker_pb2.COMPLEMENT_0, worker_pb2.UNMIX_0),
            (worker_pb2.VIEW_1, worker_pb2.MASKED_1, worker_pb2.COMPLEMENT_1, worker_pb2.UNMIX_1),
        )
    ):
        recipes[plain] = ViewInput(view)
        if mask is not None and mask.partner is not None:
            recipes[masked] = MixedInput(view, mask, mask.partner)
            recipes[complement] = ComplementInput(view, mask, np.argsort(mask.partner))
        elif mask is not None:
            recipes[masked] = ErasedInput(view, mask, mask.fill, mask.noise_seed)
        if unmix is not None:
            recipes[mixed] = UnmixInput(view, unmix)
    return recipes


def _validate_branch(
    issues: _Issues, path: str, branch: worker_pb2.BranchRef, plan: worker_pb2.StepPlan, run: RunFacts
) -> BranchRef:
    source, encoder = int(branch.input), int(branch.encoder)
    if source not in worker_pb2.Input.values() or source == worker_pb2.INPUT_UNSPECIFIED:
        issues.add(f"{path}.input", "VIEW_0/1, MASKED_0/1, COMPLEMENT_0/1 or UNMIX_0/1", input_name(source))
    elif source in MASKED_INPUTS + COMPLEMENT_INPUTS and not plan.HasField("mask"):
        issues.add(f"{path}.input", f"{input_name(source)} together with plan.mask", "no plan.mask")
    elif source in COMPLEMENT_INPUTS and plan.mask.fill != worker_pb2.PARTNER:
        issues.add(
            f"{path}.input",
            "COMPLEMENT_* only with a PARTNER-filled mask",
            _enum_name(worker_pb2.MaskFill, plan.mask.fill),
        )
    elif source in UNMIX_INPUTS and not plan.HasField("unmix"):
        issues.add(f"{path}.input", f"{input_name(source)} together with plan.unmix", "no plan.unmix")
    if encoder not in worker_pb2.Encoder.values() or encoder == worker_pb2.ENCODER_UNSPECIFIED:
        issues.add(f"{path}.encoder", "ONLINE, ONLINE_PREDICTOR, ONLINE_DETACHED or MOMENTUM", encoder_name(encoder))
    elif encoder == worker_pb2.MOMENTUM and not run.has_momentum_encoder:
        issues.add(
            f"{path}.encoder", "a non-MOMENTUM encoder: the run was created without momentum_encoder", "MOMENTUM"
        )
    elif encoder == worker_pb2.ONLINE_PREDICTOR and not run.has_predictor:
        issues.add(
            f"{path}.encoder", "a non-PREDICTOR encoder: the run was created without a predictor", "ONLINE_PREDICTOR"
        )
    return (source, encoder)


def _validate_terms(issues: _Issues, plan: worker_pb2.StepPlan, n: int, run: RunFacts) -> list[LossTerm]:
    if len(plan.terms) == 0:
        issues.add("plan.terms", "at least one loss term", "none")
        return []
    terms: list[LossTerm] = []
    grid = int(plan.mask.grid) if plan.HasField("mask") else 0
    per_sample_masks = grid > 0 and n > 1 and len(plan.mask.cells) == n * grid * grid
    for i, term in enumerate(plan.terms):
        path = f"plan.terms[{i}]"
        kind = int(term.kind)
        if kind not in TERM_KINDS:
            issues.add(f"{path}.kind", " or ".join(TERM_KINDS.values()), _enum_name(worker_pb2.TermKind, kind))
        elif kind == worker_pb2.INFO_NCE_QUEUE and run.queue_size == 0:
            issues.add(
                f"{path}.kind", "a kind without a queue: the run was created with moco.queue_size = 0", "INFO_NCE_QUEUE"
            )
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
            LossTerm(
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
