"""Export of a checkpoint's backbone: every format reproduces the eager network, with torchvision / detectron2 names."""

from __future__ import annotations

import hashlib
import os
import pickle
import subprocess
import sys
from typing import Any

import numpy as np
import onnxruntime
import pytest
import safetensors.torch
import torch

from mixmask_worker.evaluation.embedding import embed_images
from mixmask_worker.evaluation.frozen_backbone import load_safetensors_backbone
from mixmask_worker.evaluation.knn import extract_features
from mixmask_worker.export.backbone_export import export_backbone
from mixmask_worker.export.detectron2_weights import detectron2_key
from mixmask_worker.export.safetensors_file import read_safetensors, safetensors_bytes
from mixmask_worker.generated.mixmask.v1 import worker_pb2
from mixmask_worker.models.encoder import HeadShape, build_encoder
from mixmask_worker.models.resnet import resnet
from mixmask_worker.service.protocol import WorkerError
from mixmask_worker.training.checkpoint_file import write_checkpoint

CPU = torch.device("cpu")
SIZE = 16
MEAN, STD = [0.5, 0.4, 0.3], [0.25, 0.2, 0.3]


def _config(bn_splits: int = 2) -> worker_pb2.CreateRunRequest:
    return worker_pb2.CreateRunRequest(
        run_id="r",
        backbone=worker_pb2.BackboneConfig(arch="resnet18", base_width=8, cifar_stem=True),
        head=worker_pb2.HeadConfig(hidden_dim=32, out_dim=16, layers=2),
        moco=worker_pb2.MocoConfig(queue_size=0, bn_splits=bn_splits),
        image_size=SIZE,
        mean=MEAN,
        std=STD,
    )


@pytest.fixture(scope="module")
def checkpoint(tmp_path_factory: Any) -> tuple[str, str, torch.nn.Module]:
    """A worker checkpoint whose backbone has non-trivial BN statistics (eval differs from a fresh network)."""
    torch.manual_seed(3)
    config = _config()
    encoder = build_encoder("resnet18", 8, True, HeadShape(32, 16), config.moco.bn_splits)
    for module in encoder.modules():
        if isinstance(module, torch.nn.BatchNorm2d):
            module.running_mean.uniform_(-0.2, 0.2)
            module.running_var.uniform_(0.5, 1.5)
            module.num_batches_tracked.fill_(7)
    path = str(tmp_path_factory.mktemp("ckpt") / "step-0000007.pt")
    written = write_checkpoint(path, {"step": 7, "config": config.SerializeToString(), "online": encoder.state_dict()})
    return path, written.sha256, encoder.backbone.eval()


def _exported(checkpoint: tuple[str, str, Any], out_dir: str, *formats: int) -> worker_pb2.ExportReply:
    path, sha256, _ = checkpoint
    request = worker_pb2.ExportRequest(checkpoint_path=path, sha256=sha256, out_dir=out_dir, formats=list(formats))
    return export_backbone(request)


