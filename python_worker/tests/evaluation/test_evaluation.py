"""Linear probe and semi-supervised fine-tuning: the protocols' math, and RunEvaluation's requests and cache."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from plan_builders import make_images, make_labels, run_request, view_plan

from mixmask_worker.data.store import DatasetStore
from mixmask_worker.evaluation.linear_probe import ProbeSettings, train_linear_probe
from mixmask_worker.evaluation.run_evaluation import RunEvaluation
from mixmask_worker.generated.mixmask.v1 import worker_pb2
from mixmask_worker.models.grouped_batch_norm import GroupedBatchNorm2d
from mixmask_worker.models.split_batch_norm import SplitBatchNorm2d
from mixmask_worker.service.protocol import WorkerError
from mixmask_worker.training.run import TrainingRun

CPU = torch.device("cpu")
N = 32
RELEASE = ProbeSettings(
    epochs=100, batch_size=256, lr=30.0, momentum=0.9, weight_decay=0.0, milestones=(60, 80), gamma=0.1, init_std=0.01
)
pytestmark = pytest.mark.usefixtures("one_thread")


def _clusters(per_class: int, classes: int, dim: int, noise: float, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    g = torch.Generator().manual_seed(seed)
    centres = torch.randn(classes, dim, generator=torch.Generator().manual_seed(99)).abs() * 2  # ReLU-like features
    labels = torch.arange(classes).repeat_interleave(per_class)
    return (centres[labels] + noise * torch.randn(len(labels), dim, generator=g)).clamp_min(0), labels


def test_release_protocol_separates_clusters_and_is_reproducible() -> None:
    train_f, train_y = _clusters(50, 5, 12, 0.3, seed=0)
    test_f, test_y = _clusters(20, 5, 12, 0.3, seed=1)
    a = train_linear_probe(train_f, train_y, test_f, test_y, 5, RELEASE, torch.Generator().manual_seed(3))
    b = train_linear_probe(train_f, train_y, test_f, test_y, 5, RELEASE, torch.Generator().manual_seed(3))
    assert len(a.test_top1) == 100
    assert a.test_top1[-1] > 0.95 and a.last_top5 == 1.0 and a.train_top1 > 0.95
    assert a.test_top1 == b.test_top1  # the generator decides initialisation and batch order, nothing else does


def test_probe_curve_matches_a_direct_recomputation_of_each_epoch() -> None:
    # Two epochs of full-batch SGD without momentum, written out by hand: the probe's per-epoch top-1 must agree.
    train_f, train_y = _clusters(8, 3, 4, 1.5, seed=2)
    test_f, test_y = _clusters(8, 3, 4, 1.5, seed=4)
    settings = ProbeSettings(
        epochs=2, batch_size=1000, lr=0.5, momentum=0.0, weight_decay=0.0, milestones=(1,), gamma=0.1, init_std=0.01
    )
    out = train_linear_probe(train_f, train_y, test_f, test_y, 3, settings, torch.Generator().manual_seed(5))
    g = torch.Generator().manual_seed(5)
    w = (torch.randn(3, 4, generator=g) * 0.01).requires_grad_(True)
    b = torch.zeros(3, requires_grad=True)
    expected = []
    for lr in (0.5, 0.05):  # lr ×0.1 once 1 epoch is done
        torch.randperm(len(train_y), generator=g)  # the probe draws each epoch's order from the same generator
        loss = F.cross_entropy(train_f @ w.t() + b, train_y)
        gw, gb = torch.autograd.grad(loss, [w, b])
        with torch.no_grad():
            w -= lr * gw
            b -= lr * gb
            expected.append(float(((test_f @ w.t() + b).argmax(1) == test_y).float().mean()))
    assert out.test_top1 == pytest.approx(expected, abs=1e-6)


@pytest.fixture(scope="module")
def store() -> DatasetStore:
    store = DatasetStore(CPU)
    store.put("train", make_images(N), make_labels(N))
    store.put("unlabelled", make_images(8, seed=3), None)
    return store


def _probe_request(**fields: object) -> worker_pb2.LinearProbeRequest:
    request = worker_pb2.LinearProbeRequest(
        run_id="run-1",
        train_dataset_id="train",
        test_dataset_id="train",
        epochs=5,
        batch_size=8,
        lr=1.0,
        momentum=0.9,
        weight_decay=0.0,
        lr_milestones=[3],
        lr_gamma=0.1,
        init_std=0.01,
        seed=1,
        feature_batch_size=8,
    )
    for key, value in fields.items():
        setattr(request, key, value)
    return request


def test_features_are_cached_per_weights_and_recomputed_after_a_step(store: DatasetStore) -> None:
    from plan_builders import mixmask_plan, shuffled

    run = TrainingRun(run_request(seed=4), store, CPU)
    evaluation = RunEvaluation(run)
    first = evaluation.linear_probe(_probe_request())
    again = evaluation.linear_probe(_probe_request())
    assert not first.features_cached and again.features_cached
    assert list(first.test_top1) == list(again.test_top1)  # same features, same seed: the same probe
    assert first.feature_dim == run.feature_dim and first.train_count == N and first.num_classes == 4
    run.step(
        mixmask_plan(0, list(range(16)), lr=0.1, key_momentum=0.99, flip_key_view=False, key_shuffle=shuffled(16, 0))
    ).resolve()
    after = evaluation.linear_probe(_probe_request())
    assert not after.features_cached  # the weights changed


def test_bad_probe_requests_list_every_issue(store: DatasetStore) -> None:
    evaluation = RunEvaluation(TrainingRun(run_request(seed=4), store, CPU))
    with pytest.raises(WorkerError) as caught:
        evaluation.linear_probe(_probe_request(epochs=0, lr=float("nan"), test_dataset_id="unlabelled"))
    message = caught.value.message
    assert caught.value.code == "INVALID_ARGUMENT"
    assert "linear_probe.epochs" in message and "linear_probe.lr" in message and "no labels" in message


def _fine_tune_request(steps: int, lr: float) -> worker_pb2.FineTuneRequest:
    request = worker_pb2.FineTuneRequest(
        run_id="run-1",
        train_dataset_id="train",
        test_dataset_id="train",
        momentum=0.9,
        nesterov=True,
        weight_decay=0.0,
        init_std=0.01,
        seed=2,
        eval_batch_size=8,
    )
    for step in range(steps):
        # Whole-dataset batches: with batches of a few images, train-mode BN statistics differ enough from the
        # running ones that memorised images are misclassified in eval mode, which is not what this test is about.
        request.steps.append(
            worker_pb2.FineTuneStep(indices=list(range(N)), view=view_plan(N, flip=step % 2 == 1), lr=lr)
        )
    return request


def test_fine_tuning_learns_the_labels_and_leaves_the_run_untouched(store: DatasetStore) -> None:
    run = TrainingRun(run_request(seed=4, bn_splits=2), store, CPU)
    before = {k: v.clone() for k, v in run.backbone.state_dict().items()}
    evaluation = RunEvaluation(run)
    untrained = evaluation.fine_tune(_fine_tune_request(1, lr=0.0))
    trained = evaluation.fine_tune(_fine_tune_request(30, lr=0.05))
    # 32 images of 4 label classes, trained and tested on the same images: fine-tuning must fit them.
    assert trained.test_top1 > max(0.9, untrained.test_top1 + 0.3), (untrained.test_top1, trained.test_top1)
    assert trained.labelled_count == N and trained.num_classes == 4
    for key, value in run.backbone.state_dict().items():
        assert torch.equal(value, before[key]), key
    splits = [m.num_splits for m in run.backbone.modules() if isinstance(m, (SplitBatchNorm2d, GroupedBatchNorm2d))]
    assert splits and all(s == 2 for s in splits)
    assert run.backbone.training


def test_bad_fine_tune_requests_name_the_step(store: DatasetStore) -> None:
    evaluation = RunEvaluation(TrainingRun(run_request(seed=4), store, CPU))
    request = _fine_tune_request(2, lr=0.01)
    request.steps[1].indices.append(N + 5)
    request.steps[0].view.crop.pop()
    with pytest.raises(WorkerError) as caught:
        evaluation.fine_tune(request)
    assert "fine_tune.steps[1].indices" in caught.value.message and "fine_tune.steps[0].view" in caught.value.message
    with pytest.raises(WorkerError) as empty:
        evaluation.fine_tune(_fine_tune_request(0, lr=0.01))
    assert "fine_tune.steps" in empty.value.message
