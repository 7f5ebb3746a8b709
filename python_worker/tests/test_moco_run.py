"""MocoRun on CPU with a tiny network: it learns, it computes exactly the planned loss, and checkpoints round-trip."""

from __future__ import annotations

import copy
import hashlib
import os
from typing import Iterator

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from plan_builders import IMAGE_SIZE, TEMPERATURE, make_images, make_labels, mixmask_plan, run_request, shuffled

from mixmask_worker.augment.view_augmenter import augment_views
from mixmask_worker.dataset_store import DatasetStore
from mixmask_worker.moco_run import MocoRun
from mixmask_worker.plan_validation import validate_step_plan
from mixmask_worker.protocol import WorkerError

CPU = torch.device("cpu")
N = 16


@pytest.fixture(scope="module", autouse=True)
def one_thread() -> Iterator[None]:
    # One intra-op thread: tiny convolutions gain nothing from more, and OpenMP spinning on a busy 2-core machine
    # slows them down by an order of magnitude.
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture(scope="module")
def store() -> DatasetStore:
    store = DatasetStore(CPU)
    store.put("train", make_images(N), make_labels(N))
    store.put("unlabelled", make_images(8, seed=3), None)
    return store


def _train(run: MocoRun, steps: int, lr: float, first_step: int = 0) -> list[float]:
    losses = []
    for step in range(first_step, first_step + steps):
        plan = mixmask_plan(step, list(range(N)), lr=lr, key_momentum=0.99, flip_key_view=False,
                            key_shuffle=shuffled(N, step))
        losses.append(run.step(plan).resolve().loss)
    return losses


def test_thirty_steps_on_a_fixed_batch_lower_the_loss(store: DatasetStore) -> None:
    # The raw per-step loss of a fixed batch first RISES as the queue fills with the batch's own keys, so learning
    # is measured against a control run that executes the same 30 plans with lr = 0 (same queue dynamics).
    control = _train(MocoRun(run_request(seed=3), store, CPU), 30, lr=0.0)
    trained = _train(MocoRun(run_request(seed=3), store, CPU), 30, lr=0.03)
    control_end, trained_end = np.mean(control[-5:]), np.mean(trained[-5:])
    assert trained_end < 0.8 * control_end, (control_end, trained_end)
    assert trained[-1] < max(trained[:5])


def test_step_loss_equals_direct_recomputation(store: DatasetStore) -> None:
    run = MocoRun(run_request(seed=11), store, CPU)
    _train(run, 2, lr=0.03)  # a queue holding real keys and moved weights
    query, key = copy.deepcopy(run.query), copy.deepcopy(run.key)
    queue = run.queue.keys.clone()  # [K, D]
    ptr = int(run.queue.ptr)
    m = 0.99
    shuffle = shuffled(N, 5)
    plan = mixmask_plan(2, list(range(N)), lr=0.03, key_momentum=m, key_shuffle=shuffle)

    result = run.step(plan).resolve()

    checked = validate_step_plan(plan, dataset_count=N, image_size=IMAGE_SIZE, bn_splits=2, queue_size=64, device=CPU)
    images = store.get("train").images
    x_q = augment_views(images, checked.views[0], IMAGE_SIZE, run.mean, run.std)
    x_k = augment_views(images, checked.views[1], IMAGE_SIZE, run.mean, run.std)
    cells = np.frombuffer(plan.mix.mask, dtype=np.uint8).reshape(plan.mix.grid, plan.mix.grid)
    rows = (np.arange(IMAGE_SIZE) * plan.mix.grid) // IMAGE_SIZE  # cell(i) = floor(i·g/S)
    mask = torch.from_numpy(cells[rows][:, rows].astype(np.float32))  # [S, S]
    partner = torch.tensor(list(plan.mix.partner))
    x_mix = mask * x_q + (1 - mask) * x_q[partner]
    with torch.no_grad():
        q = query(x_q)
        q_mix = query(x_mix)
        perm = torch.tensor(shuffle)
        k = key(x_k[perm])[torch.argsort(perm)]

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
    for p_key, p_key_before, p_query in zip(run.key.parameters(), key.parameters(), run.query.parameters()):
        torch.testing.assert_close(p_key, m * p_key_before + (1 - m) * p_query, atol=1e-6, rtol=1e-5)


def test_plan_without_mix_runs_only_the_plain_branches(store: DatasetStore) -> None:
    run = MocoRun(run_request(seed=1), store, CPU)
    result = run.step(mixmask_plan(0, list(range(8)), with_mix=False)).resolve()
    assert len(result.term_losses) == 1 and np.isfinite(result.loss)


