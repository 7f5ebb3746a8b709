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
import copy
import dataclasses
import inspect
import math
import time
from typing import Any, Optional

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from mixmask_worker.data.store import DatasetStore, ResidentDataset
from mixmask_worker.data.stream import StreamedDataset
from mixmask_worker.evaluation.knn import extract_features, weighted_knn
from mixmask_worker.generated.mixmask.v1 import worker_pb2
from mixmask_worker.models.compiled import compile_in_place, compile_mode, compile_toolchain_missing
from mixmask_worker.models.encoder import HeadShape, build_encoder
from mixmask_worker.models.grouped_batch_norm import use_grouped_batch_norm
from mixmask_worker.models.mlp_head import MlpHead
from mixmask_worker.plan.step_plan import ValidatedPlan
from mixmask_worker.plan.validation import RunFacts, validate_step_plan
from mixmask_worker.service.protocol import WorkerError, invalid_request
from mixmask_worker.training.branches import BranchOutputs
from mixmask_worker.training.checkpoint_file import read_checkpoint, write_checkpoint
from mixmask_worker.training.inputs import StepInputs
from mixmask_worker.training.key_queue import KeyQueue
from mixmask_worker.training.loss_assembly import assemble_loss
from mixmask_worker.training.momentum import update_momentum
from mixmask_worker.training.run_request import ARCHITECTURE_FIELDS, validate_run_request
from mixmask_worker.training.step_formulation import step_formulation
from mixmask_worker.training.step_result import PendingResult, describe_term
from mixmask_worker.training.topology import SINGLE_PROCESS, RankTopology

# Images per host->device copy when kNN features are taken from a dataset kept in host memory.
HOST_FEATURE_CHUNK = 8192

