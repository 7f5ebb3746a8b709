"""Every way a StepPlan can be malformed is refused with INVALID_ARGUMENT naming the field path."""

from __future__ import annotations

import math
from typing import Callable

import numpy as np
import pytest
import torch
from plan_builders import IMAGE_SIZE, branch, mixmask_plan

from mixmask_worker.generated.mixmask.v1 import worker_pb2
from mixmask_worker.plan.step_plan import ValidatedPlan
from mixmask_worker.plan.validation import RunFacts, validate_step_plan
from mixmask_worker.service.protocol import WorkerError

N = 8
DATASET_COUNT = 20


def _validate(
    plan: worker_pb2.StepPlan, bn_splits: int = 2, queue_size: int = 64, momentum: bool = True, predictor: bool = False
) -> ValidatedPlan:
    facts = RunFacts(
        dataset_count=DATASET_COUNT,
        image_size=IMAGE_SIZE,
        bn_splits=bn_splits,
        queue_size=queue_size,
        has_momentum_encoder=momentum,
        has_predictor=predictor,
    )
    return validate_step_plan(plan, facts, torch.device("cpu"))


def _plan() -> worker_pb2.StepPlan:
    return mixmask_plan(4, [3, 1, 4, 15, 9, 2, 6, 5], key_shuffle=[7, 6, 5, 4, 3, 2, 1, 0])


def test_valid_plan_becomes_host_arrays() -> None:
    checked = _validate(_plan())
    assert checked.step == 4 and checked.batch_size == N
    assert checked.indices.dtype == np.int64 and checked.indices.tolist() == [3, 1, 4, 15, 9, 2, 6, 5]
    assert checked.mask is not None and checked.mask.cells.shape == (1, 4, 4) and checked.mask.kept.tolist() == [0.5]
    assert checked.mask.partner is not None and checked.mask.partner.tolist() == list(range(N - 1, -1, -1))
    view, mixed = (worker_pb2.VIEW_0, worker_pb2.ONLINE), (worker_pb2.MASKED_0, worker_pb2.ONLINE)
    key = (worker_pb2.VIEW_1, worker_pb2.MOMENTUM)
    assert [t.anchor for t in checked.terms] == [view, mixed, mixed]
    assert checked.terms[0].anchor_order is None and checked.terms[2].anchor_order is not None
    assert checked.branches() == [view, key, mixed]
    assert checked.inputs() == [worker_pb2.VIEW_0, worker_pb2.VIEW_1, worker_pb2.MASKED_0]
    assert checked.key_shuffle is not None and checked.views[1].flip.all()


def _set(field: str, value: object) -> Callable[[worker_pb2.StepPlan], None]:
    def mutate(plan: worker_pb2.StepPlan) -> None:
        target: object = plan
        *parents, last = field.split(".")
        for name in parents:
            target = getattr(target, name)
        attribute = getattr(target, last)
        if isinstance(value, worker_pb2.BranchRef):
            attribute.CopyFrom(value)
        elif hasattr(attribute, "extend") and isinstance(value, list):
            del attribute[:]
            attribute.extend(value)
        else:
            setattr(target, last, value)

    return mutate


def _term(index: int, field: str, value: object) -> Callable[[worker_pb2.StepPlan], None]:
    def mutate(plan: worker_pb2.StepPlan) -> None:
        _set(field, value)(plan.terms[index])  # type: ignore[arg-type]

    return mutate


def _drop_mask(plan: worker_pb2.StepPlan) -> None:
    plan.ClearField("mask")


def _erase_with_partner_input(plan: worker_pb2.StepPlan) -> None:
    plan.mask.fill = worker_pb2.ZERO
    del plan.mask.partner[:]
    plan.terms[2].anchor.CopyFrom(branch(worker_pb2.COMPLEMENT_0, worker_pb2.ONLINE))


def _unmix_input_without_unmix(plan: worker_pb2.StepPlan) -> None:
    plan.terms[1].anchor.CopyFrom(branch(worker_pb2.UNMIX_0, worker_pb2.ONLINE))


def _cutmix_box_outside(plan: worker_pb2.StepPlan) -> None:
    plan.unmix.CopyFrom(
        worker_pb2.UnmixPlan(cutmix=True, box=[10, 0, 8, 4], partner=list(range(N)), **{"lambda": 0.875})
    )


