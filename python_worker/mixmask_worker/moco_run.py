"""One MoCo v2 training run executing MixMask step plans (He et al. 2020; Chen et al. 2020; Vishniakov et al. 2022).

The run owns the query encoder f_q, the momentum (key) encoder f_k, the queue of K negative keys and the SGD
optimizer. It decides nothing about the method: every step arrives as a StepPlan (views, mask, partners, which loss
terms on which branch with which weight and temperature, lr, m) and the run executes it:

    x_q, x_k = augment(views[0]), augment(views[1])            # [N, 3, S, S]
    q      = f_q(x_q)                                           # QUERY_VIEW  [N, D]
    q_mix  = f_q(M ⊙ x_q + (1 − M) ⊙ x_q[partner])              # QUERY_MIX   [N, D], own pass (own BN stats)
    k      = f_k(x_k[shuffle])[argsort(shuffle)]                # KEY_VIEW    [N, D], no gradient (shuffle-BN)
    L      = Σ_t w_t · InfoNCE(q_t[order_t], k, queue, T_t)
    SGD step on f_q; f_k ← m·f_k + (1 − m)·f_q; enqueue k

A step never waits for the device: the metrics are packed into one small tensor whose device->host copy is recorded
behind a CUDA event; the server awaits it on another thread (``PendingResult.resolve``).
"""

from __future__ import annotations

import contextlib
import copy
import inspect
import math
import time
from dataclasses import dataclass
from typing import Any, Optional

import numpy as np
import torch

from mixmask_worker.augment.view_augmenter import augment_views
from mixmask_worker.checkpoint_file import read_checkpoint, write_checkpoint
from mixmask_worker.dataset_store import DatasetStore, ResidentDataset
from mixmask_worker.generated.mixmask.v1 import worker_pb2
from mixmask_worker.key_queue import KeyQueue
from mixmask_worker.knn import extract_features, weighted_knn
from mixmask_worker.losses.info_nce import InfoNCEWithQueue
from mixmask_worker.mixing import mix_images, upsample_mask
from mixmask_worker.models.encoder import build_encoder
from mixmask_worker.momentum import update_momentum
from mixmask_worker.plan_validation import MixArrays, ValidatedPlan, branch_name, validate_step_plan
from mixmask_worker.protocol import WorkerError

PRECISIONS = ("fp32", "bf16")
# Images per host->device copy when kNN features are taken from a dataset kept in host memory.
HOST_FEATURE_CHUNK = 8192
# CreateRunRequest fields that decide the shapes of the stored state: a checkpoint must agree on all of them.
ARCHITECTURE_FIELDS = (
    ("backbone", "arch"),
    ("backbone", "base_width"),
    ("backbone", "cifar_stem"),
    ("head", "hidden_dim"),
    ("head", "out_dim"),
    ("moco", "queue_size"),
)


@dataclass
class PendingResult:
    """A step enqueued on the device whose metrics are not read back yet."""

    step: int
    lr: float
    terms: tuple[str, ...]  # a description of each plan term, for error messages
    values: torch.Tensor  # host [2 + T]: total loss, T unweighted term losses, positive top-1 of term 0
    ready: Optional[Any]  # torch.cuda.Event recorded after the device->host copy; None when already on the host
    worker_ms: float

    def resolve(self) -> worker_pb2.StepResult:
        """Waits for the copy (blocking: call it off the compute thread) and checks the losses are finite."""
        if self.ready is not None:
            self.ready.synchronize()
        values = self.values.tolist()
        loss, term_losses, top1 = values[0], values[1:-1], values[-1]
        for index, value in enumerate(term_losses):
            if not math.isfinite(value):
                raise self._non_finite(f"loss term {index} ({self.terms[index]})", value, index)
        if not math.isfinite(loss):
            raise self._non_finite("the weighted total loss", loss, None)
        return worker_pb2.StepResult(
            step=self.step, loss=loss, term_losses=term_losses, positive_top1=top1, worker_ms=self.worker_ms
        )

    def _non_finite(self, what: str, value: float, term: Optional[int]) -> WorkerError:
        # The details travel as a trailer so the SDK can name the term and step without parsing this message.
        details = {"step": self.step, "term": term, "term_description": what, "value": value, "lr": self.lr}
        return WorkerError(
            "NON_FINITE_LOSS",
            f"step {self.step}: {what} is {value} at lr={self.lr:g}: training diverged; lower the learning rate "
            "or lengthen the warm-up, check the plan's augmentation and loss weights, and resume from the last "
            "checkpoint (the weights after this step are not usable)",
            details,
        )


def _describe_term(term: Any) -> str:
    return (
        f"{branch_name(term.query).split(' ')[0]} vs {branch_name(term.key).split(' ')[0]}, "
        f"weight {term.weight:g}, T={term.temperature:g}"
    )


