"""Fuzzing the worker's gate for plans: whatever arrives on the Train stream is either a plan the run can execute,
or a WorkerError(INVALID_ARGUMENT) naming the problem — never another exception, never a crash inside torch.

Three sources of inputs: valid plans with a few fields set to hostile values (NaN, ±inf, huge or empty arrays, out of
range indices and enums), raw random bytes through the stream's deserializer, and valid plans with flipped bits.
Accepted plans are executed by a real (tiny) run, so "accepted" must also mean "safe to run".
"""

from __future__ import annotations

import math
from typing import Any, Callable

import pytest
import torch
from fuzz_budget import fuzz_settings, tried
from hypothesis import given
from hypothesis import strategies as st
from plan_builders import IMAGE_SIZE, make_images, make_labels, mixmask_plan, run_request, shuffled

from mixmask_worker.data.store import DatasetStore
from mixmask_worker.generated.mixmask.v1 import worker_pb2
from mixmask_worker.plan.intake import RejectedPlan, parse_plan
from mixmask_worker.plan.validation import RunFacts, validate_step_plan
from mixmask_worker.service.protocol import WorkerError
from mixmask_worker.training.run import TrainingRun

CPU = torch.device("cpu")
COUNT = 16  # images in the training dataset
QUEUE = 64
BN_SPLITS = 2

hostile_floats = st.one_of(
    st.sampled_from([math.nan, math.inf, -math.inf, 0.0, -0.0, -1.0, 1e38, -1e38, 1e-45, 3.0e9]),
    st.floats(allow_nan=True, allow_infinity=True, width=32),
)
uint32s = st.one_of(st.sampled_from([0, 1, COUNT - 1, COUNT, 2**31, 2**32 - 1]), st.integers(0, 2**32 - 1))
small_lists = st.integers(0, 40)


def _valid_plan(step: int = 0, n: int = 8) -> worker_pb2.StepPlan:
    return mixmask_plan(step, list(range(n)), key_shuffle=shuffled(n, step))


def _mutation(data: Any) -> Callable[[worker_pb2.StepPlan], str]:
    """Draws one hostile change to a valid plan; returns a function applying it (and describing it)."""
    field = data.draw(
        st.sampled_from(
            [
                "indices",
                "views",
                "view_floats",
                "view_bytes",
                "blur_kernel",
                "mask_grid",
                "mask_cells",
                "mask_partner",
                "mask_kept",
                "mask_fill",
                "unmix",
                "terms",
                "term_enum",
                "term_floats",
                "anchor_order",
                "sample_weights",
                "lr",
                "key_momentum",
                "key_shuffle",
                "enqueue_term",
                "step",
                "clear_mask",
            ]
        )
    )
    floats = data.draw(st.lists(hostile_floats, max_size=data.draw(small_lists)))
    ints = data.draw(st.lists(uint32s, max_size=data.draw(small_lists)))
    raw = data.draw(st.binary(max_size=80))
    scalar_f = data.draw(hostile_floats)
    scalar_i = data.draw(uint32s)
    which = data.draw(st.integers(0, 4))

    def apply(plan: worker_pb2.StepPlan) -> str:
        # An earlier mutation may have removed what this one changes: then it changes nothing.
        if (field.startswith("view") or field == "blur_kernel") and len(plan.views) < 2:
            return field
        if field.startswith("term") or field in ("anchor_order", "sample_weights"):
            if not plan.terms:
                return field
        if field == "indices":
            plan.ClearField("indices")
            plan.indices.extend(ints)
        elif field == "views":
            del plan.views[which % (len(plan.views) + 1) :]
        elif field == "view_floats":
            view = plan.views[which % 2]
            target = [view.crop, view.jitter, view.blur_sigma][which % 3]
            del target[:]
            target.extend(floats)
        elif field == "view_bytes":
            view = plan.views[which % 2]
            setattr(view, ["flip", "jitter_order", "grayscale"][which % 3], raw)
        elif field == "blur_kernel":
            plan.views[which % 2].blur_kernel_size = scalar_i
            plan.views[which % 2].blur_sigma.append(1.0)
        elif field == "mask_grid":
            plan.mask.grid = scalar_i
        elif field == "mask_cells":
            plan.mask.cells = raw
        elif field == "mask_partner":
            plan.mask.ClearField("partner")
            plan.mask.partner.extend(ints)
        elif field == "mask_kept":
            plan.mask.ClearField("kept_fraction")
            plan.mask.kept_fraction.extend(floats)
        elif field == "mask_fill":
            plan.mask.fill = scalar_i % 2**31  # proto3 enums are open: any int32 can arrive on the wire
        elif field == "unmix":
            plan.unmix.CopyFrom(
                worker_pb2.UnmixPlan(cutmix=which % 2 == 1, box=ints[:5], partner=ints, **{"lambda": scalar_f})
            )
            plan.terms[which % len(plan.terms)].anchor.input = worker_pb2.UNMIX_0
        elif field == "terms":
            del plan.terms[which % (len(plan.terms) + 1) :]
        elif field == "term_enum":
            term = plan.terms[which % len(plan.terms)]
            target, name = [
                (term, "kind"),
                (term.anchor, "input"),
                (term.anchor, "encoder"),
                (term.positive, "input"),
                (term.positive, "encoder"),
            ][which]
            setattr(target, name, scalar_i % 2**31)
        elif field == "term_floats":
            setattr(plan.terms[which % len(plan.terms)], ["weight", "temperature"][which % 2], scalar_f)
        elif field == "anchor_order":
            term = plan.terms[which % len(plan.terms)]
            term.ClearField("anchor_order")
            term.anchor_order.extend(ints)
        elif field == "sample_weights":
            term = plan.terms[which % len(plan.terms)]
            term.ClearField("sample_weights")
            term.sample_weights.extend(floats)
        elif field == "lr":
            plan.lr = scalar_f
        elif field == "key_momentum":
            plan.key_momentum = scalar_f
        elif field == "key_shuffle":
            plan.ClearField("key_shuffle")
            plan.key_shuffle.extend(ints)
        elif field == "enqueue_term":
            plan.enqueue_term = scalar_i
        elif field == "step":
            plan.step = scalar_i * 2**32 + scalar_i
        elif field == "clear_mask":
            plan.ClearField("mask")
        return field

    return apply