def _cutmix_lambda_not_the_area(plan: worker_pb2.StepPlan) -> None:
    plan.unmix.CopyFrom(worker_pb2.UnmixPlan(cutmix=True, box=[0, 0, 8, 4], partner=list(range(N)), **{"lambda": 0.5}))


def _drop_view(plan: worker_pb2.StepPlan) -> None:
    del plan.views[1]


def _short_crop(plan: worker_pb2.StepPlan) -> None:
    del plan.views[1].crop[-1]


def _huge_blur(plan: worker_pb2.StepPlan) -> None:
    plan.views[0].blur_sigma[0] = 1.0
    plan.views[0].blur_kernel_size = 2 * IMAGE_SIZE + 1


def _no_terms(plan: worker_pb2.StepPlan) -> None:
    del plan.terms[:]


CASES: list[tuple[str, Callable[[worker_pb2.StepPlan], None], str]] = [
    ("one index", _set("indices", [3]), "plan.indices:"),
    ("index past the dataset", _set("indices", [0, 1, 2, 20, 4, 5, 6, 7]), "plan.indices[3]"),
    ("one view", _drop_view, "plan.views:"),
    ("short crop", _short_crop, "plan.views[1].crop"),
    ("blur kernel wider than the view", _huge_blur, "plan.views[0].blur_kernel_size"),
    ("grid 0", _set("mask.grid", 0), "plan.mask.grid"),
    ("grid larger than the image", _set("mask.grid", IMAGE_SIZE + 1), "plan.mask.grid"),
    ("mask length", _set("mask.cells", bytes(15)), "plan.mask.cells:"),
    ("mask value", _set("mask.cells", bytes([1] * 5 + [2] + [0] * 10)), "plan.mask.cells[5]"),
    ("partner length", _set("mask.partner", [0, 1, 2]), "plan.mask.partner:"),
    ("partner not a permutation", _set("mask.partner", [0, 1, 2, 8, 4, 5, 6, 7]), "plan.mask.partner:"),
    ("lambda out of range", _set("mask.kept_fraction", [1.5]), "plan.mask.kept_fraction[0]"),
    ("lambda not the cells' fraction", _set("mask.kept_fraction", [0.4]), "plan.mask.kept_fraction[0]"),
    ("one lambda per sample for a shared mask", _set("mask.kept_fraction", [0.5] * N), "plan.mask.kept_fraction:"),
    ("unknown fill", _set("mask.fill", 9), "plan.mask.fill"),
    ("partners with an erase fill", _set("mask.fill", worker_pb2.NOISE), "plan.mask.partner:"),
    ("complement of an erased view", _erase_with_partner_input, "plan.terms[2].anchor.input"),
    ("Un-Mix input without plan.unmix", _unmix_input_without_unmix, "plan.terms[1].anchor.input"),
    ("cutmix box outside the view", _cutmix_box_outside, "plan.unmix.box"),
    ("cutmix lambda is not the kept area", _cutmix_lambda_not_the_area, "plan.unmix.lambda"),
    ("no terms", _no_terms, "plan.terms:"),
    ("term kind", _term(0, "kind", worker_pb2.TERM_KIND_UNSPECIFIED), "plan.terms[0].kind"),
    ("unknown term kind", _term(0, "kind", 9), "plan.terms[0].kind"),
    (
        "unspecified input",
        _term(1, "positive", branch(worker_pb2.INPUT_UNSPECIFIED, worker_pb2.MOMENTUM)),
        "plan.terms[1].positive.input",
    ),
    ("unknown encoder", _term(0, "anchor", branch(worker_pb2.VIEW_0, 17)), "plan.terms[0].anchor.encoder"),
    (
        "predictor the run lacks",
        _term(0, "anchor", branch(worker_pb2.VIEW_0, worker_pb2.ONLINE_PREDICTOR)),
        "plan.terms[0].anchor.encoder",
    ),
    ("mixed input without a mask", _drop_mask, "plan.terms[1].anchor.input"),
    (
        "enqueue a gradient branch",
        _term(0, "positive", branch(worker_pb2.VIEW_1, worker_pb2.ONLINE)),
        "plan.enqueue_term",
    ),
    ("temperature 0", _term(0, "temperature", 0.0), "plan.terms[0].temperature"),
    ("temperature nan", _term(2, "temperature", math.nan), "plan.terms[2].temperature"),
    ("weight inf", _term(2, "weight", math.inf), "plan.terms[2].weight"),
    ("anchor_order length", _term(2, "anchor_order", [0, 1]), "plan.terms[2].anchor_order:"),
    ("anchor_order value", _term(2, "anchor_order", [9, 1, 2, 3, 4, 5, 6, 7]), "plan.terms[2].anchor_order[0]"),
    ("anchor_order repeats", _term(2, "anchor_order", [0, 0, 2, 3, 4, 5, 6, 7]), "plan.terms[2].anchor_order:"),
    ("negative weight", _term(1, "weight", -0.5), "plan.terms[1].weight"),
    ("negative sample weight", _term(1, "sample_weights", [-1.0] * N), "plan.terms[1].sample_weights"),
    ("sample_weights length", _term(1, "sample_weights", [1.0, 2.0]), "plan.terms[1].sample_weights"),
    ("sample_weights nan", _term(1, "sample_weights", [math.nan] * N), "plan.terms[1].sample_weights"),
    ("key_shuffle repeats", _set("key_shuffle", [0, 0, 1, 2, 3, 4, 5, 6]), "plan.key_shuffle"),
    ("key_shuffle length", _set("key_shuffle", [1, 0]), "plan.key_shuffle"),
    ("lr negative", _set("lr", -0.1), "plan.lr"),
    ("lr nan", _set("lr", math.nan), "plan.lr"),
    ("key_momentum", _set("key_momentum", 1.5), "plan.key_momentum"),
    ("enqueue_term", _set("enqueue_term", 3), "plan.enqueue_term"),
]


