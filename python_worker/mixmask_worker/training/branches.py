"""The network outputs one step's loss terms read, each computed once (proto BranchRef = input × encoder).

    ONLINE           z = g(f(x))            online backbone f and projector g, with gradient
    ONLINE_PREDICTOR p = q(z)               the predictor on ONLINE's z (BYOL, SimSiam)
    ONLINE_DETACHED  sg(z)                  ONLINE's z with its gradient stopped (SimSiam's target)
    MOMENTUM         z' = g'(f'(x[σ]))[σ⁻¹]  the EMA encoder under no_grad, batch shuffled first (shuffle-BN)

Every distinct input gets its own forward pass (its own BatchNorm statistics), as in the MixMask release where the
view and the mixed view are encoded separately; with ``fuse`` the online passes with gradient run as one forward
that keeps each pass's statistics (fused_query_forward.py).
"""

from __future__ import annotations

import contextlib
from typing import Any, Callable, Optional

import torch
from torch import Tensor, nn

from mixmask_worker.training.fused_query_forward import fusable_sources, fused_online
from mixmask_worker.generated.mixmask.v1 import worker_pb2
from mixmask_worker.plan.step_plan import BranchRef
from mixmask_worker.training.inputs import StepInputs


class BranchOutputs:
    def __init__(
        self,
        inputs: StepInputs,
        online: nn.Module,
        predictor: Optional[nn.Module],
        momentum: Optional[nn.Module],
        key_shuffle: Optional[tuple[Tensor, Tensor]],
        needed: list[BranchRef],
        to_input: Callable[[Tensor], Tensor] = lambda x: x,
        autocast: Callable[[], contextlib.AbstractContextManager[Any]] = contextlib.nullcontext,
        fuse: bool = False,
    ) -> None:
        self.inputs = inputs
        self.online = online
        self.predictor = predictor
        self.momentum = momentum
        self.key_shuffle = key_shuffle  # (σ, σ⁻¹) as device index tensors, or None
        self.to_input = to_input
        self.autocast = autocast
        # An input read only through ONLINE_DETACHED needs no autograd graph.
        with_grad = {src for src, enc in needed if enc in (worker_pb2.ONLINE, worker_pb2.ONLINE_PREDICTOR)}
        self._detached_only = {src for src, enc in needed if enc == worker_pb2.ONLINE_DETACHED} - with_grad
        self._raw: dict[BranchRef, Tensor] = {}
        self._float: dict[BranchRef, Tensor] = {}
        self._fused = fusable_sources(needed, online) if fuse else []
        self._predicted = list(dict.fromkeys(src for src, enc in needed if enc == worker_pb2.ONLINE_PREDICTOR))

    def get(self, branch: BranchRef) -> Tensor:
        """``[N, D]`` float32 embeddings of ``branch`` (one cast per branch under bf16, however many terms read it)."""
        if branch not in self._float:
            self._float[branch] = self.raw(branch).float()
        return self._float[branch]

    def raw(self, branch: BranchRef) -> Tensor:
        """The branch's output in the network's precision (bf16 under autocast)."""
        if branch not in self._raw and branch[0] in self._fused:
            self._compute_fused()
        if branch not in self._raw:
            self._raw[branch] = self._compute(branch)
        return self._raw[branch]

    def _compute_fused(self) -> None:
        outputs, predictions = fused_online(
            self.online, self.predictor, self._fused, self._predicted, self.inputs.get, self.to_input, self.autocast
        )
        self._fused = []  # computed once: every fused source's ONLINE (and ONLINE_PREDICTOR) branch is now cached
        for source, z in outputs.items():
            self._raw[(source, worker_pb2.ONLINE)] = z
        for source, p in predictions.items():
            self._raw[(source, worker_pb2.ONLINE_PREDICTOR)] = p

    def _compute(self, branch: BranchRef) -> Tensor:
        source, encoder = branch
        if encoder == worker_pb2.ONLINE:
            with self.autocast():
                return self.online(self._input(source))  # z [N, D]
        if encoder == worker_pb2.ONLINE_PREDICTOR:
            predictor = _network(self.predictor, "predictor")
            z = self.raw((source, worker_pb2.ONLINE))
            with self.autocast():
                return predictor(z)  # p [N, D]
        if encoder == worker_pb2.ONLINE_DETACHED:
            if source in self._detached_only:
                with torch.no_grad(), self.autocast():
                    return self.online(self._input(source))
            return self.raw((source, worker_pb2.ONLINE)).detach()
        momentum = _network(self.momentum, "momentum encoder")
        x = self._input(source)
        with torch.no_grad(), self.autocast():
            if self.key_shuffle is None:
                return momentum(x)
            shuffle, unshuffle = self.key_shuffle
            return momentum(x.index_select(0, shuffle)).index_select(0, unshuffle)  # k [N, D]

    def _input(self, source: int) -> Tensor:
        return self.to_input(self.inputs.get(source))


def _network(network: Optional[nn.Module], what: str) -> nn.Module:
    if network is None:  # plan validation refuses such branches for runs created without the network
        raise ValueError(f"a branch reads the run's {what}, which this run was created without")
    return network
