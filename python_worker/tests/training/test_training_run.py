"""TrainingRun on CPU with a tiny network: it learns, it computes exactly the planned loss, and checkpoints round-trip."""

from __future__ import annotations

import copy
import hashlib
import os

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from plan_builders import IMAGE_SIZE, TEMPERATURE, make_images, make_labels, mixmask_plan, run_request, shuffled

from mixmask_worker.augment.view_augmenter import augment_views
from mixmask_worker.data.store import DatasetStore
from mixmask_worker.service.protocol import WorkerError
from mixmask_worker.training.run import TrainingRun

CPU = torch.device("cpu")
N = 16
pytestmark = pytest.mark.usefixtures("one_thread")


@pytest.fixture(scope="module")
def store() -> DatasetStore:
    store = DatasetStore(CPU)
    store.put("train", make_images(N), make_labels(N))
    store.put("unlabelled", make_images(8, seed=3), None)
    return store


def _train(run: TrainingRun, steps: int, lr: float, first_step: int = 0) -> list[float]:
    losses = []
    for step in range(first_step, first_step + steps):
        plan = mixmask_plan(
            step, list(range(N)), lr=lr, key_momentum=0.99, flip_key_view=False, key_shuffle=shuffled(N, step)
        )
        losses.append(run.step(plan).resolve().loss)
    return losses


def test_thirty_steps_on_a_fixed_batch_lower_the_loss(store: DatasetStore) -> None:
    # The raw per-step loss of a fixed batch first RISES as the queue fills with the batch's own keys, so learning
    # is measured against a control run that executes the same 30 plans with lr = 0 (same queue dynamics).
    control = _train(TrainingRun(run_request(seed=3), store, CPU), 30, lr=0.0)
    trained = _train(TrainingRun(run_request(seed=3), store, CPU), 30, lr=0.03)
    control_end, trained_end = np.mean(control[-5:]), np.mean(trained[-5:])
    assert trained_end < 0.8 * control_end, (control_end, trained_end)
    assert trained[-1] < max(trained[:5])


