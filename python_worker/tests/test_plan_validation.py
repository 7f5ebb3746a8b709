"""Every way a StepPlan can be malformed is refused with INVALID_ARGUMENT naming the field path."""

from __future__ import annotations

import math
from typing import Callable

import numpy as np
import pytest
import torch
from plan_builders import IMAGE_SIZE, mixmask_plan

from mixmask_worker.generated.mixmask.v1 import worker_pb2
from mixmask_worker.plan_validation import ValidatedPlan, validate_step_plan
from mixmask_worker.protocol import WorkerError

N = 8
DATASET_COUNT = 20


def _validate(plan: worker_pb2.StepPlan, bn_splits: int = 2, queue_size: int = 64) -> ValidatedPlan:
    return validate_step_plan(
        plan, dataset_count=DATASET_COUNT, image_size=IMAGE_SIZE, bn_splits=bn_splits, queue_size=queue_size,
        device=torch.device("cpu"),
    )


def _plan() -> worker_pb2.StepPlan:
    return mixmask_plan(4, [3, 1, 4, 15, 9, 2, 6, 5], key_shuffle=[7, 6, 5, 4, 3, 2, 1, 0])


def test_valid_plan_becomes_host_arrays() -> None:
    checked = _validate(_plan())
    assert checked.step == 4 and checked.batch_size == N
    assert checked.indices.dtype == np.int64 and checked.indices.tolist() == [3, 1, 4, 15, 9, 2, 6, 5]
    assert checked.mix is not None and checked.mix.cells.shape == (4, 4) and checked.mix.lam == 0.5
    assert checked.mix.partner.tolist() == list(range(N - 1, -1, -1))
    assert [t.query for t in checked.terms] == [worker_pb2.QUERY_VIEW, worker_pb2.QUERY_MIX, worker_pb2.QUERY_MIX]
    assert checked.terms[0].query_order is None and checked.terms[2].query_order is not None
    assert checked.branches() == {worker_pb2.QUERY_VIEW, worker_pb2.QUERY_MIX, worker_pb2.KEY_VIEW}
    assert checked.key_shuffle is not None and checked.views[1].flip.all()


def _set(field: str, value: object) -> Callable[[worker_pb2.StepPlan], None]:
    def mutate(plan: worker_pb2.StepPlan) -> None:
        target: object = plan
        *parents, last = field.split(".")
        for name in parents:
            target = getattr(target, name)
        attribute = getattr(target, last)
        if hasattr(attribute, "extend") and isinstance(value, list):
            del attribute[:]
            attribute.extend(value)
        else:
            setattr(target, last, value)

    return mutate


def _term(index: int, field: str, value: object) -> Callable[[worker_pb2.StepPlan], None]:
    def mutate(plan: worker_pb2.StepPlan) -> None:
        _set(field, value)(plan.terms[index])  # type: ignore[arg-type]

    return mutate


def _drop_mix(plan: worker_pb2.StepPlan) -> None:
    plan.ClearField("mix")


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
    ("grid 0", _set("mix.grid", 0), "plan.mix.grid"),
    ("grid larger than the image", _set("mix.grid", IMAGE_SIZE + 1), "plan.mix.grid"),
    ("mask length", _set("mix.mask", bytes(15)), "plan.mix.mask:"),
    ("mask value", _set("mix.mask", bytes([1] * 5 + [2] + [0] * 10)), "plan.mix.mask[5]"),
    ("partner length", _set("mix.partner", [0, 1, 2]), "plan.mix.partner:"),
    ("partner value", _set("mix.partner", [0, 1, 2, 8, 4, 5, 6, 7]), "plan.mix.partner[3]"),
    ("lambda", _set("mix.lambda", 1.5), "plan.mix.lambda"),
    ("no terms", _no_terms, "plan.terms:"),
    ("term kind", _term(0, "kind", worker_pb2.TERM_KIND_UNSPECIFIED), "plan.terms[0].kind"),
    ("unknown term kind", _term(0, "kind", 9), "plan.terms[0].kind"),
    ("key as query", _term(0, "query", worker_pb2.KEY_VIEW), "plan.terms[0].query"),
    ("query as key", _term(1, "key", worker_pb2.QUERY_VIEW), "plan.terms[1].key"),
    ("unspecified key", _term(1, "key", worker_pb2.BRANCH_UNSPECIFIED), "plan.terms[1].key"),
    ("mix branch without mix", _drop_mix, "plan.terms[1].query"),
    ("temperature 0", _term(0, "temperature", 0.0), "plan.terms[0].temperature"),
    ("temperature nan", _term(2, "temperature", math.nan), "plan.terms[2].temperature"),
    ("weight inf", _term(2, "weight", math.inf), "plan.terms[2].weight"),
    ("query_order length", _term(2, "query_order", [0, 1]), "plan.terms[2].query_order:"),
    ("query_order value", _term(2, "query_order", [9, 1, 2, 3, 4, 5, 6, 7]), "plan.terms[2].query_order[0]"),
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
    plan.mix.partner[0] = 99
    with pytest.raises(WorkerError) as caught:
        _validate(plan)
    message = caught.value.message
    assert "3 issues" in message
    assert "plan.lr" in message and "plan.key_momentum" in message and "plan.mix.partner[0]" in message
    assert "received 99" in message
