"""Host -> device copies of a step's plan arrays and images, and the device -> host copy of its metrics, none of
which waits for the device on CUDA: uploads go through pinned memory, the read-back is recorded behind an event."""

from __future__ import annotations

from typing import Any, Optional

import numpy as np
import torch

from mixmask_worker.data.store import ResidentDataset


class DeviceTransfer:
    def __init__(self, device: torch.device) -> None:
        self.device = device

    def index_tensor(self, values: np.ndarray) -> torch.Tensor:
        return self.upload(torch.from_numpy(values))

    def upload(self, host: torch.Tensor) -> torch.Tensor:
        """A copy from pageable memory would wait for the stream on CUDA; one from pinned memory does not."""
        if self.device.type != "cuda":
            return host.to(self.device)
        return host.pin_memory().to(self.device, non_blocking=True)

    def gather(self, dataset: ResidentDataset, indices: np.ndarray) -> torch.Tensor:
        """The images [N, H, W, C] uint8 of ``indices``, on the device."""
        host_indices = torch.from_numpy(indices)
        if dataset.images.device == self.device:
            return dataset.images.index_select(0, self.index_tensor(indices))
        if self.device.type == "cuda":
            # Gather into pinned memory so the host->device copy is asynchronous.
            batch = torch.empty(
                (indices.shape[0], *dataset.images.shape[1:]), dtype=dataset.images.dtype, pin_memory=True
            )
            torch.index_select(dataset.images, 0, host_indices, out=batch)
            return batch.to(self.device, non_blocking=True)
        return dataset.images.index_select(0, host_indices).to(self.device)

    def read_back(self, packed: torch.Tensor) -> tuple[torch.Tensor, Optional[Any]]:
        """(host tensor, CUDA event after which it holds ``packed``); the event is None off CUDA."""
        if packed.device.type != "cuda":
            return packed, None
        host = torch.empty(packed.shape, dtype=packed.dtype, pin_memory=True)
        host.copy_(packed, non_blocking=True)
        ready = torch.cuda.Event()
        ready.record()
        return host, ready
