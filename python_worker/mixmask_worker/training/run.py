"""One Siamese training run executing step plans: MoCo v2, SimCLR, BYOL or SimSiam, with any masker.

The run owns the online encoder (backbone f + projector g), the optional predictor q (BYOL, SimSiam), the optional
momentum encoder (MoCo's key encoder, BYOL's target: an EMA copy of f and g), the optional queue of K negatives
(MoCo) and the SGD optimizer. It decides nothing about the method: every step arrives as a StepPlan and the run
executes it:

    inputs   = VIEW_v, MASKED_v, COMPLEMENT_v, UNMIX_v as the plan's terms need them        (training/inputs.py)
    branches = each (input, encoder) a term reads, one forward pass each                    (training/branches.py)
    L        = Σ_t w_t · mean_i(s_ti · ℓ_t(a_t[order_t], p_t)_i)                            (training/loss_assembly.py)
    SGD step on f, g, q; momentum ← m·momentum + (1 − m)·online; enqueue the planned keys

A step never waits for the device: the metrics are packed into one small tensor whose device->host copy is recorded
behind a CUDA event; the server awaits it on another thread (``PendingResult.resolve``).
"""

from __future__ import annotations

import contextlib
import dataclasses
import time
from typing import Any, Optional

import torch
import torch.nn.functional as F
from torch import nn

from mixmask_worker.data.store import DatasetStore
from mixmask_worker.data.stream import StreamedDataset
from mixmask_worker.evaluation.run_knn import run_features, run_knn
from mixmask_worker.generated.mixmask.v1 import worker_pb2
from mixmask_worker.models.compiled import compile_mode
from mixmask_worker.plan.step_plan import ValidatedPlan
from mixmask_worker.plan.validation import RunFacts, validate_step_plan
from mixmask_worker.service.protocol import WorkerError
from mixmask_worker.training.branches import BranchOutputs
from mixmask_worker.training.device_transfer import DeviceTransfer
from mixmask_worker.training.inputs import StepInputs
from mixmask_worker.training.loss_assembly import assemble_loss
from mixmask_worker.training.momentum import update_momentum
from mixmask_worker.training.networks import build_networks, build_optimizer, build_queue
from mixmask_worker.training.run_checkpoint import load_run, save_run
from mixmask_worker.training.run_request import validate_run_request
from mixmask_worker.training.step_formulation import step_formulation
from mixmask_worker.training.step_result import PendingResult, describe_term
from mixmask_worker.training.topology import SINGLE_PROCESS, RankTopology