def test_every_format_reproduces_the_backbone_and_is_described_by_its_hash(checkpoint: Any, tmp_path: Any) -> None:
    reply = _exported(checkpoint, str(tmp_path))
    backbone = checkpoint[2]
    assert reply.step == 7
    assert (reply.spec.backbone.arch, reply.spec.image_size, reply.spec.feature_dim) == ("resnet18", SIZE, 64)
    assert list(reply.spec.mean) == pytest.approx(MEAN) and reply.onnx_opset == 17
    names = {f.format: f.file for f in reply.files}
    assert names == {
        worker_pb2.SAFETENSORS: "backbone.safetensors",
        worker_pb2.TORCHSCRIPT: "backbone.torchscript.pt",
        worker_pb2.ONNX: "backbone.onnx",
        worker_pb2.DETECTRON2: "backbone.detectron2.pkl",
    }
    for exported in reply.files:
        with open(tmp_path / exported.file, "rb") as file:
            data = file.read()
        assert (exported.bytes, exported.sha256) == (len(data), hashlib.sha256(data).hexdigest())
    assert not [f for f in os.listdir(tmp_path) if f.endswith(".tmp")]

    x = torch.randn(5, 3, SIZE, SIZE, generator=torch.Generator().manual_seed(1))
    with torch.no_grad():
        eager = backbone(x)
    # safetensors, read by the reference package: torchvision's keys, no fc, loads strictly into a fresh ResNet.
    weights = safetensors.torch.load_file(str(tmp_path / "backbone.safetensors"))
    assert list(weights) == list(resnet("resnet18").state_dict())
    fresh = resnet("resnet18", 8, True).eval()
    fresh.load_state_dict(weights, strict=True)
    with torch.no_grad():
        assert torch.equal(fresh(x), eager)
    # TorchScript traced with 2 images, run on 5.
    scripted = torch.jit.load(str(tmp_path / "backbone.torchscript.pt"))
    with torch.no_grad():
        torch.testing.assert_close(scripted(x), eager, rtol=0, atol=1e-6)
    # ONNX: a dynamic batch axis, features within float32 reordering error of eager.
    session = onnxruntime.InferenceSession(str(tmp_path / "backbone.onnx"), providers=["CPUExecutionProvider"])
    assert [i.name for i in session.get_inputs()] == ["images"] and session.get_inputs()[0].shape[0] == "batch"
    (features,) = session.run(["features"], {"images": x.numpy()})
    np.testing.assert_allclose(features, eager.numpy(), rtol=0, atol=1e-4 * (1 + float(eager.abs().max())))
    onnx_file = next(f for f in reply.files if f.format == worker_pb2.ONNX)
    assert 0 <= onnx_file.max_abs_diff < 1e-4 and "onnxruntime" in onnx_file.check


def test_the_detectron2_file_is_the_release_conversion(checkpoint: Any, tmp_path: Any) -> None:
    _exported(checkpoint, str(tmp_path), worker_pb2.DETECTRON2)
    assert os.listdir(tmp_path) == ["backbone.detectron2.pkl"]
    with open(tmp_path / "backbone.detectron2.pkl", "rb") as file:
        saved = pickle.load(file)
    assert saved["__author__"] == "MOCO" and saved["matching_heuristics"] is True
    model = saved["model"]
    state = checkpoint[2].state_dict()
    assert len(model) == len(state)
    np.testing.assert_array_equal(model["stem.conv1.weight"], state["conv1.weight"].numpy())
    shortcut_var = state["layer2.0.downsample.1.running_var"].numpy()
    np.testing.assert_array_equal(model["res3.0.shortcut.norm.running_var"], shortcut_var)
    assert all(isinstance(v, np.ndarray) for v in model.values())


@pytest.mark.parametrize(
    ("torchvision", "detectron2"),
    [
        ("conv1.weight", "stem.conv1.weight"),
        ("bn1.running_mean", "stem.conv1.norm.running_mean"),
        ("bn1.num_batches_tracked", "stem.conv1.norm.num_batches_tracked"),
        ("layer1.0.conv2.weight", "res2.0.conv2.weight"),
        ("layer1.0.bn3.weight", "res2.0.conv3.norm.weight"),
        ("layer4.2.bn2.bias", "res5.2.conv2.norm.bias"),
        ("layer2.0.downsample.0.weight", "res3.0.shortcut.weight"),
        ("layer3.0.downsample.1.running_var", "res4.0.shortcut.norm.running_var"),
    ],
)
def test_detectron2_names_follow_the_release_rules(torchvision: str, detectron2: str) -> None:
    assert detectron2_key(torchvision) == detectron2


def test_every_resnet50_key_gets_its_own_detectron2_name() -> None:
    keys = list(resnet("resnet50").state_dict())
    assert len({detectron2_key(k) for k in keys}) == len(keys)


def test_our_safetensors_reader_reads_the_reference_writer_and_refuses_damage() -> None:
    tensors = {"a": torch.arange(6, dtype=torch.float32).reshape(2, 3), "n": torch.tensor(7, dtype=torch.int64)}
    reference = safetensors.torch.save(tensors, metadata={"k": "v"})
    read, metadata = read_safetensors(reference, "ref")
    assert metadata == {"k": "v"} and torch.equal(read["a"], tensors["a"]) and torch.equal(read["n"], tensors["n"])
    ours = safetensors.torch.load(safetensors_bytes(tensors, {"k": "v"}))
    assert torch.equal(ours["a"], tensors["a"]) and torch.equal(ours["n"], tensors["n"])
    for damaged in (reference[:5], reference[:-4], b"\xff" * 8 + reference[8:]):
        with pytest.raises(WorkerError) as caught:
            read_safetensors(damaged, "damaged.safetensors")
        assert caught.value.code == "CHECKPOINT_INVALID" and "damaged.safetensors" in caught.value.message


