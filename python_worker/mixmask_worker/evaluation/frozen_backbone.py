"""A trained backbone outside its training run: loaded from a worker checkpoint or an exported safetensors file.

Export and Embed both need "the network f and the input it expects" without the run's optimizer, heads or queue.
The backbone is rebuilt with plain ``nn.BatchNorm2d`` (a run's SplitBatchNorm2d has the same keys and is plain batch
norm in eval mode) and kept in eval mode: features then depend only on each image, never on its batch.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import torch
from torch import nn

from mixmask_worker.export.safetensors_file import read_safetensors
from mixmask_worker.generated.mixmask.v1 import worker_pb2
from mixmask_worker.models.resnet import ResNet, resnet
from mixmask_worker.service.protocol import WorkerError, invalid_request
from mixmask_worker.training.checkpoint_file import read_checkpoint

# The online encoder's state_dict prefix of its backbone (models/encoder.py: Encoder.backbone).
BACKBONE_PREFIX = "backbone."


@dataclass(frozen=True)
class FrozenBackbone:
    """An eval-mode backbone, the input it expects (spec) and the training step it came from (-1: unknown)."""

    network: ResNet
    spec: worker_pb2.BackboneSpec
    step: int

    def state_dict(self) -> dict[str, torch.Tensor]:
        """torchvision's ResNet keys, no ``fc``: what the export formats hold."""
        return {key: value.detach() for key, value in self.network.state_dict().items()}


def build_backbone(spec: worker_pb2.BackboneSpec) -> ResNet:
    """An untrained eval-mode ResNet of the spec's architecture (plain batch norm)."""
    try:
        network = resnet(spec.backbone.arch, int(spec.backbone.base_width), bool(spec.backbone.cifar_stem))
    except ValueError as error:
        raise WorkerError("INVALID_ARGUMENT", f"spec.backbone: {error}") from error
    return network.eval()


def spec_of_run(config: worker_pb2.CreateRunRequest) -> worker_pb2.BackboneSpec:
    """The BackboneSpec of a run's CreateRunRequest (feature_dim filled in by ``load_checkpoint_backbone``)."""
    return worker_pb2.BackboneSpec(
        backbone=config.backbone, image_size=config.image_size, mean=list(config.mean), std=list(config.std)
    )


def load_checkpoint_backbone(path: str, sha256: str, device: torch.device) -> FrozenBackbone:
    """The online backbone of a worker checkpoint (SaveCheckpoint's file), verified by its sha256 when given."""
    state = read_checkpoint(path, sha256, torch.device("cpu")).state
    try:
        config = worker_pb2.CreateRunRequest.FromString(state["config"])
        online: dict[str, torch.Tensor] = state["online"]
    except Exception as error:  # a checkpoint of our format always has both; anything else is damage
        raise WorkerError(
            "CHECKPOINT_INVALID", f"checkpoint {path!r} holds no readable run config and online encoder ({error})"
        ) from error
    weights = {key[len(BACKBONE_PREFIX) :]: value for key, value in online.items() if key.startswith(BACKBONE_PREFIX)}
    spec = spec_of_run(config)
    network = _loaded(spec, weights, f"checkpoint {path!r}")
    spec.feature_dim = network.feature_dim
    return FrozenBackbone(network.to(device), spec, int(state.get("step", -1)))


def load_safetensors_backbone(
    path: str, sha256: str, spec: worker_pb2.BackboneSpec, device: torch.device
) -> FrozenBackbone:
    """An exported ``backbone.safetensors`` with the spec its export.json gives, loaded with ``strict=True``."""
    try:
        with open(path, "rb") as file:
            data = file.read()
    except OSError as error:
        raise WorkerError("CHECKPOINT_INVALID", f"cannot read {path!r}: {error.strerror or error}") from error
    actual = hashlib.sha256(data).hexdigest()
    if sha256.strip() and sha256.strip().lower() != actual:
        raise WorkerError(
            "CHECKPOINT_INVALID",
            f"{path!r} is corrupt or was replaced: sha256 expected {sha256.strip().lower()}, actual {actual}: "
            "export the run again",
        )
    _check_input_spec(spec)
    weights, _ = read_safetensors(data, repr(path))
    network = _loaded(spec, weights, repr(path))
    if spec.feature_dim and spec.feature_dim != network.feature_dim:
        raise WorkerError(
            "INVALID_ARGUMENT",
            f"spec.feature_dim: expected {network.feature_dim} ({spec.backbone.arch}, width "
            f"{spec.backbone.base_width}), received {spec.feature_dim}",
        )
    loaded_spec = worker_pb2.BackboneSpec()
    loaded_spec.CopyFrom(spec)
    loaded_spec.feature_dim = network.feature_dim
    return FrozenBackbone(network.to(device), loaded_spec, -1)


def _check_input_spec(spec: worker_pb2.BackboneSpec) -> None:
    issues = []
    if spec.image_size < 1:
        issues.append(f"spec.image_size: expected the view size S >= 1, received {spec.image_size}")
    if len(spec.mean) != 3 or len(spec.std) != 3 or not all(s > 0 for s in spec.std):
        issues.append(f"spec.mean/std: expected 3 means and 3 stds > 0, received {list(spec.mean)} / {list(spec.std)}")
    if issues:
        raise invalid_request("", issues)


def _loaded(spec: worker_pb2.BackboneSpec, weights: dict[str, torch.Tensor], source: str) -> ResNet:
    network = build_backbone(spec)
    try:
        network.load_state_dict(weights, strict=True)
    except RuntimeError as error:
        raise WorkerError(
            "CHECKPOINT_INVALID",
            f"{source} does not hold a {spec.backbone.arch} of base width {spec.backbone.base_width}"
            f"{' with the CIFAR stem' if spec.backbone.cifar_stem else ''}: {str(error).splitlines()[0]} "
            f"({_key_summary(network, weights)})",
        ) from error
    return network.eval()


def _key_summary(network: nn.Module, weights: dict[str, torch.Tensor]) -> str:
    expected, given = set(network.state_dict()), set(weights)
    missing, unexpected = sorted(expected - given), sorted(given - expected)
    return f"{len(missing)} missing keys {missing[:3]}, {len(unexpected)} unexpected keys {unexpected[:3]}"