class TrainingRun:
    """Networks, optimizer and queue of one run; ``step`` executes one StepPlan without a host sync."""

    def __init__(
        self,
        request: worker_pb2.CreateRunRequest,
        store: DatasetStore,
        device: torch.device,
        topology: RankTopology = SINGLE_PROCESS,
    ) -> None:
        """``topology``: where this process's step sits in the global batch (training/topology.py)."""
        self.topology = topology
        validate_run_request(request)
        store.get_training_source(request.dataset_id)  # DATASET_NOT_FOUND before building anything
        self.config = worker_pb2.CreateRunRequest()
        self.config.CopyFrom(request)
        self.run_id = request.run_id
        self.store = store
        self.device = device
        self.transfer = DeviceTransfer(device)
        self.dataset_id = request.dataset_id
        self.image_size = int(request.image_size)
        self.mean = torch.tensor([float(v) for v in request.mean], dtype=torch.float32, device=device)  # [3]
        self.std = torch.tensor([float(v) for v in request.std], dtype=torch.float32, device=device)  # [3]
        self.bn_splits = int(request.moco.bn_splits)
        self.use_bf16 = request.precision == "bf16" and device.type == "cuda"
        if self.use_bf16 and not torch.cuda.is_bf16_supported():
            raise WorkerError(
                "DEVICE_UNAVAILABLE",
                f"run.precision 'bf16' needs a GPU with bfloat16 support, {torch.cuda.get_device_name(device)} has "
                "none: use precision 'fp32'",
            )
        try:
            self.formulation = step_formulation(compiled=compile_mode(request.compile) is not None)
        except ValueError as error:
            raise WorkerError("INVALID_ARGUMENT", str(error)) from error
        self.channels_last = self.formulation.channels_last(bool(request.channels_last), device)
        self.precision_in_use = "bf16" if self.use_bf16 else "fp32"  # bf16 autocast exists on CUDA only

        networks = build_networks(
            request, device, self.bn_splits, self.formulation.grouped_batch_norm, self.channels_last
        )
        self.online = networks.online
        self.predictor = networks.predictor
        self.momentum: Optional[nn.Module] = networks.momentum
        self.compile_mode = networks.compile_mode
        self.compile_in_use = self.compile_mode or "off"
        self.queue = build_queue(request, device)
        self.optimizer = build_optimizer(request, self.trainable_parameters(), device)
        # Counts changes of the weights (steps, loads), so that cached evaluation features know when they are stale.
        self.weights_version = 0
        self.facts = RunFacts(
            dataset_count=0,  # the dataset may be re-uploaded; its count is read per step
            image_size=self.image_size,
            bn_splits=self.bn_splits,
            queue_size=0 if self.queue is None else self.queue.size,
            has_momentum_encoder=self.momentum is not None,
            has_predictor=self.predictor is not None,
        )

    def trainable_parameters(self) -> list[nn.Parameter]:
        modules: list[nn.Module] = [self.online] if self.predictor is None else [self.online, self.predictor]
        return [p for module in modules for p in module.parameters() if p.requires_grad]

    @property
    def parameters(self) -> int:
        """For CreateRunReply."""
        return sum(p.numel() for p in self.trainable_parameters())

    @property
    def feature_dim(self) -> int:
        """For CreateRunReply."""
        return int(self.online.backbone.feature_dim)  # type: ignore[arg-type]  # an int attribute of the module

    @property
    def backbone(self) -> nn.Module:
        """The online backbone f: what evaluation and export use."""
        return self.online.backbone

    def validate(self, plan: worker_pb2.StepPlan) -> ValidatedPlan:
        dataset = self.store.get_training_source(self.dataset_id)
        facts = dataclasses.replace(self.facts, dataset_count=dataset.count)
        return validate_step_plan(plan, facts, self.device)

    def inputs(self, checked: ValidatedPlan) -> StepInputs:
        """The plan's images, built lazily exactly as a training step builds them (also used by Preview)."""
        dataset = self.store.get_training_source(self.dataset_id)
        if isinstance(dataset, StreamedDataset):  # the client pushed this step's batch, in plan order
            images = dataset.take(checked.step, checked.indices, self.device)  # [N, H, W, C] uint8 on the device
        else:
            images = self.transfer.gather(dataset, checked.indices)  # [N, H, W, C] uint8 on the device
        rows = self.topology.global_rows(self)
        return StepInputs(
            images, checked, self.image_size, self.mean, self.std, self.transfer.index_tensor, global_rows=rows
        )

    def step(self, plan: worker_pb2.StepPlan, received_at: Optional[float] = None) -> PendingResult:
        """Executes one plan; returns before the device finishes (no host sync on CUDA)."""
        started = time.perf_counter() if received_at is None else received_at
        checked = self.validate(plan)
        self.weights_version += 1
        if self.compile_mode == "reduce-overhead":
            # CUDA graph trees otherwise start a new iteration at every compiled call made without a pending backward,
            # and a second such call in one step (e.g. the momentum encoder on both views, symmetric losses) would
            # overwrite the first call's outputs: one iteration per step (torch.compiler.cudagraph_mark_step_begin).
            torch.compiler.cudagraph_mark_step_begin()
        # Forward: each (input x, encoder) pair the terms read runs once: z = g(f(x)) [N, D], p = q(z) [N, D].
        online, predictor, momentum, key_shuffle = self.topology.step_networks(self, checked)
        branches = BranchOutputs(
            self.inputs(checked),  # x: [N, 3, S, S] per input
            online,
            predictor,
            momentum,
            key_shuffle,
            checked.branches(),
            self._to_input,
            self._autocast,
            fuse=self.formulation.fuse_queries and self.compile_mode is None,
        )
        queue = None if self.queue is None else self.queue.keys  # [K, D] unit negatives (MoCo)
        # L = Σ_t w_t · mean_i(s_ti · ℓ_t(a_t[order_t], p_t)_i): a scalar, and each term's ℓ_t.
        loss = assemble_loss(checked.terms, branches.get, queue, self.transfer.index_tensor)

        self.optimizer.zero_grad(set_to_none=True)
        loss.total.backward()
        for group in self.optimizer.param_groups:
            group["lr"] = checked.lr
        self.optimizer.step()  # SGD on f, g, q
        if self.momentum is not None:
            update_momentum(self.online, self.momentum, checked.key_momentum)  # θ_k ← m·θ_k + (1 − m)·θ_q
        self.topology.after_update(self)
        if self.queue is not None:
            # MoCo enqueues after the loss: this step's keys are negatives from the next step on.
            keys = F.normalize(branches.get(checked.terms[checked.enqueue_term].positive).detach(), dim=1)  # [N, D]
            self.queue.enqueue(self.topology.keys_to_enqueue(self, keys))

        # [1 + T + 2]: L, each ℓ_t, positive top-1, embedding std, copied to the host behind an event.
        packed = torch.stack(
            [loss.total.detach(), *(t.detach() for t in loss.terms), loss.positive_top1, loss.embedding_std]
        ).float()
        host, ready = self.transfer.read_back(packed)
        return PendingResult(
            step=checked.step,
            lr=checked.lr,
            terms=tuple(describe_term(t) for t in checked.terms),
            values=host,
            ready=ready,
            worker_ms=(time.perf_counter() - started) * 1000.0,
        )

    def _to_input(self, x: torch.Tensor) -> torch.Tensor:
        return x.contiguous(memory_format=torch.channels_last) if self.channels_last else x

    def _autocast(self) -> contextlib.AbstractContextManager[Any]:
        if self.use_bf16:
            return torch.autocast(device_type="cuda", dtype=torch.bfloat16)
        return contextlib.nullcontext()

    def knn(self, request: worker_pb2.KnnRequest) -> worker_pb2.KnnReply:
        """Weighted k-NN top-1/top-5 with the online backbone's features (evaluation/run_knn.py)."""
        return run_knn(self, request)

    def features(
        self, images: torch.Tensor, batch_size: int, normalize: bool = True, model: Optional[nn.Module] = None
    ) -> torch.Tensor:
        """Features of uint8 images through ``model`` (default: the online backbone), see evaluation/run_knn.py."""
        return run_features(self, images, batch_size, normalize, model)

    def save(self, path: str, step: int) -> tuple[int, str]:
        """Writes networks, optimizer and queue atomically; returns (bytes, sha256) (training/run_checkpoint.py)."""
        return save_run(self, path, step)

    def load(self, path: str, sha256: str) -> tuple[int, int]:
        """Restores the state saved by ``save``; returns (bytes, stored step) (training/run_checkpoint.py)."""
        return load_run(self, path, sha256)