def test_checkpoint_round_trip_gives_bit_identical_next_step(store: DatasetStore, tmp_path: object) -> None:
    path = os.path.join(str(tmp_path), "ckpt", "step-3.pt")
    first = MocoRun(run_request(seed=21), store, CPU)
    _train(first, 3, lr=0.03)
    size, digest = first.save(path, step=3)
    with open(path, "rb") as file:
        data = file.read()
    assert size == len(data) and digest == hashlib.sha256(data).hexdigest()
    assert not os.path.exists(path + ".tmp")
    expected = first.step(mixmask_plan(3, list(range(N)), lr=0.03, key_shuffle=shuffled(N, 3))).resolve()

    second = MocoRun(run_request(seed=99), store, CPU)  # other initial weights and queue: all must be restored
    loaded_bytes, stored_step = second.load(path, digest.upper())
    assert (loaded_bytes, stored_step) == (size, 3)
    actual = second.step(mixmask_plan(3, list(range(N)), lr=0.03, key_shuffle=shuffled(N, 3))).resolve()
    assert actual.loss == expected.loss
    assert list(actual.term_losses) == list(expected.term_losses)


def test_corrupt_or_mismatched_checkpoint_is_checkpoint_invalid(store: DatasetStore, tmp_path: object) -> None:
    path = os.path.join(str(tmp_path), "run.pt")
    run = MocoRun(run_request(seed=5), store, CPU)
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

    wider = MocoRun(run_request(seed=5, base_width=16), store, CPU)
    with pytest.raises(WorkerError) as caught:
        wider.load(path, digest)
    assert caught.value.code == "CHECKPOINT_INVALID" and "backbone.base_width" in caught.value.message


def test_non_finite_loss_names_term_step_and_lr(store: DatasetStore) -> None:
    run = MocoRun(run_request(seed=2), store, CPU)
    run.step(mixmask_plan(0, list(range(N)), lr=1e36)).resolve()  # the loss of step 0 is still finite
    pending = run.step(mixmask_plan(1, list(range(N)), lr=1e36))
    with pytest.raises(WorkerError) as caught:
        pending.resolve()
    assert caught.value.code == "NON_FINITE_LOSS"
    message = caught.value.message
    assert "step 1" in message and "loss term 0" in message and "lr=1e+36" in message
    assert caught.value.details["step"] == 1 and caught.value.details["term"] == 0
    assert caught.value.details["lr"] == pytest.approx(1e36, rel=1e-6)  # float32 on the wire


def test_create_run_rejects_bad_config(store: DatasetStore) -> None:
    request = run_request()
    request.precision = "fp16"
    request.mean[:] = [0.5, 0.5]
    with pytest.raises(WorkerError) as caught:
        MocoRun(request, store, CPU)
    assert caught.value.code == "INVALID_ARGUMENT"
    assert "run.precision" in caught.value.message and "run.mean" in caught.value.message
    with pytest.raises(WorkerError) as caught:
        MocoRun(run_request(dataset_id="nope"), store, CPU)
    assert caught.value.code == "DATASET_NOT_FOUND" and "'nope'" in caught.value.message
    request = run_request()
    request.backbone.arch = "vgg11"
    with pytest.raises(WorkerError) as caught:
        MocoRun(request, store, CPU)
    assert caught.value.code == "INVALID_ARGUMENT" and "vgg11" in caught.value.message


def test_knn_reports_accuracy_and_rejects_bad_requests(store: DatasetStore) -> None:
    from mixmask_worker.generated.mixmask.v1 import worker_pb2

    run = MocoRun(run_request(seed=4), store, CPU)
    reply = run.knn(worker_pb2.KnnRequest(run_id="run-1", train_dataset_id="train", test_dataset_id="train",
                                          k=3, temperature=0.1, batch_size=8, test_indices=[0, 1, 2, 3]))
    assert reply.train_count == N and reply.test_count == 4
    assert 0.0 <= reply.top1 <= reply.top5 <= 1.0 and reply.seconds > 0
    assert run.query.training  # evaluation restored the training mode
    with pytest.raises(WorkerError) as caught:
        run.knn(worker_pb2.KnnRequest(run_id="run-1", train_dataset_id="train", test_dataset_id="unlabelled",
                                      k=200, temperature=0.1, batch_size=8))
    assert caught.value.code == "INVALID_ARGUMENT"
    assert "knn.k" in caught.value.message and "no labels" in caught.value.message
