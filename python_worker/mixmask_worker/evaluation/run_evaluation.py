"""The evaluation requests of one run: validation, the feature cache, and the calls into the protocols."""

from __future__ import annotations

import hashlib
import math
import time
from collections import OrderedDict
from typing import Any, Optional

import numpy as np
import torch
from torch import Tensor

from mixmask_worker.augment.view_params import ViewParams
from mixmask_worker.evaluation.fine_tune import FineTuneSettings, FineTuneStep, fine_tune
from mixmask_worker.evaluation.linear_probe import ProbeSettings, train_linear_probe
from mixmask_worker.evaluation.pixel_features import centred_pixel_features
from mixmask_worker.evaluation.run_knn import labelled_subset
from mixmask_worker.generated.mixmask.v1 import worker_pb2
from mixmask_worker.service.protocol import invalid_request
from mixmask_worker.training.run import TrainingRun

# Feature sets kept per run (train + test of the latest probe, and one older pair).
CACHED_FEATURE_SETS = 4


class RunEvaluation:
    """Linear probe and fine-tuning for one ``TrainingRun``; raw backbone features are cached per weights version."""

    def __init__(self, run: TrainingRun) -> None:
        self.run = run
        self._features: OrderedDict[tuple[str, str, int], Tensor] = OrderedDict()

    def linear_probe(self, request: worker_pb2.LinearProbeRequest) -> worker_pb2.LinearProbeReply:
        started = time.perf_counter()
        issues: list[str] = []
        _positive(issues, "linear_probe.epochs", request.epochs)
        _positive(issues, "linear_probe.batch_size", request.batch_size)
        _positive(issues, "linear_probe.feature_batch_size", request.feature_batch_size)
        _finite_at_least(issues, "linear_probe.lr", request.lr, 0.0, strict=True)
        _finite_at_least(issues, "linear_probe.momentum", request.momentum, 0.0)
        _finite_at_least(issues, "linear_probe.weight_decay", request.weight_decay, 0.0)
        _finite_at_least(issues, "linear_probe.lr_gamma", request.lr_gamma, 0.0, strict=True)
        _finite_at_least(issues, "linear_probe.init_std", request.init_std, 0.0)
        train_images, train_labels = labelled_subset(
            self.run.store.get(request.train_dataset_id), request.train_indices, "linear_probe.train", issues
        )
        test_images, test_labels = labelled_subset(
            self.run.store.get(request.test_dataset_id), request.test_indices, "linear_probe.test", issues
        )
        if issues or train_images is None or test_images is None or train_labels is None or test_labels is None:
            raise invalid_request(f"LinearProbe is invalid ({len(issues)} issues): ", issues)

        feature_started = time.perf_counter()
        batch = int(request.feature_batch_size)
        if request.features == worker_pb2.CENTRED_PIXELS:
            # Not cached here: the SDK caches the baseline's result per dataset content (src/eval/pixel-baseline.ts).
            train_f, test_f = centred_pixel_features(train_images, test_images, self.run.device)
            train_hit = test_hit = False
        else:
            train_f, train_hit = self._cached(request.train_dataset_id, request.train_indices, train_images, batch)
            test_f, test_hit = self._cached(request.test_dataset_id, request.test_indices, test_images, batch)
        feature_seconds = time.perf_counter() - feature_started
        num_classes = _num_classes(train_labels, test_labels)
        settings = ProbeSettings(
            epochs=int(request.epochs),
            batch_size=int(request.batch_size),
            lr=float(request.lr),
            momentum=float(request.momentum),
            weight_decay=float(request.weight_decay),
            milestones=tuple(int(m) for m in request.lr_milestones),
            gamma=float(request.lr_gamma),
            init_std=float(request.init_std),
        )
        generator = torch.Generator().manual_seed(int(request.seed))
        outcome = train_linear_probe(
            train_f,
            train_labels.to(train_f.device),
            test_f,
            test_labels.to(test_f.device),
            num_classes,
            settings,
            generator,
        )
        return worker_pb2.LinearProbeReply(
            test_top1=outcome.test_top1,
            last_top5=outcome.last_top5,
            train_top1=outcome.train_top1,
            final_train_loss=outcome.final_train_loss,
            feature_dim=int(train_f.shape[1]),
            train_count=int(train_f.shape[0]),
            test_count=int(test_f.shape[0]),
            num_classes=num_classes,
            features_cached=train_hit and test_hit,
            feature_seconds=feature_seconds,
            seconds=time.perf_counter() - started,
        )

    def fine_tune(self, request: worker_pb2.FineTuneRequest) -> worker_pb2.FineTuneReply:
        started = time.perf_counter()
        run = self.run
        issues: list[str] = []
        _positive(issues, "fine_tune.eval_batch_size", request.eval_batch_size)
        _finite_at_least(issues, "fine_tune.momentum", request.momentum, 0.0)
        _finite_at_least(issues, "fine_tune.weight_decay", request.weight_decay, 0.0)
        _finite_at_least(issues, "fine_tune.init_std", request.init_std, 0.0)
        if len(request.steps) == 0:
            issues.append("fine_tune.steps: expected at least one planned step, received none")
        train = run.store.get(request.train_dataset_id)
        all_images, all_labels = labelled_subset(train, [], "fine_tune.train", issues)
        test_images, test_labels = labelled_subset(
            run.store.get(request.test_dataset_id), request.test_indices, "fine_tune.test", issues
        )
        steps: list[FineTuneStep] = []
        used: set[int] = set()
        for i, step in enumerate(request.steps):
            indices = np.asarray(step.indices, dtype=np.int64)
            if indices.size == 0 or int(indices.max(initial=0)) >= train.count:
                issues.append(
                    f"fine_tune.steps[{i}].indices: expected 1 or more indices < {train.count} (images in "
                    f"{train.dataset_id!r}), received {indices.size} up to {int(indices.max(initial=0))}"
                )
                continue
            _finite_at_least(issues, f"fine_tune.steps[{i}].lr", step.lr, 0.0)
            try:
                view = ViewParams.from_proto(step.view, int(indices.size), run.device)
            except ValueError as error:
                issues.append(f"fine_tune.steps[{i}].view: {error}")
                continue
            used.update(int(v) for v in indices)
            steps.append(FineTuneStep(torch.from_numpy(indices).to(run.device), view, float(step.lr)))
        if issues or all_images is None or all_labels is None or test_images is None or test_labels is None:
            raise invalid_request(f"FineTune is invalid ({len(issues)} issues): ", issues)

        num_classes = _num_classes(all_labels, test_labels)
        images_on_device = all_images.device == run.device
        labels = all_labels.to(run.device)

        def images(indices: Tensor) -> Tensor:
            if images_on_device:
                return all_images.index_select(0, indices)
            return all_images.index_select(0, indices.cpu()).to(run.device)

        def test_logits(model: torch.nn.Module) -> tuple[Tensor, Tensor]:
            logits = run.features(test_images, int(request.eval_batch_size), normalize=False, model=model)
            return logits, test_labels.to(logits.device)

        outcome = fine_tune(
            run.backbone,
            run.feature_dim,
            images,
            lambda indices: labels.index_select(0, indices),
            steps,
            test_logits,
            num_classes,
            run.mean,
            run.std,
            FineTuneSettings(
                momentum=float(request.momentum),
                nesterov=bool(request.nesterov),
                weight_decay=float(request.weight_decay),
                init_std=float(request.init_std),
                image_size=run.image_size,
            ),
            torch.Generator().manual_seed(int(request.seed)),
        )
        return worker_pb2.FineTuneReply(
            test_top1=outcome.test_top1,
            test_top5=outcome.test_top5,
            final_train_loss=outcome.final_train_loss,
            labelled_count=len(used),
            test_count=int(test_images.shape[0]),
            num_classes=num_classes,
            seconds=time.perf_counter() - started,
        )

    def _cached(self, dataset_id: str, indices: Any, images: Tensor, batch_size: int) -> tuple[Tensor, bool]:
        """Raw backbone features of ``images``, computed once per (dataset, indices, weights version)."""
        digest = hashlib.sha256(np.asarray(indices, dtype=np.uint32).tobytes()).hexdigest()
        key = (dataset_id, digest, self.run.weights_version)
        hit = self._features.get(key)
        if hit is not None:
            self._features.move_to_end(key)
            return hit, True
        features = self.run.features(images, batch_size, normalize=False)  # [N, F]
        self._features[key] = features
        while len(self._features) > CACHED_FEATURE_SETS:
            self._features.popitem(last=False)
        return features, False


def _num_classes(train_labels: Tensor, test_labels: Tensor) -> int:
    return int(max(int(train_labels.max()), int(test_labels.max()))) + 1


def _positive(issues: list[str], path: str, value: int) -> None:
    if value < 1:
        issues.append(f"{path}: expected an integer >= 1, received {value}")


def _finite_at_least(issues: list[str], path: str, value: float, low: float, strict: bool = False) -> None:
    ok = math.isfinite(value) and (value > low if strict else value >= low)
    if not ok:
        issues.append(f"{path}: expected a finite number {'>' if strict else '>='} {low:g}, received {value}")


def evaluation_of(evaluations: dict[str, RunEvaluation], run: TrainingRun) -> RunEvaluation:
    """The run's evaluation state, created on first use and replaced when the run id names a new run."""
    current: Optional[RunEvaluation] = evaluations.get(run.run_id)
    if current is None or current.run is not run:
        current = RunEvaluation(run)
        evaluations[run.run_id] = current
    return current