def _sgd_kwargs(device: torch.device) -> dict[str, bool]:
    accepted = inspect.signature(torch.optim.SGD.__init__).parameters
    if device.type == "cuda" and "fused" in accepted:
        return {"fused": True}
    if "foreach" in accepted:
        return {"foreach": True}
    return {}


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
    if request.moco.queue_size < 1:
        add("run.moco.queue_size", "K >= 1 negative keys", request.moco.queue_size)
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
    if issues:
        raise WorkerError("INVALID_ARGUMENT", f"CreateRun is invalid ({len(issues)} issues): " + "; ".join(issues))


class MocoRun:
    """Networks, optimizer and queue of one run; ``step`` executes one StepPlan without a host sync."""

    def __init__(self, request: worker_pb2.CreateRunRequest, store: DatasetStore, device: torch.device) -> None:
        validate_run_request(request)
        store.get(request.dataset_id)  # DATASET_NOT_FOUND before building anything
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
        self.channels_last = bool(request.channels_last) and device.type == "cuda"
        self.precision_in_use = "bf16" if self.use_bf16 else "fp32"  # bf16 autocast exists on CUDA only

        seed = int(request.seed)
        torch.manual_seed(seed)
        try:
            self.query = build_encoder(
                request.backbone.arch,
                int(request.backbone.base_width),
                bool(request.backbone.cifar_stem),
                int(request.head.hidden_dim),
                int(request.head.out_dim),
                self.bn_splits,
            )
        except ValueError as error:
            raise WorkerError("INVALID_ARGUMENT", f"run.backbone/run.head: {error}") from error
        self.key = copy.deepcopy(self.query)  # MoCo: f_k starts as a copy of f_q and never gets gradients
        for parameter in self.key.parameters():
            parameter.requires_grad_(False)
        memory_format = torch.channels_last if self.channels_last else torch.contiguous_format
        self.query.to(device=device, memory_format=memory_format)
        self.key.to(device=device, memory_format=memory_format)
        self.query.train()
        self.key.train()

        queue_generator = torch.Generator().manual_seed((seed + 1) % 2**64)
        self.queue = KeyQueue(int(request.moco.queue_size), int(request.head.out_dim), queue_generator).to(device)
        self.info_nce = InfoNCEWithQueue()
        self.optimizer = torch.optim.SGD(
            self.query.parameters(),
            lr=0.0,  # set from every plan
            momentum=float(request.optimizer.momentum),
            weight_decay=float(request.optimizer.weight_decay),
            **_sgd_kwargs(device),
        )

    # ------------------------------------------------------------------------------------------------------
    # Facts for CreateRunReply

    @property
    def parameters(self) -> int:
        return sum(p.numel() for p in self.query.parameters() if p.requires_grad)

    @property
    def feature_dim(self) -> int:
        return int(self.query.backbone.feature_dim)

    # ------------------------------------------------------------------------------------------------------
    # Training

    def step(self, plan: worker_pb2.StepPlan, received_at: Optional[float] = None) -> PendingResult:
        """Executes one plan; returns before the device finishes (no host sync on CUDA)."""
        started = time.perf_counter() if received_at is None else received_at
        dataset = self.store.get(self.dataset_id)
        checked = validate_step_plan(
            plan,
            dataset_count=dataset.count,
            image_size=self.image_size,
            bn_splits=self.bn_splits,
            queue_size=self.queue.size,
            device=self.device,
        )
        images = self._gather(dataset, checked.indices)  # [N, H, W, C] uint8 on the device
        x_q = self._to_input(augment_views(images, checked.views[0], self.image_size, self.mean, self.std))
        x_k = self._to_input(augment_views(images, checked.views[1], self.image_size, self.mean, self.std))

        used = checked.branches()
        outputs: dict[int, torch.Tensor] = {}
        with self._autocast():
            if worker_pb2.QUERY_VIEW in used:
                outputs[worker_pb2.QUERY_VIEW] = self.query(x_q)  # q: [N, D]
            if worker_pb2.QUERY_MIX in used and checked.mix is not None:  # validation: QUERY_MIX needs plan.mix
                outputs[worker_pb2.QUERY_MIX] = self.query(self._mixed(x_q, checked.mix))  # q_mix: [N, D]
            if worker_pb2.KEY_VIEW in used:
                with torch.no_grad():
                    outputs[worker_pb2.KEY_VIEW] = self._keys(x_k, checked)  # k: [N, D]
        outputs = {branch: out.float() for branch, out in outputs.items()}  # the loss runs in fp32

        term_losses: list[torch.Tensor] = []
        term_logits: list[torch.Tensor] = []
        total = torch.zeros((), device=self.device)
        for term in checked.terms:
            q = outputs[term.query]
            if term.query_order is not None:
                q = q.index_select(0, self._index_tensor(term.query_order))
            loss, logits = self.info_nce(q, outputs[term.key], self.queue.keys, term.temperature)  # logits: [N, 1+K]
            term_logits.append(logits)
            term_losses.append(loss)
            total = total + term.weight * loss

        self.optimizer.zero_grad(set_to_none=True)
        total.backward()
        for group in self.optimizer.param_groups:
            group["lr"] = checked.lr
        self.optimizer.step()
        update_momentum(self.query, self.key, checked.key_momentum)
        # MoCo enqueues after the loss: this step's keys are negatives from the next step on.
        self.queue.enqueue(outputs[checked.terms[checked.enqueue_term].key].detach())

        # A hit only when the positive beats every negative strictly: with collapsed embeddings all logits tie, and
        # argmax (first maximum = the positive) would count the ties as successes.
        logits0 = term_logits[0].detach()  # [N, 1+K]
        positive_top1 = (logits0[:, 0] > logits0[:, 1:].amax(dim=1)).float().mean()
        packed = torch.stack([total.detach(), *(t.detach() for t in term_losses), positive_top1]).float()
        host, ready = self._read_back(packed)
        return PendingResult(
            step=checked.step,
            lr=checked.lr,
            terms=tuple(_describe_term(t) for t in checked.terms),
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

    def _mixed(self, x_q: torch.Tensor, mix: MixArrays) -> torch.Tensor:
        cells = self._upload(torch.from_numpy(mix.cells.astype(np.float32)))  # [g, g]
        mask = upsample_mask(cells, self.image_size)  # M: [S, S], 1 = keep the original
        return self._to_input(mix_images(x_q, mask, self._index_tensor(mix.partner)))

    def _keys(self, x_k: torch.Tensor, checked: ValidatedPlan) -> torch.Tensor:
        """k = f_k(x_k[shuffle])[argsort(shuffle)]: single-device shuffle-BN emulation (MoCo)."""
        if checked.key_shuffle is None:
            return self.key(x_k)
        shuffle = self._index_tensor(checked.key_shuffle)
        unshuffle = self._index_tensor(np.argsort(checked.key_shuffle))
        return self.key(x_k.index_select(0, shuffle)).index_select(0, unshuffle)

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
        train_images, train_labels = _labelled_subset(train, request.train_indices, "knn.train", issues)
        test_images, test_labels = _labelled_subset(test, request.test_indices, "knn.test", issues)
        if train_images is not None and request.k > train_images.shape[0]:
            issues.append(
                f"knn.k: expected at most the {train_images.shape[0]} images of the memory bank, received {request.k}"
            )
        if issues or train_images is None or test_images is None or train_labels is None or test_labels is None:
            raise WorkerError("INVALID_ARGUMENT", f"Knn is invalid ({len(issues)} issues): " + "; ".join(issues))

        train_f = self._features(train_images, int(request.batch_size))  # [N_train, F]
        test_f = self._features(test_images, int(request.batch_size))  # [N_test, F]
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

    def _features(self, images: torch.Tensor, batch_size: int) -> torch.Tensor:
        """Backbone features of uint8 images; a dataset kept in host memory is moved to the device in chunks."""
        backbone = self.query.backbone
        if images.device == self.device:
            return extract_features(backbone, images, self.image_size, self.mean, self.std, batch_size)
        chunk = max(batch_size, HOST_FEATURE_CHUNK // batch_size * batch_size)
        parts = [
            extract_features(
                backbone, images[start : start + chunk].to(self.device), self.image_size, self.mean, self.std,
                batch_size,
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
                "query": self.query.state_dict(),
                "key": self.key.state_dict(),
                "optimizer": self.optimizer.state_dict(),
                "queue": self.queue.state_dict(),
            },
        )
        return written.bytes, written.sha256

    def load(self, path: str, sha256: str) -> tuple[int, int]:
        """Restores the state saved by ``save``; returns (bytes, stored step)."""
        loaded = read_checkpoint(path, sha256, self.device)
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
            self.query.load_state_dict(state["query"])
            self.key.load_state_dict(state["key"])
            self.queue.load_state_dict(state["queue"])
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


def _labelled_subset(
    dataset: ResidentDataset, indices: Any, path: str, issues: list[str]
) -> tuple[Optional[torch.Tensor], Optional[torch.Tensor]]:
    """Images [M, H, W, C] and labels [M] of ``dataset`` (all, or the given indices); None after an issue."""
    if dataset.labels is None:
        issues.append(f"{path}_dataset_id: dataset {dataset.dataset_id!r} has no labels: upload it with labels for kNN")
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
        issues.append(f"{path}: expected labels >= 0 for kNN, received {int(labels.min())}")
        return None, None
    return images, labels
