"""The networks and optimizer of one run: online encoder (f, g), predictor q, momentum encoder, queue, SGD.

Built in one fixed order after ``torch.manual_seed(seed)`` so that one seed gives the same initial weights on every
process (and every rank of a torchrun launch): online encoder, predictor, then the momentum encoder as a copy of the
online one; compiled wrappers are made after the copy, so each encoder gets its own and state_dict keys stay eager.
"""

from __future__ import annotations

import copy
import dataclasses
import inspect
from typing import Optional

import torch
from torch import nn

from mixmask_worker.generated.mixmask.v1 import worker_pb2
from mixmask_worker.models.compiled import compile_in_place, compile_mode, compile_toolchain_missing
from mixmask_worker.models.encoder import Encoder, HeadShape, build_encoder
from mixmask_worker.models.grouped_batch_norm import use_grouped_batch_norm
from mixmask_worker.models.mlp_head import MlpHead
from mixmask_worker.service.protocol import WorkerError
from mixmask_worker.training.key_queue import KeyQueue


@dataclasses.dataclass
class Networks:
    online: Encoder  # f (backbone) + g (projector)
    predictor: Optional[MlpHead]  # q (BYOL, SimSiam)
    momentum: Optional[nn.Module]  # EMA copy of f and g (MoCo's key encoder, BYOL's target); no gradients
    compile_mode: Optional[str]  # torch.compile mode in use, None when eager


def build_networks(
    request: worker_pb2.CreateRunRequest,
    device: torch.device,
    bn_splits: int,
    grouped_batch_norm: bool,
    channels_last: bool,
) -> Networks:
    torch.manual_seed(int(request.seed))
    head = request.head
    try:
        online = build_encoder(
            request.backbone.arch,
            int(request.backbone.base_width),
            bool(request.backbone.cifar_stem),
            HeadShape(int(head.hidden_dim), int(head.out_dim), int(head.layers) or 2, bool(head.batch_norm)),
            bn_splits,
        )
        predictor: Optional[MlpHead] = None
        if request.HasField("predictor"):
            shape = request.predictor
            predictor = MlpHead(int(head.out_dim), int(shape.hidden_dim), int(shape.out_dim), 2, bool(shape.batch_norm))
    except ValueError as error:
        raise WorkerError("INVALID_ARGUMENT", f"run.backbone/run.head/run.predictor: {error}") from error
    if grouped_batch_norm:
        use_grouped_batch_norm(online)
        if predictor is not None:
            use_grouped_batch_norm(predictor)
    memory_format = torch.channels_last if channels_last else torch.contiguous_format
    online.to(device=device, memory_format=memory_format).train()  # type: ignore[call-overload]  # torch stubs
    momentum: Optional[nn.Module] = None
    if request.momentum_encoder:
        # MoCo / BYOL: the momentum encoder starts as a copy of the online one and never gets gradients.
        momentum = copy.deepcopy(online)
        for parameter in momentum.parameters():
            parameter.requires_grad_(False)
    if predictor is not None:
        predictor.to(device).train()
    mode = compile_mode(request.compile)
    if mode is not None:
        missing = compile_toolchain_missing(device)
        if missing is not None:
            raise WorkerError(
                "DEVICE_UNAVAILABLE",
                f"run.compile {mode!r}: torch.compile cannot build kernels on this machine, it lacks "
                f"{missing}: install them, or use compile 'off' (eager, the same weights)",
            )
        compile_in_place([online, predictor, momentum], mode)
    return Networks(online, predictor, momentum, mode)


def build_queue(request: worker_pb2.CreateRunRequest, device: torch.device) -> Optional[KeyQueue]:
    """MoCo's queue of K negatives, filled from its own generator (seed + 1) so it draws nothing from the weights'."""
    if request.moco.queue_size <= 0:
        return None
    generator = torch.Generator().manual_seed((int(request.seed) + 1) % 2**64)
    return KeyQueue(int(request.moco.queue_size), int(request.head.out_dim), generator).to(device)


def build_optimizer(
    request: worker_pb2.CreateRunRequest, parameters: list[nn.Parameter], device: torch.device
) -> torch.optim.SGD:
    return torch.optim.SGD(
        parameters,
        lr=0.0,  # set from every plan
        momentum=float(request.optimizer.momentum),
        weight_decay=float(request.optimizer.weight_decay),
        **_sgd_kwargs(device),
    )


def _sgd_kwargs(device: torch.device) -> dict[str, bool]:
    accepted = inspect.signature(torch.optim.SGD.__init__).parameters
    if device.type == "cuda" and "fused" in accepted:
        return {"fused": True}
    if "foreach" in accepted:
        return {"foreach": True}
    return {}