def _sgd_kwargs(device: torch.device) -> dict[str, bool]:
    accepted = inspect.signature(torch.optim.SGD.__init__).parameters
    if device.type == "cuda" and "fused" in accepted:
        return {"fused": True}
    if "foreach" in accepted:
        return {"foreach": True}
    return {}


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
            self.formulation = step_formulation()
        except ValueError as error:
            raise WorkerError("INVALID_ARGUMENT", str(error)) from error
        self.channels_last = self.formulation.channels_last(bool(request.channels_last), device)
        self.precision_in_use = "bf16" if self.use_bf16 else "fp32"  # bf16 autocast exists on CUDA only

        seed = int(request.seed)
        torch.manual_seed(seed)
        head = request.head
        try:
            self.online = build_encoder(
                request.backbone.arch,
                int(request.backbone.base_width),
                bool(request.backbone.cifar_stem),
                HeadShape(int(head.hidden_dim), int(head.out_dim), int(head.layers) or 2, bool(head.batch_norm)),
                self.bn_splits,
            )
            self.predictor: Optional[MlpHead] = None
            if request.HasField("predictor"):
                shape = request.predictor
                self.predictor = MlpHead(
                    int(head.out_dim), int(shape.hidden_dim), int(shape.out_dim), 2, bool(shape.batch_norm)
                )
        except ValueError as error:
            raise WorkerError("INVALID_ARGUMENT", f"run.backbone/run.head/run.predictor: {error}") from error
        if self.formulation.grouped_batch_norm:
            use_grouped_batch_norm(self.online)
            if self.predictor is not None:
                use_grouped_batch_norm(self.predictor)
        memory_format = torch.channels_last if self.channels_last else torch.contiguous_format
        self.online.to(device=device, memory_format=memory_format).train()  # type: ignore[call-overload]  # torch stubs
        self.momentum: Optional[nn.Module] = None
        if request.momentum_encoder:
            # MoCo / BYOL: the momentum encoder starts as a copy of the online one and never gets gradients.
            self.momentum = copy.deepcopy(self.online)
            for parameter in self.momentum.parameters():
                parameter.requires_grad_(False)
        if self.predictor is not None:
            self.predictor.to(device).train()
        # After the deep copy: each encoder gets its own compiled wrapper; state_dict keys stay the eager ones.
        self.compile_mode = compile_mode(request.compile)
        if self.compile_mode is not None:
            missing = compile_toolchain_missing(device)
            if missing is not None:
                raise WorkerError(
                    "DEVICE_UNAVAILABLE",
                    f"run.compile {self.compile_mode!r}: torch.compile cannot build kernels on this machine, it lacks "
                    f"{missing}: install them, or use compile 'off' (eager, the same weights)",
                )
            compile_in_place([self.online, self.predictor, self.momentum], self.compile_mode)
        self.compile_in_use = self.compile_mode or "off"

        self.queue: Optional[KeyQueue] = None
        if request.moco.queue_size > 0:
            queue_generator = torch.Generator().manual_seed((seed + 1) % 2**64)
            self.queue = KeyQueue(int(request.moco.queue_size), int(head.out_dim), queue_generator).to(device)
        self.optimizer = torch.optim.SGD(
            self.trainable_parameters(),
            lr=0.0,  # set from every plan
            momentum=float(request.optimizer.momentum),
            weight_decay=float(request.optimizer.weight_decay),
            **_sgd_kwargs(device),
        )
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

    # ------------------------------------------------------------------------------------------------------
    # Facts for CreateRunReply

    @property
    def parameters(self) -> int:
        return sum(p.numel() for p in self.trainable_parameters())

    @property
    def feature_dim(self) -> int:
        return int(self.online.backbone.feature_dim)  # type: ignore[arg-type]  # an int attribute of the module

    @property
    def backbone(self) -> nn.Module:
        """The online backbone f: what evaluation and export use."""
        return self.online.backbone

    # ------------------------------------------------------------------------------------------------------
    # Training

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
            images = self._gather(dataset, checked.indices)  # [N, H, W, C] uint8 on the device
        return StepInputs(
            images, checked, self.image_size, self.mean, self.std, self._index_tensor, global_rows=self.topology.global_rows(self)
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
        online, predictor, momentum, key_shuffle = self.topology.step_networks(self, checked)
        branches = BranchOutputs(
            self.inputs(checked),
            online,
            predictor,
            momentum,
            key_shuffle,
            checked.branches(),
            self._to_input,
            self._autocast,
            fuse=self.formulation.fuse_queries and self.compile_mode is None,
        )
        queue = None if self.queue is None else self.queue.keys
        loss = assemble_loss(checked.terms, branches.get, queue, self._index_tensor)

        self.optimizer.zero_grad(set_to_none=True)
        loss.total.backward()
        for group in self.optimizer.param_groups:
            group["lr"] = checked.lr
        self.optimizer.step()
        if self.momentum is not None:
            update_momentum(self.online, self.momentum, checked.key_momentum)
        self.topology.after_update(self)
        if self.queue is not None:
            # MoCo enqueues after the loss: this step's keys are negatives from the next step on.
            keys = F.normalize(branches.get(checked.terms[checked.enqueue_term].positive).detach(), dim=1)
            self.queue.enqueue(self.topology.keys_to_enqueue(self, keys))

        packed = torch.stack(
            [loss.total.detach(), *(t.detach() for t in loss.terms), loss.positive_top1, loss.embedding_std]
        ).float()
        host, ready = self._read_back(packed)
        return PendingResult(
            step=checked.step,
            lr=checked.lr,
            terms=tuple(describe_term(t) for t in checked.terms),
            values=host,
            ready=ready,
            worker_ms=(time.perf_counter() - started) * 1000.0,
        )

    def _gather(self, dataset: ResidentDataset, indices: np.ndarray) -> torch.Tensor:
        host_indices = torch.from_numpy(indices)
        if dataset.images.device == self.device:
            return dataset.images.index_select(0, self._index_tensor(indices))
        if self.device.type == "cuda":
            # Gather into pinned memory so the host->device copy is asynchronous.
            batch = torch.empty(
                (indices.shape[0], *dataset.images.shape[1:]), dtype=dataset.images.dtype, pin_memory=True
            )
            torch.index_select(dataset.images, 0, host_indices, out=batch)
            return batch.to(self.device, non_blocking=True)
        return dataset.images.index_select(0, host_indices).to(self.device)

    def _index_tensor(self, values: np.ndarray) -> torch.Tensor:
        return self._upload(torch.from_numpy(values))

    def _upload(self, host: torch.Tensor) -> torch.Tensor:
        """Host -> device without blocking: a copy from pageable memory would wait for the stream on CUDA."""
        if self.device.type != "cuda":
            return host.to(self.device)
        return host.pin_memory().to(self.device, non_blocking=True)

    def _to_input(self, x: torch.Tensor) -> torch.Tensor:
        return x.contiguous(memory_format=torch.channels_last) if self.channels_last else x

    def _autocast(self) -> contextlib.AbstractContextManager[Any]:
        if self.use_bf16:
            return torch.autocast(device_type="cuda", dtype=torch.bfloat16)
        return contextlib.nullcontext()

    def _read_back(self, packed: torch.Tensor) -> tuple[torch.Tensor, Optional[Any]]:
        if packed.device.type != "cuda":
            return packed, None
        host = torch.empty(packed.shape, dtype=packed.dtype, pin_memory=True)
        host.copy_(packed, non_blocking=True)
        ready = torch.cuda.Event()
        ready.record()
        return host, ready

    # ------------------------------------------------------------------------------------------------------
    # Evaluation

    def knn(self, request: worker_pb2.KnnRequest) -> worker_pb2.KnnReply:
        """Weighted k-NN top-1/top-5 with the query backbone's features (Wu et al. 2018)."""
        started = time.perf_counter()
        issues: list[str] = []
        if request.k < 1:
            issues.append(f"knn.k: expected k >= 1 neighbours, received {request.k}")
        temperature = float(request.temperature)
        if not (math.isfinite(temperature) and temperature > 0):
            issues.append(f"knn.temperature: expected a finite temperature > 0, received {temperature}")
        if request.batch_size < 1:
            issues.append(f"knn.batch_size: expected >= 1 images per batch, received {request.batch_size}")
        train = self.store.get(request.train_dataset_id)
        test = self.store.get(request.test_dataset_id)
        train_images, train_labels = labelled_subset(train, request.train_indices, "knn.train", issues)
        test_images, test_labels = labelled_subset(test, request.test_indices, "knn.test", issues)
        if train_images is not None and request.k > train_images.shape[0]:
            issues.append(
                f"knn.k: expected at most the {train_images.shape[0]} images of the memory bank, received {request.k}"
            )
        if issues or train_images is None or test_images is None or train_labels is None or test_labels is None:
            raise invalid_request(f"Knn is invalid ({len(issues)} issues): ", issues)

        train_f = self.features(train_images, int(request.batch_size))  # [N_train, F]
        test_f = self.features(test_images, int(request.batch_size))  # [N_test, F]
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

    def features(
        self, images: torch.Tensor, batch_size: int, normalize: bool = True, model: Optional[nn.Module] = None
    ) -> torch.Tensor:
        """Features of uint8 images through ``model`` (default: the online backbone), L2-normalised unless told
        otherwise; a dataset kept in host memory is moved to the device in chunks."""
        backbone = self.online.backbone if model is None else model
        if images.device == self.device:
            return extract_features(backbone, images, self.image_size, self.mean, self.std, batch_size, normalize)
        chunk = max(batch_size, HOST_FEATURE_CHUNK // batch_size * batch_size)
        parts = [
            extract_features(
                backbone, images[start : start + chunk].to(self.device), self.image_size, self.mean, self.std,
                batch_size, normalize,
            )
            for start in range(0, images.shape[0], chunk)
        ]
        return torch.cat(parts)

    # ------------------------------------------------------------------------------------------------------
    # Checkpoints

    def save(self, path: str, step: int) -> tuple[int, str]:
        """Writes networks, optimizer and queue atomically; returns (bytes, sha256)."""
        written = write_checkpoint(
            path,
            {
                "step": int(step),
                "config": self.config.SerializeToString(),
                "online": self.online.state_dict(),
                "predictor": None if self.predictor is None else self.predictor.state_dict(),
                "momentum": None if self.momentum is None else self.momentum.state_dict(),
                "optimizer": self.optimizer.state_dict(),
                "queue": None if self.queue is None else self.queue.state_dict(),
            },
        )
        return written.bytes, written.sha256

    def load(self, path: str, sha256: str) -> tuple[int, int]:
        """Restores the state saved by ``save``; returns (bytes, stored step)."""
        loaded = read_checkpoint(path, sha256, self.device)
        self.weights_version += 1
        state = loaded.state
        try:
            stored = worker_pb2.CreateRunRequest.FromString(state["config"])
        except Exception as error:
            raise WorkerError(
                "CHECKPOINT_INVALID", f"checkpoint {path!r} holds an unreadable run config: {error}"
            ) from error
        for message_name, field in ARCHITECTURE_FIELDS:
            ours = getattr(getattr(self.config, message_name), field)
            theirs = getattr(getattr(stored, message_name), field)
            if ours != theirs:
                raise WorkerError(
                    "CHECKPOINT_INVALID",
                    f"checkpoint {path!r} was written by a run with {message_name}.{field} = {theirs!r}, this run has "
                    f"{ours!r}: create the run with the checkpoint's configuration to resume from it",
                )
        try:
            self.online.load_state_dict(state["online"])
            for name, module in (("predictor", self.predictor), ("momentum", self.momentum), ("queue", self.queue)):
                if (module is None) != (state[name] is None):
                    raise ValueError(f"the checkpoint {'lacks' if module is not None else 'has'} a {name}")
                if module is not None:
                    module.load_state_dict(state[name])
            self._load_optimizer(state["optimizer"])
        except (KeyError, RuntimeError, ValueError) as error:
            raise WorkerError(
                "CHECKPOINT_INVALID",
                f"checkpoint {path!r} does not fit this run ({type(error).__name__}: {str(error).splitlines()[0]})",
            ) from error
        return loaded.bytes, int(state.get("step", 0))

    def _load_optimizer(self, saved: dict[str, Any]) -> None:
        """Restores the momentum buffers; the hyper-parameters stay this run's (lr is set by every plan)."""
        current = self.optimizer.state_dict()
        if len(saved["param_groups"]) != len(current["param_groups"]):
            raise ValueError("optimizer parameter groups differ")
        groups = [
            {**ours, "params": theirs["params"]}
            for ours, theirs in zip(current["param_groups"], saved["param_groups"])
        ]
        self.optimizer.load_state_dict({"state": saved["state"], "param_groups": groups})


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
