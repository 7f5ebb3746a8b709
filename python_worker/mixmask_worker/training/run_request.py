"""CreateRun's checks: every problem of a CreateRunRequest, reported at once, before any network is built."""

from __future__ import annotations

import math

from mixmask_worker.generated.mixmask.v1 import worker_pb2
from mixmask_worker.models.compiled import COMPILE_MODES
from mixmask_worker.service.protocol import invalid_request

PRECISIONS = ("fp32", "bf16")
# CreateRunRequest fields that decide the shapes of the stored state: a checkpoint must agree on all of them.
ARCHITECTURE_FIELDS = (
    ("backbone", "arch"),
    ("backbone", "base_width"),
    ("backbone", "cifar_stem"),
    ("head", "hidden_dim"),
    ("head", "out_dim"),
    ("head", "layers"),
    ("head", "batch_norm"),
    ("predictor", "hidden_dim"),
    ("predictor", "out_dim"),
    ("predictor", "layers"),
    ("predictor", "batch_norm"),
    ("moco", "queue_size"),
)


def validate_run_request(request: worker_pb2.CreateRunRequest) -> None:
    """Raises WorkerError(INVALID_ARGUMENT) listing every malformed field of a CreateRunRequest."""
    issues: list[str] = []

    def add(path: str, expected: str, received: object) -> None:
        issues.append(f"{path}: expected {expected}, received {received!r}")

    if not request.run_id:
        add("run.run_id", "a non-empty run id", request.run_id)
    if not request.dataset_id:
        add("run.dataset_id", "the id of an uploaded dataset", request.dataset_id)
    if request.backbone.base_width < 1:
        add("run.backbone.base_width", "a first-stage width >= 1 (64 in torchvision)", request.backbone.base_width)
    if request.head.hidden_dim < 1:
        add("run.head.hidden_dim", "a hidden width >= 1", request.head.hidden_dim)
    if request.head.out_dim < 1:
        add("run.head.out_dim", "an embedding width >= 1 (128 in MoCo v2)", request.head.out_dim)
    if request.head.layers not in (0, 2, 3):
        add("run.head.layers", "2 or 3 Linear layers (0 means 2)", request.head.layers)
    if request.HasField("predictor"):
        if request.predictor.hidden_dim < 1:
            add("run.predictor.hidden_dim", "a hidden width >= 1", request.predictor.hidden_dim)
        if request.predictor.out_dim != request.head.out_dim:
            add("run.predictor.out_dim", f"the projector's out_dim = {request.head.out_dim}", request.predictor.out_dim)
        if request.predictor.layers not in (0, 2):
            add("run.predictor.layers", "2 Linear layers (0 means 2)", request.predictor.layers)
    if request.moco.queue_size > 0 and not request.momentum_encoder:
        add(
            "run.moco.queue_size",
            "0 without momentum_encoder (the queue holds momentum-encoder keys)",
            request.moco.queue_size,
        )
    if request.moco.bn_splits < 1:
        add("run.moco.bn_splits", "a number of BN groups >= 1 (1 disables split BN)", request.moco.bn_splits)
    momentum = float(request.optimizer.momentum)
    if not (0.0 <= momentum < 1.0):
        add("run.optimizer.momentum", "an SGD momentum in [0, 1)", momentum)
    weight_decay = float(request.optimizer.weight_decay)
    if not (math.isfinite(weight_decay) and weight_decay >= 0):
        add("run.optimizer.weight_decay", "a finite weight decay >= 0", weight_decay)
    if request.image_size < 1:
        add("run.image_size", "the view size S >= 1 in pixels", request.image_size)
    if len(request.mean) != 3 or not all(math.isfinite(v) for v in request.mean):
        add("run.mean", "3 finite per-channel means", list(request.mean))
    if len(request.std) != 3 or not all(math.isfinite(v) and v > 0 for v in request.std):
        add("run.std", "3 finite per-channel standard deviations > 0", list(request.std))
    if request.precision not in PRECISIONS:
        add("run.precision", " or ".join(repr(p) for p in PRECISIONS), request.precision)
    if request.compile not in ("", *COMPILE_MODES):
        add("run.compile", "one of " + ", ".join(repr(m) for m in COMPILE_MODES) + " ('' means 'off')", request.compile)
    if issues:
        raise invalid_request(f"CreateRun is invalid ({len(issues)} issues): ", issues)
