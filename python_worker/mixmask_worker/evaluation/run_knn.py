"""The Knn RPC on a training run: weighted k-NN top-1/top-5 (Wu et al. 2018) with the online backbone's features
(or mean-centred pixels, the baseline), and the labelled subsets that every evaluation of a run reads."""

from __future__ import annotations

import math
import time
from typing import TYPE_CHECKING, Any, Optional

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from mixmask_worker.data.store import ResidentDataset
from mixmask_worker.evaluation.knn import extract_features, weighted_knn
from mixmask_worker.evaluation.pixel_features import centred_pixel_features
from mixmask_worker.generated.mixmask.v1 import worker_pb2
from mixmask_worker.service.protocol import invalid_request

if TYPE_CHECKING:
    from mixmask_worker.training.run import TrainingRun

# Images per host->device copy when kNN features are taken from a dataset kept in host memory.
HOST_FEATURE_CHUNK = 8192


def run_knn(run: "TrainingRun", request: worker_pb2.KnnRequest) -> worker_pb2.KnnReply:
    started = time.perf_counter()
    issues: list[str] = []
    if request.k < 1:
        issues.append(f"knn.k: expected k >= 1 neighbours, received {request.k}")
    temperature = float(request.temperature)
    if not (math.isfinite(temperature) and temperature > 0):
        issues.append(f"knn.temperature: expected a finite temperature > 0, received {temperature}")
    if request.batch_size < 1:
        issues.append(f"knn.batch_size: expected >= 1 images per batch, received {request.batch_size}")
    train = run.store.get(request.train_dataset_id)
    test = run.store.get(request.test_dataset_id)
    train_images, train_labels = labelled_subset(train, request.train_indices, "knn.train", issues)
    test_images, test_labels = labelled_subset(test, request.test_indices, "knn.test", issues)
    if train_images is not None and request.k > train_images.shape[0]:
        issues.append(
            f"knn.k: expected at most the {train_images.shape[0]} images of the memory bank, received {request.k}"
        )
    if issues or train_images is None or test_images is None or train_labels is None or test_labels is None:
        raise invalid_request(f"Knn is invalid ({len(issues)} issues): ", issues)

    if request.features == worker_pb2.CENTRED_PIXELS:
        bank_pixels, test_pixels = centred_pixel_features(train_images, test_images, run.device)
        train_f, test_f = F.normalize(bank_pixels, dim=1), F.normalize(test_pixels, dim=1)  # [N, H·W·C]
    else:
        train_f = run_features(run, train_images, int(request.batch_size))  # [N_train, F]
        test_f = run_features(run, test_images, int(request.batch_size))  # [N_test, F]
    num_classes = int(max(int(train_labels.max()), int(test_labels.max()))) + 1
    top1, top5 = weighted_knn(
        train_f,
        train_labels.to(train_f.device),
        test_f,
        test_labels.to(test_f.device),
        int(request.k),
        temperature,
        num_classes,
        int(request.batch_size),
    )
    return worker_pb2.KnnReply(
        top1=float(top1),
        top5=float(top5),
        train_count=int(train_images.shape[0]),
        test_count=int(test_images.shape[0]),
        seconds=time.perf_counter() - started,
    )


def run_features(
    run: "TrainingRun",
    images: torch.Tensor,
    batch_size: int,
    normalize: bool = True,
    model: Optional[nn.Module] = None,
) -> torch.Tensor:
    """Features of uint8 images through ``model`` (default: the run's online backbone), L2-normalised unless told
    otherwise; a dataset kept in host memory is moved to the device in chunks."""
    backbone = run.online.backbone if model is None else model
    if images.device == run.device:
        return extract_features(backbone, images, run.image_size, run.mean, run.std, batch_size, normalize)
    chunk = max(batch_size, HOST_FEATURE_CHUNK // batch_size * batch_size)
    parts = [
        extract_features(
            backbone,
            images[start : start + chunk].to(run.device),
            run.image_size,
            run.mean,
            run.std,
            batch_size,
            normalize,
        )
        for start in range(0, images.shape[0], chunk)
    ]
    return torch.cat(parts)


def labelled_subset(
    dataset: ResidentDataset, indices: Any, path: str, issues: list[str]
) -> tuple[Optional[torch.Tensor], Optional[torch.Tensor]]:
    """Images [M, H, W, C] and labels [M] of ``dataset`` (all, or the given indices); None after an issue."""
    if dataset.labels is None:
        issues.append(
            f"{path}_dataset_id: dataset {dataset.dataset_id!r} has no labels: upload it with labels to evaluate on it"
        )
        return None, None
    if len(indices) == 0:
        images, labels = dataset.images, dataset.labels
    else:
        chosen = np.asarray(indices, dtype=np.int64)
        bad = np.nonzero(chosen >= dataset.count)[0]
        if bad.size:
            issues.append(
                f"{path}_indices[{int(bad[0])}]: expected an index < {dataset.count} (images in "
                f"{dataset.dataset_id!r}), received {int(chosen[bad[0]])}"
            )
            return None, None
        index = torch.from_numpy(chosen).to(dataset.images.device)
        images, labels = dataset.images.index_select(0, index), dataset.labels.index_select(0, index)
    if labels.numel() == 0:
        issues.append(f"{path}: expected at least one image, received none")
        return None, None
    if int(labels.min()) < 0:
        issues.append(f"{path}: expected labels >= 0 for evaluation, received {int(labels.min())}")
        return None, None
    return images, labels