FACTS = RunFacts(
    dataset_count=COUNT,
    image_size=IMAGE_SIZE,
    bn_splits=BN_SPLITS,
    queue_size=QUEUE,
    has_momentum_encoder=True,
    has_predictor=False,
)


def _validate(plan: worker_pb2.StepPlan) -> Any:
    return validate_step_plan(plan, FACTS, CPU)


def _accepted_or_invalid_argument(plan: worker_pb2.StepPlan) -> Any:
    try:
        return _validate(plan)
    except WorkerError as error:
        assert error.code == "INVALID_ARGUMENT", error
        assert "plan for step" in error.message and "plan." in error.message, error.message  # names the field
        return None


@fuzz_settings()
@given(data=st.data())
def test_hostile_fields_are_accepted_or_rejected_with_invalid_argument(data: Any) -> None:
    tried["plan_validation: valid plans with 1-3 hostile fields"] += 1
    plan = _valid_plan(n=data.draw(st.sampled_from([2, 4, 8, 16])))
    for _ in range(data.draw(st.integers(1, 3))):
        _mutation(data)(plan)
    _accepted_or_invalid_argument(plan)


@fuzz_settings()
@given(payload=st.binary(max_size=2048))
def test_random_bytes_on_the_train_stream_are_rejected_or_validated(payload: bytes) -> None:
    tried["plan_intake + plan_validation: random bytes"] += 1
    parsed = parse_plan(payload)
    if not isinstance(parsed, RejectedPlan):
        _accepted_or_invalid_argument(parsed)


@fuzz_settings()
@given(data=st.data())
def test_bit_flipped_plans_are_rejected_or_validated(data: Any) -> None:
    tried["plan_intake + plan_validation: bit-flipped plans"] += 1
    wire = bytearray(_valid_plan(n=8).SerializeToString())
    for position in data.draw(st.lists(st.integers(0, len(wire) - 1), min_size=1, max_size=6)):
        wire[position] ^= 1 << data.draw(st.integers(0, 7))
    parsed = parse_plan(bytes(wire))
    if not isinstance(parsed, RejectedPlan):
        _accepted_or_invalid_argument(parsed)


@pytest.fixture(scope="module")
def run() -> TrainingRun:
    torch.set_num_threads(1)
    store = DatasetStore(CPU)
    store.put("train", make_images(COUNT), make_labels(COUNT))
    return TrainingRun(run_request(queue_size=QUEUE, bn_splits=BN_SPLITS), store, CPU)


@fuzz_settings(0.25)
@given(data=st.data())
def test_every_accepted_hostile_plan_runs_without_error(run: TrainingRun, data: Any) -> None:
    tried["training_run: accepted hostile plans executed"] += 1
    plan = _valid_plan(step=data.draw(st.integers(0, 1000)), n=data.draw(st.sampled_from([2, 4, 8])))
    _mutation(data)(plan)
    if _accepted_or_invalid_argument(plan) is None:
        return
    pending = run.step(plan)
    try:
        pending.resolve()
    except WorkerError as error:  # hostile but finite numbers (lr 3e9, weight 1e38) may diverge: reported, not crashed
        assert error.code == "NON_FINITE_LOSS", error