@pytest.mark.parametrize("mutate,path", [(m, p) for _, m, p in CASES], ids=[c[0] for c in CASES])
def test_rejection_names_the_field(mutate: Callable[[worker_pb2.StepPlan], None], path: str) -> None:
    plan = _plan()
    mutate(plan)
    with pytest.raises(WorkerError) as caught:
        _validate(plan)
    assert caught.value.code == "INVALID_ARGUMENT"
    assert path in caught.value.message, caught.value.message
    assert "step 4" in caught.value.message and "expected" in caught.value.message


def test_batch_must_split_evenly_for_split_bn_and_fit_the_queue() -> None:
    with pytest.raises(WorkerError) as caught:
        _validate(_plan(), bn_splits=3)
    assert "moco.bn_splits = 3" in caught.value.message and "N = 8" in caught.value.message
    with pytest.raises(WorkerError) as caught:
        _validate(_plan(), queue_size=4)
    assert "moco.queue_size = 4" in caught.value.message


def test_every_issue_is_listed() -> None:
    plan = _plan()
    plan.lr = -1.0
    plan.key_momentum = 2.0
    plan.terms[2].anchor_order[0] = 99
    with pytest.raises(WorkerError) as caught:
        _validate(plan)
    message = caught.value.message
    assert "3 issues" in message
    assert "plan.lr" in message and "plan.key_momentum" in message and "plan.terms[2].anchor_order" in message
    assert "received 99" in message


def test_a_run_without_queue_or_momentum_encoder_refuses_their_terms() -> None:
    with pytest.raises(WorkerError) as caught:
        _validate(_plan(), queue_size=0, momentum=False)
    message = caught.value.message
    assert "plan.terms[0].kind" in message and "queue_size = 0" in message
    assert "plan.terms[0].positive.encoder" in message and "momentum_encoder" in message


def test_per_sample_masks_carry_one_lambda_each_and_refuse_the_reordering_shortcut() -> None:
    plan = _plan()
    cells = np.zeros((N, 4, 4), dtype=np.uint8)
    for i in range(N):
        cells[i, : i % 3 + 1] = 1  # 1, 2 or 3 kept rows of 4
    plan.mask.cells = cells.tobytes()
    del plan.mask.kept_fraction[:]
    plan.mask.kept_fraction.extend([(i % 3 + 1) / 4 for i in range(N)])
    with pytest.raises(WorkerError) as caught:  # term 2 still reorders the mixed images
        _validate(plan)
    assert "plan.terms[2].anchor_order" in caught.value.message and "COMPLEMENT" in caught.value.message
    del plan.terms[2].anchor_order[:]
    plan.terms[2].anchor.input = worker_pb2.COMPLEMENT_0
    checked = _validate(plan)
    assert checked.mask is not None and checked.mask.cells.shape == (N, 4, 4)
    assert checked.mask.kept.tolist() == [(i % 3 + 1) / 4 for i in range(N)]
