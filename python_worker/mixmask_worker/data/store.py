"""Datasets the worker keeps resident between calls, by the id the client chose.

Images are uint8 ``[N, H, W, C]`` exactly as uploaded (HWC, grey or RGB). On CUDA they live in device memory when
it has room, so a training step gathers its batch without a host->device copy; otherwise in (pinned) host memory.
Streamed datasets (data/stream.py) are registered here too, under their stream id: a run may train on either,
while k-NN needs resident images.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Optional, Union

import numpy as np
import torch

from mixmask_worker.data.stream import StreamedDataset
from mixmask_worker.service.protocol import WorkerError

log = logging.getLogger("mixmask_worker")

# On CUDA a dataset goes to device memory only if, after placing it, at least this many times its size stays free
# for the networks, activations and optimizer state.
DEVICE_HEADROOM_FACTOR = 2


@dataclass(frozen=True)
class ResidentDataset:
    dataset_id: str
    images: torch.Tensor  # [N, H, W, C] uint8, on `placement`
    labels: Optional[torch.Tensor]  # [N] int64 on the same device as images, None when unlabelled
    content_sha256: str = ""  # the content hash it was uploaded under (BeginUpload); "" when put by a test

    @property
    def count(self) -> int:
        return int(self.images.shape[0])

    @property
    def placement(self) -> str:
        return str(self.images.device)


# What a run can train on: images gathered from a resident dataset, or batches pushed into a streamed one.
TrainingSource = Union[ResidentDataset, StreamedDataset]


class DatasetStore:
    """Resident datasets of one worker process, keyed by dataset id, and its open streamed datasets."""

    def __init__(self, device: torch.device) -> None:
        self.device = device
        self._datasets: dict[str, ResidentDataset] = {}
        self._streams: dict[str, StreamedDataset] = {}

    def put(
        self, dataset_id: str, pixels: np.ndarray, labels: Optional[np.ndarray], content_sha256: str = ""
    ) -> ResidentDataset:
        """Makes ``pixels`` ([N, H, W, C] uint8) resident under ``dataset_id``, replacing any dataset of that id."""
        old = self._datasets.pop(dataset_id, None)
        if old is not None:
            del old
            if self.device.type == "cuda":
                torch.cuda.empty_cache()
        host = torch.from_numpy(pixels)
        host_labels = None if labels is None else torch.from_numpy(labels.astype(np.int64, copy=False))
        target = self._placement_for(host.numel() * host.element_size())
        if target.type == "cuda":
            images = host.to(target)
            dataset_labels = None if host_labels is None else host_labels.to(target)
        elif self.device.type == "cuda":
            # Pinned host memory lets the per-step batch copy run asynchronously.
            images = host.pin_memory()
            dataset_labels = host_labels
        else:
            images = host
            dataset_labels = host_labels
        dataset = ResidentDataset(dataset_id, images, dataset_labels, content_sha256)
        self._datasets[dataset_id] = dataset
        log.info(
            "dataset %s resident on %s: %d images %s",
            dataset_id,
            dataset.placement,
            dataset.count,
            "x".join(str(d) for d in images.shape[1:]),
        )
        return dataset

    def find(self, dataset_id: str) -> Optional[ResidentDataset]:
        return self._datasets.get(dataset_id)

    def get(self, dataset_id: str) -> ResidentDataset:
        dataset = self._datasets.get(dataset_id)
        if dataset is None:
            held = ", ".join(sorted(self._datasets)) or "none"
            if dataset_id in self._streams:
                raise WorkerError(
                    "DATASET_NOT_FOUND",
                    f"dataset {dataset_id!r} is streamed, and this call needs resident images (held: {held}): "
                    "upload the images it should use (e.g. a k-NN memory bank) with BeginUpload",
                )
            raise WorkerError(
                "DATASET_NOT_FOUND",
                f"dataset {dataset_id!r} is not resident on this worker (held: {held}): "
                "upload it with BeginUpload first (a restarted worker holds no datasets)",
            )
        return dataset

    def get_training_source(self, dataset_id: str) -> TrainingSource:
        """The resident or streamed dataset a run trains on; DATASET_NOT_FOUND names both kinds held."""
        stream = self._streams.get(dataset_id)
        return stream if stream is not None else self.get(dataset_id)

    def open_stream(self, stream: StreamedDataset) -> None:
        """Registers a streamed dataset; an open stream of the same id is closed first (its waiters fail)."""
        old = self._streams.pop(stream.stream_id, None)
        if old is not None:
            old.close()
        self._streams[stream.stream_id] = stream

    def find_stream(self, stream_id: str) -> Optional[StreamedDataset]:
        return self._streams.get(stream_id)

    def close_stream(self, stream_id: str) -> StreamedDataset:
        stream = self._streams.pop(stream_id, None)
        if stream is None:
            held = ", ".join(sorted(self._streams)) or "none"
            raise WorkerError(
                "DATASET_NOT_FOUND", f"no open streamed dataset {stream_id!r} (open: {held}): call OpenStream first"
            )
        stream.close()
        return stream

    def close_all_streams(self) -> None:
        for stream in self._streams.values():
            stream.close()
        self._streams.clear()

    def _placement_for(self, size_bytes: int) -> torch.device:
        if self.device.type != "cuda":
            return self.device
        free_bytes, _total = torch.cuda.mem_get_info(self.device)
        if free_bytes >= (1 + DEVICE_HEADROOM_FACTOR) * size_bytes:
            return self.device
        log.info(
            "dataset of %.1f MiB kept in host memory: only %.1f MiB free on %s",
            size_bytes / 2**20,
            free_bytes / 2**20,
            self.device,
        )
        return torch.device("cpu")