def test_a_corrupt_checkpoint_is_refused_before_anything_is_written(checkpoint: Any, tmp_path: Any) -> None:
    path, _, _ = checkpoint
    request = worker_pb2.ExportRequest(checkpoint_path=path, sha256="0" * 64, out_dir=str(tmp_path / "out"))
    with pytest.raises(WorkerError) as caught:
        export_backbone(request)
    assert caught.value.code == "CHECKPOINT_INVALID" and not (tmp_path / "out").exists()


def test_onnx_without_the_onnx_package_names_the_package(checkpoint: Any, tmp_path: Any, monkeypatch: Any) -> None:
    monkeypatch.setitem(sys.modules, "onnx", None)  # import onnx now raises ImportError
    with pytest.raises(WorkerError) as caught:
        _exported(checkpoint, str(tmp_path), worker_pb2.ONNX)
    assert caught.value.code == "EXPORT_FAILED"
    assert "'onnx'" in caught.value.message and "pip install onnx" in caught.value.message
    # The other formats need nothing beyond torch.
    reply = _exported(checkpoint, str(tmp_path), worker_pb2.SAFETENSORS, worker_pb2.TORCHSCRIPT, worker_pb2.DETECTRON2)
    assert len(reply.files) == 3 and reply.onnx_opset == 0


def test_a_safetensors_backbone_loads_with_its_spec_and_refuses_another_width(checkpoint: Any, tmp_path: Any) -> None:
    reply = _exported(checkpoint, str(tmp_path), worker_pb2.SAFETENSORS)
    path, sha256 = str(tmp_path / "backbone.safetensors"), reply.files[0].sha256
    loaded = load_safetensors_backbone(path, sha256, reply.spec, CPU)
    x = torch.randn(2, 3, SIZE, SIZE)
    with torch.no_grad():
        assert torch.equal(loaded.network(x), checkpoint[2](x))
    wider = worker_pb2.BackboneSpec()
    wider.CopyFrom(reply.spec)
    wider.backbone.base_width = 16
    with pytest.raises(WorkerError) as caught:
        load_safetensors_backbone(path, sha256, wider, CPU)
    assert caught.value.code == "CHECKPOINT_INVALID" and "base width 16" in caught.value.message


@pytest.mark.parametrize("height", [SIZE, 20])
def test_embeddings_are_the_knn_features_before_normalisation(checkpoint: Any, height: int) -> None:
    backbone = checkpoint[2]
    generator = torch.Generator().manual_seed(2)
    images = torch.randint(0, 256, (7, height, height, 1), dtype=torch.uint8, generator=generator)
    mean, std = torch.tensor(MEAN), torch.tensor(STD)
    raw = embed_images(backbone, images, SIZE, mean, std, CPU, 3, False)
    unit = embed_images(backbone, images, SIZE, mean, std, CPU, 3, True)
    assert (raw.count, raw.dim) == (7, 64)
    raw_f = torch.from_numpy(np.frombuffer(raw.features, dtype="<f4").reshape(7, 64).copy())
    unit_f = torch.from_numpy(np.frombuffer(unit.features, dtype="<f4").reshape(7, 64).copy())
    assert torch.equal(unit_f, extract_features(backbone, images, SIZE, mean, std, 3))
    torch.testing.assert_close(torch.nn.functional.normalize(raw_f, dim=1), unit_f)


def test_the_worker_starts_without_any_export_or_example_package() -> None:
    blocked = "import sys\nfor name in ('onnx', 'onnxruntime', 'safetensors', 'sklearn'): sys.modules[name] = None\n"
    code = blocked + "import mixmask_worker.service.server, mixmask_worker.service.model_service\nprint('ok')"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0 and result.stdout.strip() == "ok", result.stderr
