"""The pixel baseline's features (CENTRED_PIXELS): exact values, and k-NN / linear probe requests that read them."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from plan_builders import make_images, make_labels, run_request

from mixmask_worker.data.store import DatasetStore
from mixmask_worker.evaluation.knn import weighted_knn
from mixmask_worker.evaluation.pixel_features import centred_pixel_features
from mixmask_worker.evaluation.run_evaluation import RunEvaluation
from mixmask_worker.generated.mixmask.v1 import worker_pb2
from mixmask_worker.training.run import TrainingRun

CPU = torch.device("cpu")
pytestmark = pytest.mark.usefixtures("one_thread")


def test_features_are_pixels_over_255_minus_the_banks_mean_image() -> None:
    bank = torch.from_numpy(make_images(12, size=8, channels=1, seed=1))
    queries = torch.from_numpy(make_images(5, size=8, channels=1, seed=2))
    bank_f, query_f = centred_pixel_features(bank, queries, CPU)
    flat_bank = bank.reshape(12, -1).double() / 255
    mean = flat_bank.mean(dim=0)
    assert bank_f.shape == (12, 64) and bank_f.dtype == torch.float32
    assert torch.allclose(bank_f.double(), flat_bank - mean, atol=1e-6)
    assert torch.allclose(query_f.double(), queries.reshape(5, -1).double() / 255 - mean, atol=1e-6)
    # The queries take no part in the mean: other queries leave the bank's features unchanged.
    again, _ = centred_pixel_features(bank, queries[:2], CPU)
    assert torch.equal(again, bank_f)


@pytest.fixture(scope="module")
def store() -> DatasetStore:
    store = DatasetStore(CPU)
    store.put("train", make_images(40, seed=5), make_labels(40))
    store.put("test", make_images(12, seed=6), make_labels(12))
    return store


def _knn(features: int) -> worker_pb2.KnnRequest:
    return worker_pb2.KnnRequest(
        run_id="run-1",
        train_dataset_id="train",
        test_dataset_id="test",
        k=10,
        temperature=0.1,
        batch_size=8,
        features=features,
    )


def test_knn_on_centred_pixels_is_the_weighted_knn_of_those_features_whatever_the_weights(store: DatasetStore) -> None:
    a = TrainingRun(run_request(seed=1), store, CPU)
    b = TrainingRun(run_request(seed=2), store, CPU)
    pixels_a = a.knn(_knn(worker_pb2.CENTRED_PIXELS))
    pixels_b = b.knn(_knn(worker_pb2.CENTRED_PIXELS))
    bank, test = store.get("train"), store.get("test")
    bank_f, test_f = centred_pixel_features(bank.images, test.images, CPU)
    top1, top5 = weighted_knn(
        F.normalize(bank_f, dim=1), bank.labels, F.normalize(test_f, dim=1), test.labels, 10, 0.1, 4
    )
    assert (pixels_a.top1, pixels_a.top5) == pytest.approx((top1, top5), abs=1e-6)
    assert (pixels_a.top1, pixels_a.top5) == (pixels_b.top1, pixels_b.top5)  # no backbone involved
    assert pixels_a.train_count == 40 and pixels_a.test_count == 12


def test_linear_probe_on_centred_pixels_reads_one_feature_per_pixel(store: DatasetStore) -> None:
    evaluation = RunEvaluation(TrainingRun(run_request(seed=1), store, CPU))
    request = worker_pb2.LinearProbeRequest(
        run_id="run-1",
        train_dataset_id="train",
        test_dataset_id="test",
        epochs=3,
        batch_size=8,
        lr=1.0,
        momentum=0.9,
        weight_decay=0.0,
        lr_milestones=[2],
        lr_gamma=0.1,
        init_std=0.01,
        seed=1,
        feature_batch_size=8,
        features=worker_pb2.CENTRED_PIXELS,
    )
    reply = evaluation.linear_probe(request)
    image = store.get("train").images[0]
    assert reply.feature_dim == image.numel() and len(reply.test_top1) == 3 and reply.train_count == 40