def test_step_loss_equals_direct_recomputation(store: DatasetStore) -> None:
    run = TrainingRun(run_request(seed=11), store, CPU)
    _train(run, 2, lr=0.03)  # a queue holding real keys and moved weights
    assert run.queue is not None and run.momentum is not None
    query, key = copy.deepcopy(run.online), copy.deepcopy(run.momentum)
    queue = run.queue.keys.clone()  # [K, D]
    ptr = int(run.queue.ptr)
    m = 0.99
    shuffle = shuffled(N, 5)
    plan = mixmask_plan(2, list(range(N)), lr=0.03, key_momentum=m, key_shuffle=shuffle)

    result = run.step(plan).resolve()

    checked = run.validate(plan)
    images = store.get("train").images
    x_q = augment_views(images, checked.views[0], IMAGE_SIZE, run.mean, run.std)
    x_k = augment_views(images, checked.views[1], IMAGE_SIZE, run.mean, run.std)
    cells = np.frombuffer(plan.mask.cells, dtype=np.uint8).reshape(plan.mask.grid, plan.mask.grid)
    rows = (np.arange(IMAGE_SIZE) * plan.mask.grid) // IMAGE_SIZE  # cell(i) = floor(i·g/S)
    mask = torch.from_numpy(cells[rows][:, rows].astype(np.float32))  # [S, S]
    partner = torch.tensor(list(plan.mask.partner))
    x_mix = mask * x_q + (1 - mask) * x_q[partner]
    with torch.no_grad():
        q = F.normalize(query(x_q), dim=1)
        q_mix = F.normalize(query(x_mix), dim=1)
        perm = torch.tensor(shuffle)
        k = F.normalize(key(x_k[perm])[torch.argsort(perm)], dim=1)

    def info_nce(q_: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        logits = torch.cat([(q_ * k).sum(1, keepdim=True), q_ @ queue.t()], dim=1) / TEMPERATURE  # [N, 1+K]
        return -F.log_softmax(logits, dim=1)[:, 0].mean(), logits

    term0, logits0 = info_nce(q)
    term1, _ = info_nce(q_mix)
    term2, _ = info_nce(q_mix[partner])  # the reversal is its own inverse
    lam = plan.terms[1].weight
    expected = [term0.item(), term1.item(), term2.item()]
    assert result.term_losses == pytest.approx(expected, abs=1e-5)
    assert result.loss == pytest.approx(term0.item() + lam * term1.item() + (1 - lam) * term2.item(), abs=1e-5)
    assert result.positive_top1 == pytest.approx((logits0.argmax(1) == 0).float().mean().item())
    assert result.step == 2 and result.worker_ms > 0

    # After the step: keys enqueued at the pointer, f_k <- m·f_k + (1 - m)·f_q over parameters.
    torch.testing.assert_close(run.queue.keys[ptr : ptr + N], k, atol=1e-6, rtol=0)
    for p_key, p_key_before, p_query in zip(run.momentum.parameters(), key.parameters(), run.online.parameters()):
        torch.testing.assert_close(p_key, m * p_key_before + (1 - m) * p_query, atol=1e-6, rtol=1e-5)


def test_plan_without_mix_runs_only_the_plain_branches(store: DatasetStore) -> None:
    run = TrainingRun(run_request(seed=1), store, CPU)
    result = run.step(mixmask_plan(0, list(range(8)), with_mix=False)).resolve()
    assert len(result.term_losses) == 1 and np.isfinite(result.loss)


def test_checkpoint_round_trip_gives_bit_identical_next_step(store: DatasetStore, tmp_path: object) -> None:
    path = os.path.join(str(tmp_path), "ckpt", "step-3.pt")
    first = TrainingRun(run_request(seed=21), store, CPU)
    _train(first, 3, lr=0.03)
    size, digest = first.save(path, step=3)
    with open(path, "rb") as file:
        data = file.read()
    assert size == len(data) and digest == hashlib.sha256(data).hexdigest()
    assert not os.path.exists(path + ".tmp")
    expected = first.step(mixmask_plan(3, list(range(N)), lr=0.03, key_shuffle=shuffled(N, 3))).resolve()

    second = TrainingRun(run_request(seed=99), store, CPU)  # other initial weights and queue: all must be restored
    loaded_bytes, stored_step = second.load(path, digest.upper())
    assert (loaded_bytes, stored_step) == (size, 3)
    actual = second.step(mixmask_plan(3, list(range(N)), lr=0.03, key_shuffle=shuffled(N, 3))).resolve()
    assert actual.loss == expected.loss
    assert list(actual.term_losses) == list(expected.term_losses)


def test_corrupt_or_mismatched_checkpoint_is_checkpoint_invalid(store: DatasetStore, tmp_path: object) -> None:
    path = os.path.join(str(tmp_path), "run.pt")
    run = TrainingRun(run_request(seed=5), store, CPU)
    _size, digest = run.save(path, step=0)
    with open(path, "rb") as file:
        data = bytearray(file.read())
    data[len(data) // 2] ^= 0xFF
    corrupt = os.path.join(str(tmp_path), "corrupt.pt")
    with open(corrupt, "wb") as file:
        file.write(bytes(data))
    with pytest.raises(WorkerError) as caught:
        run.load(corrupt, digest)
    assert caught.value.code == "CHECKPOINT_INVALID"
    assert "sha256" in caught.value.message and digest in caught.value.message and "corrupt.pt" in caught.value.message

    truncated = os.path.join(str(tmp_path), "truncated.pt")
    with open(truncated, "wb") as file:
        file.write(bytes(data[: len(data) // 3]))
    with pytest.raises(WorkerError) as caught:
        run.load(truncated, "")
    assert caught.value.code == "CHECKPOINT_INVALID"

    with pytest.raises(WorkerError) as caught:
        run.load(os.path.join(str(tmp_path), "missing.pt"), "")
    assert caught.value.code == "CHECKPOINT_INVALID" and "does not exist" in caught.value.message

    wider = TrainingRun(run_request(seed=5, base_width=16), store, CPU)
    with pytest.raises(WorkerError) as caught:
        wider.load(path, digest)
    assert caught.value.code == "CHECKPOINT_INVALID" and "backbone.base_width" in caught.value.message


def test_non_finite_loss_names_term_step_and_lr(store: DatasetStore) -> None:
    run = TrainingRun(run_request(seed=2), store, CPU)
    run.step(mixmask_plan(0, list(range(N)), lr=1e36)).resolve()  # the loss of step 0 is still finite
    pending = run.step(mixmask_plan(1, list(range(N)), lr=1e36))
    with pytest.raises(WorkerError) as caught:
        pending.resolve()
    assert caught.value.code == "NON_FINITE_LOSS"
    message = caught.value.message
    assert (
        "step 1" in message
        and "loss term 0 (INFO_NCE_QUEUE ONLINE(VIEW_0) vs MOMENTUM(VIEW_1)" in message
        and "lr=1e+36" in message
    )
    assert caught.value.details["step"] == 1 and caught.value.details["term"] == 0
    assert caught.value.details["lr"] == pytest.approx(1e36, rel=1e-6)  # float32 on the wire


def test_create_run_rejects_bad_config(store: DatasetStore) -> None:
    request = run_request()
    request.precision = "fp16"
    request.mean[:] = [0.5, 0.5]
    with pytest.raises(WorkerError) as caught:
        TrainingRun(request, store, CPU)
    assert caught.value.code == "INVALID_ARGUMENT"
    assert "run.precision" in caught.value.message and "run.mean" in caught.value.message
    with pytest.raises(WorkerError) as caught:
        TrainingRun(run_request(dataset_id="nope"), store, CPU)
    assert caught.value.code == "DATASET_NOT_FOUND" and "'nope'" in caught.value.message
    request = run_request()
    request.backbone.arch = "vgg11"
    with pytest.raises(WorkerError) as caught:
        TrainingRun(request, store, CPU)
    assert caught.value.code == "INVALID_ARGUMENT" and "vgg11" in caught.value.message


def test_knn_reports_accuracy_and_rejects_bad_requests(store: DatasetStore) -> None:
    from mixmask_worker.generated.mixmask.v1 import worker_pb2

    run = TrainingRun(run_request(seed=4), store, CPU)
    reply = run.knn(
        worker_pb2.KnnRequest(
            run_id="run-1",
            train_dataset_id="train",
            test_dataset_id="train",
            k=3,
            temperature=0.1,
            batch_size=8,
            test_indices=[0, 1, 2, 3],
        )
    )
    assert reply.train_count == N and reply.test_count == 4
    assert 0.0 <= reply.top1 <= reply.top5 <= 1.0 and reply.seconds > 0
    assert run.online.training  # evaluation restored the training mode
    with pytest.raises(WorkerError) as caught:
        run.knn(
            worker_pb2.KnnRequest(
                run_id="run-1",
                train_dataset_id="train",
                test_dataset_id="unlabelled",
                k=200,
                temperature=0.1,
                batch_size=8,
            )
        )
    assert caught.value.code == "INVALID_ARGUMENT"
    assert "knn.k" in caught.value.message and "no labels" in caught.value.message


def _framework_plan(step: int, encoder_a: int, encoder_p: int, kind: int, symmetric_views: bool = False) -> "object":
    from plan_builders import branch, view_plan

    from mixmask_worker.generated.mixmask.v1 import worker_pb2

    terms = [
        worker_pb2.LossTerm(
            kind=kind,
            anchor=branch(worker_pb2.VIEW_0, encoder_a),
            positive=branch(worker_pb2.VIEW_1, encoder_p),
            weight=0.5,
            temperature=0.2,
        )
    ]
    if symmetric_views:
        terms.append(
            worker_pb2.LossTerm(
                kind=kind,
                anchor=branch(worker_pb2.VIEW_1, encoder_a),
                positive=branch(worker_pb2.VIEW_0, encoder_p),
                weight=0.5,
                temperature=0.2,
            )
        )
    return worker_pb2.StepPlan(
        step=step,
        indices=list(range(N)),
        views=[view_plan(N), view_plan(N, flip=True)],
        terms=terms,
        lr=0.05,
        key_momentum=0.99,
    )


def test_byol_and_simsiam_runs_train_their_predictor_and_round_trip(store: DatasetStore, tmp_path: object) -> None:
    from mixmask_worker.generated.mixmask.v1 import worker_pb2

    byol = TrainingRun(run_request(seed=8, queue_size=0, predictor_hidden_dim=24), store, CPU)
    simsiam = TrainingRun(
        run_request(seed=8, queue_size=0, momentum_encoder=False, predictor_hidden_dim=24), store, CPU
    )
    assert byol.queue is None and byol.predictor is not None and byol.momentum is not None
    assert simsiam.momentum is None and simsiam.parameters == byol.parameters
    before = [p.detach().clone() for p in byol.predictor.parameters()]
    plans = {
        "byol": lambda s: _framework_plan(
            s, worker_pb2.ONLINE_PREDICTOR, worker_pb2.MOMENTUM, worker_pb2.NORMALIZED_MSE, True
        ),
        "simsiam": lambda s: _framework_plan(
            s, worker_pb2.ONLINE_PREDICTOR, worker_pb2.ONLINE_DETACHED, worker_pb2.NEGATIVE_COSINE, True
        ),
    }
    for step in range(3):
        result = byol.step(plans["byol"](step)).resolve()
        assert 0.0 <= result.loss <= 4.0 and result.embedding_std > 0
        assert len(result.term_losses) == 2
        simsiam.step(plans["simsiam"](step)).resolve()
    assert any(not torch.equal(a, b) for a, b in zip(before, byol.predictor.parameters()))

    path = os.path.join(str(tmp_path), "byol.pt")
    _size, digest = byol.save(path, step=3)
    expected = byol.step(plans["byol"](3)).resolve()
    again = TrainingRun(run_request(seed=1, queue_size=0, predictor_hidden_dim=24), store, CPU)
    again.load(path, digest)
    assert again.step(plans["byol"](3)).resolve().loss == expected.loss
    with pytest.raises(WorkerError) as caught:  # a SimSiam run has no momentum encoder to restore
        simsiam.load(path, digest)
    assert caught.value.code == "CHECKPOINT_INVALID"


def test_create_run_rejects_a_queue_without_momentum_encoder(store: DatasetStore) -> None:
    with pytest.raises(WorkerError) as caught:
        TrainingRun(run_request(momentum_encoder=False), store, CPU)
    assert "run.moco.queue_size" in caught.value.message and "momentum_encoder" in caught.value.message
