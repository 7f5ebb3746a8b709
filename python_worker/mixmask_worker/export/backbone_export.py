"""Export of a checkpoint's online backbone, each file checked against the eager network before it is reported.

| file                    | written with                                 | checked by                                 |
|-------------------------|----------------------------------------------|--------------------------------------------|
| backbone.safetensors    | safetensors_file.py (by hand, no dependency) | reloaded into a fresh ResNet, strict=True  |
| backbone.torchscript.pt | torch.jit.trace of the eval-mode backbone    | torch.jit.load, outputs vs eager           |
| backbone.onnx           | torch.onnx.export, TorchScript-based         | onnx.checker; onnxruntime outputs vs eager |
| backbone.detectron2.pkl | the release's renaming (detectron2_weights)  | unpickled, every array equal to its tensor |

Why the TorchScript-based ONNX exporter (``dynamo=False``): torch 2.13's default, torch.export-based exporter needs
the ``onnxscript`` package, which neither the development machines' index nor the GPU machines provide; the older
exporter needs only ``onnx``, traces a ResNet exactly, and keeps the batch axis dynamic through ``dynamic_axes``.
``onnx`` (and ``onnxruntime`` for the output check) are imported only when ONNX is asked for, so the worker itself
still starts with torch, numpy, grpcio and protobuf alone.

Everything runs on the CPU in float32: an export is a one-off, and CPU kernels make the checks reproducible.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import warnings
from typing import Any, Callable

import numpy as np
import torch

from mixmask_worker.evaluation.frozen_backbone import FrozenBackbone, build_backbone, load_checkpoint_backbone
from mixmask_worker.export.atomic_output import atomic_output, write_bytes_atomically
from mixmask_worker.export.detectron2_weights import detectron2_bytes, detectron2_key
from mixmask_worker.export.safetensors_file import read_safetensors, safetensors_bytes
from mixmask_worker.generated.mixmask.v1 import worker_pb2
from mixmask_worker.service.protocol import WorkerError

FILE_NAMES: dict[int, str] = {
    worker_pb2.SAFETENSORS: "backbone.safetensors",
    worker_pb2.TORCHSCRIPT: "backbone.torchscript.pt",
    worker_pb2.ONNX: "backbone.onnx",
    worker_pb2.DETECTRON2: "backbone.detectron2.pkl",
}
ONNX_OPSET = 17
INPUT_NAME = "images"
OUTPUT_NAME = "features"
# Traced with 2 images, checked with 3: a batch axis frozen at 2 by mistake fails the check.
TRACE_BATCH = 2
CHECK_BATCH = 3
# A file whose features differ from eager by more than this times (1 + max |f|) is refused. Measured (randomised BN
# statistics, python_worker/tests/export/test_export.py setup): safetensors and TorchScript 0; onnxruntime 1.6e-6 (ResNet-18
# width 8, 28 px, max |f| 4.9), 1.9e-6 (width 64, 32 px, max |f| 6.1), 1.1e-4 (ResNet-50, 96 px, max |f| 223), i.e.
# ≤ 5e-7 of the scale: float32 summation order. 1e-4 is 200 times that, and far below any real export bug.
RELATIVE_TOLERANCE = 1e-4

_CPU = torch.device("cpu")


def export_backbone(request: worker_pb2.ExportRequest) -> worker_pb2.ExportReply:
    """Writes the formats asked for (all when none) into ``request.out_dir`` and checks each one."""
    formats = _formats(request)
    if not request.out_dir:
        raise WorkerError("INVALID_ARGUMENT", "export.out_dir: expected an output folder, received an empty string")
    frozen = load_checkpoint_backbone(request.checkpoint_path, request.sha256, _CPU)
    try:
        os.makedirs(request.out_dir, exist_ok=True)
    except OSError as error:
        raise WorkerError("EXPORT_FAILED", f"cannot create {request.out_dir!r}: {error.strerror or error}") from error
    size = int(frozen.spec.image_size)
    probe = torch.randn(CHECK_BATCH, 3, size, size, generator=torch.Generator().manual_seed(0))  # [B, 3, S, S]
    with torch.no_grad():
        eager = frozen.network(probe)  # [B, F]
    writers: dict[int, Writer] = {
        worker_pb2.SAFETENSORS: _safetensors,
        worker_pb2.TORCHSCRIPT: _torchscript,
        worker_pb2.ONNX: _onnx,
        worker_pb2.DETECTRON2: _detectron2,
    }
    files = []
    for export_format in formats:
        path = os.path.join(request.out_dir, FILE_NAMES[export_format])
        exported = writers[export_format](frozen, path, probe, eager)
        exported.format = export_format
        exported.file = FILE_NAMES[export_format]
        exported.bytes, exported.sha256 = _size_and_hash(path)
        files.append(exported)
    return worker_pb2.ExportReply(
        spec=frozen.spec,
        step=max(frozen.step, 0),
        files=files,
        torch_version=str(torch.__version__),
        onnx_opset=ONNX_OPSET if worker_pb2.ONNX in formats else 0,
    )


def _formats(request: worker_pb2.ExportRequest) -> list[int]:
    asked = list(request.formats) or list(FILE_NAMES)
    unknown = [f for f in asked if f not in FILE_NAMES]
    if unknown:
        raise WorkerError(
            "INVALID_ARGUMENT",
            f"export.formats: expected SAFETENSORS, TORCHSCRIPT, ONNX or DETECTRON2, received {unknown}",
        )
    return sorted(set(asked))


def _size_and_hash(path: str) -> tuple[int, str]:
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        for block in iter(lambda: file.read(1 << 22), b""):
            digest.update(block)
    return os.path.getsize(path), digest.hexdigest()


def _compared(name: str, eager: torch.Tensor, exported: Any) -> float:
    """max |exported − eager|; EXPORT_FAILED when it exceeds the tolerance."""
    got = torch.as_tensor(np.asarray(exported), dtype=torch.float32)
    if tuple(got.shape) != tuple(eager.shape):
        raise WorkerError(
            "EXPORT_FAILED",
            f"{name} gives features of shape {list(got.shape)} for a batch of {eager.shape[0]}; eager gives "
            f"{list(eager.shape)}: the export is broken (please report it)",
        )
    difference = float((got - eager).abs().max())
    allowed = RELATIVE_TOLERANCE * (1.0 + float(eager.abs().max()))
    if not difference <= allowed:
        raise WorkerError(
            "EXPORT_FAILED",
            f"{name} differs from the eager backbone by max |Δ| = {difference:.3g} (allowed {allowed:.3g}): "
            "the export is not faithful (please report it with the torch version)",
        )
    return difference


# Each writer: (backbone, file path, probe batch [B, 3, S, S], eager features [B, F]) -> the file's check.
Writer = Callable[[FrozenBackbone, str, torch.Tensor, torch.Tensor], worker_pb2.ExportedFile]


def _safetensors(
    frozen: FrozenBackbone, path: str, probe: torch.Tensor, eager: torch.Tensor
) -> worker_pb2.ExportedFile:
    spec = frozen.spec
    metadata = {
        "format": "pt",
        "producer": "mixmask",
        "arch": spec.backbone.arch,
        "base_width": str(spec.backbone.base_width),
        "cifar_stem": str(bool(spec.backbone.cifar_stem)).lower(),
        "image_size": str(spec.image_size),
    }
    write_bytes_atomically(path, safetensors_bytes(frozen.state_dict(), metadata))
    with open(path, "rb") as file:
        weights, _ = read_safetensors(file.read(), repr(path))
    reloaded = build_backbone(spec)
    reloaded.load_state_dict(weights, strict=True)
    with torch.no_grad():
        difference = _compared("the reloaded safetensors file", eager, reloaded(probe))
    return worker_pb2.ExportedFile(
        check=f"reloaded into a fresh {spec.backbone.arch} with load_state_dict(strict=True); "
        f"{len(weights)} tensors; features equal to eager's",
        max_abs_diff=difference,
    )


def _torchscript(
    frozen: FrozenBackbone, path: str, probe: torch.Tensor, eager: torch.Tensor
) -> worker_pb2.ExportedFile:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # TorchScript's deprecation notice: tracing still works and is what we ship
        traced = torch.jit.trace(frozen.network, probe[:TRACE_BATCH], check_trace=False)
        with atomic_output(path) as tmp_path:
            torch.jit.save(traced, tmp_path)
        loaded = torch.jit.load(path, map_location=_CPU)
    with torch.no_grad():
        difference = _compared("the TorchScript module", eager, loaded(probe))
    return worker_pb2.ExportedFile(
        check=f"torch.jit.load, traced with {TRACE_BATCH} images, run on {CHECK_BATCH}: "
        f"max |Δ| {difference:.2g} vs eager",
        max_abs_diff=difference,
    )


def _onnx(frozen: FrozenBackbone, path: str, probe: torch.Tensor, eager: torch.Tensor) -> worker_pb2.ExportedFile:
    onnx = _optional_module("onnx", "write the ONNX format")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the legacy-exporter notice; see the module docstring for why we use it
        with atomic_output(path) as tmp_path:
            torch.onnx.export(
                frozen.network,
                (probe[:TRACE_BATCH],),
                tmp_path,
                dynamo=False,
                input_names=[INPUT_NAME],
                output_names=[OUTPUT_NAME],
                dynamic_axes={INPUT_NAME: {0: "batch"}, OUTPUT_NAME: {0: "batch"}},
                opset_version=ONNX_OPSET,
            )
    onnx.checker.check_model(onnx.load(path))
    try:
        import onnxruntime  # noqa: PLC0415 - optional: only the output check needs it
    except ImportError:
        return worker_pb2.ExportedFile(
            check=f"onnx.checker passed (opset {ONNX_OPSET}); outputs not compared: onnxruntime is not installed "
            "in the worker's Python",
            max_abs_diff=-1.0,
        )
    session = onnxruntime.InferenceSession(path, providers=["CPUExecutionProvider"])
    (features,) = session.run([OUTPUT_NAME], {INPUT_NAME: probe.numpy()})
    difference = _compared("the ONNX graph under onnxruntime", eager, features)
    return worker_pb2.ExportedFile(
        check=f"onnx.checker passed (opset {ONNX_OPSET}); onnxruntime {onnxruntime.__version__} on {CHECK_BATCH} "
        f"images (traced with {TRACE_BATCH}): max |Δ| {difference:.2g} vs eager",
        max_abs_diff=difference,
    )


def _detectron2(frozen: FrozenBackbone, path: str, probe: torch.Tensor, eager: torch.Tensor) -> worker_pb2.ExportedFile:
    state = frozen.state_dict()
    write_bytes_atomically(path, detectron2_bytes(state))
    with open(path, "rb") as file:
        saved = pickle.load(file)  # noqa: S301 - the file we have just written
    model = saved["model"]
    mismatched = [k for k, v in state.items() if not np.array_equal(model.get(detectron2_key(k)), v.numpy())]
    if mismatched or len(model) != len(state) or saved.get("__author__") != "MOCO":
        raise WorkerError(
            "EXPORT_FAILED",
            f"the detectron2 file does not hold the backbone: {len(mismatched)} arrays differ "
            f"(e.g. {mismatched[:3]}), {len(model)} keys for {len(state)} tensors (please report it)",
        )
    return worker_pb2.ExportedFile(
        check=f"unpickled: {len(model)} arrays under the release's detectron2 names, each equal to its tensor",
        max_abs_diff=-1.0,
    )


def _optional_module(name: str, purpose: str) -> Any:
    """Imports a package the worker does not need to start; names it and the fix when it is missing."""
    try:
        return __import__(name)
    except ImportError as error:
        raise WorkerError(
            "EXPORT_FAILED",
            f"to {purpose} the worker's Python needs the package {name!r}, which is not installed: pip install "
            f"{name} (python_worker/requirements-dev.txt pins the tested version), or leave the format out",
        ) from error
