"""MoCo's dictionary: a FIFO queue of K key embeddings (He et al. 2020, "Momentum Contrast for Unsupervised Visual
Representation Learning", §3.2, ``_dequeue_and_enqueue``).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor, nn


class KeyQueue(nn.Module):
    """Buffers ``keys [K, D]`` (unit rows) and ``ptr`` (0-d int64, next row to overwrite); saved in ``state_dict``.

    Initial keys are ``randn`` rows drawn on the CPU from ``generator`` (so they do not depend on the device) and
    normalised, as MoCo's queue. ``enqueue`` never reads back from the device.
    """

    keys: Tensor
    ptr: Tensor

    def __init__(self, size: int, dim: int, generator: torch.Generator | None = None) -> None:
        super().__init__()
        if not isinstance(size, int) or size < 1:
            raise ValueError(f"moco.queue_size is {size!r}; expected a positive integer (MoCo v2: 65536)")
        if not isinstance(dim, int) or dim < 1:
            raise ValueError(f"head.out_dim is {dim!r}; expected a positive integer")
        self.size = size
        self.dim = dim
        self.register_buffer("keys", F.normalize(torch.randn(size, dim, generator=generator), dim=1))  # [K, D]
        self.register_buffer("ptr", torch.zeros((), dtype=torch.long))

    @torch.no_grad()
    def enqueue(self, k: Tensor) -> None:
        """Writes ``k [N, D]`` over the oldest rows ``ptr .. ptr+N−1 (mod K)`` and advances ``ptr``."""
        if k.dim() != 2 or k.shape[1] != self.dim:
            raise ValueError(f"enqueued keys are {list(k.shape)}; expected [N, {self.dim}]")
        n = k.shape[0]
        if n > self.size:
            raise ValueError(
                f"{n} keys cannot be enqueued into a queue of {self.size}; make moco.queue_size >= the batch size"
            )
        rows = (self.ptr + torch.arange(n, device=self.ptr.device)) % self.size  # [N], on the device
        self.keys.index_copy_(0, rows, k.detach().to(self.keys.dtype))
        self.ptr.copy_((self.ptr + n) % self.size)

    def extra_repr(self) -> str:
        return f"size={self.size}, dim={self.dim}"
