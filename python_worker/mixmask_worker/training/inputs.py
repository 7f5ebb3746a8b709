"""The images one step's branches encode, built from a validated plan on first use.

    VIEW_v        augment(x, views[v])                                   (MoCo v2 recipe, planned per sample)
    MASKED_v      M ⊙ VIEW_v + (1 − M) ⊙ fill        fill = VIEW_v[partner] (MixMask) or zeros / mean / noise (erase)
    COMPLEMENT_v  (1 − M) ⊙ VIEW_v + M ⊙ VIEW_v[partner⁻¹]                (MixMask's complementary image)
    UNMIX_v       λ·VIEW_v + (1 − λ)·VIEW_v[partner], or a CutMix box of VIEW_v[partner]   (Un-Mix)

All are normalised float32 ``[N, 3, S, S]`` on the run's device. Nothing here draws a random number except the
erase baseline's noise, whose generator is seeded by the plan (``noise_seed + v`` for view v).
"""

from __future__ import annotations

from typing import Callable, Optional

import numpy as np
import torch
from torch import Tensor

from mixmask_worker.augment.view_augmenter import augment_views
from mixmask_worker.generated.mixmask.v1 import worker_pb2
from mixmask_worker.mixing.mixmask import complement_images, erase_images, mix_images, upsample_mask
from mixmask_worker.mixing.unmix import blend_images, cutmix_images
from mixmask_worker.plan.validation import ValidatedPlan

_VIEW_OF = {
    worker_pb2.VIEW_0: 0,
    worker_pb2.MASKED_0: 0,
    worker_pb2.COMPLEMENT_0: 0,
    worker_pb2.UNMIX_0: 0,
    worker_pb2.VIEW_1: 1,
    worker_pb2.MASKED_1: 1,
    worker_pb2.COMPLEMENT_1: 1,
    worker_pb2.UNMIX_1: 1,
}


class StepInputs:
    """Builds and caches the inputs of one plan; ``upload`` moves a host array to the device without blocking."""

    def __init__(
        self,
        images: Tensor,
        plan: ValidatedPlan,
        image_size: int,
        mean: Tensor,
        std: Tensor,
        upload: Callable[[np.ndarray], Tensor],
        global_rows: Optional[tuple[int, Tensor]] = None,
    ) -> None:
        """``global_rows``: (N_global, rows [N] int64) when the batch is rows of a global batch split over ranks."""
        self.images = images  # [N, H, W, C] uint8 on the device
        self.plan = plan
        self.image_size = image_size
        self.mean = mean  # [3]
        self.std = std  # [3]
        self.upload = upload
        self.global_rows = global_rows
        self._built: dict[int, Tensor] = {}
        self._mask_pixels: Tensor | None = None

    @classmethod
    def from_views(
        cls,
        views: tuple[Tensor, Tensor],
        plan: ValidatedPlan,
        mean: Tensor,
        std: Tensor,
        upload: Callable[[np.ndarray], Tensor],
    ) -> "StepInputs":
        """Inputs built on given normalised views ``[N, 3, S, S]`` instead of augmenting images (exactness tests)."""
        inputs = cls(views[0].new_zeros((0,)), plan, int(views[0].shape[-1]), mean, std, upload)
        inputs._built[worker_pb2.VIEW_0], inputs._built[worker_pb2.VIEW_1] = views
        return inputs

    def get(self, source: int) -> Tensor:
        if source not in self._built:
            self._built[source] = self._build(source)
        return self._built[source]

    def mask_pixels(self) -> Tensor:
        """``[B, S, S]`` float32, 1 = pixel kept from the original; B = 1 (shared mask) or N."""
        mask = self.plan.mask
        if mask is None:
            raise ValueError("the plan has no mask")
        if self._mask_pixels is None:
            self._mask_pixels = upsample_mask(self.upload(mask.cells), self.image_size)
        return self._mask_pixels

    def _build(self, source: int) -> Tensor:
        view = _VIEW_OF[source]
        if source in (worker_pb2.VIEW_0, worker_pb2.VIEW_1):
            return augment_views(self.images, self.plan.views[view], self.image_size, self.mean, self.std)
        x = self.get(worker_pb2.VIEW_0 if view == 0 else worker_pb2.VIEW_1)
        if source in (worker_pb2.UNMIX_0, worker_pb2.UNMIX_1):
            unmix = self.plan.unmix
            assert unmix is not None  # plan validation: UNMIX_* inputs need plan.unmix
            partner = self.upload(unmix.partner)
            return cutmix_images(x, unmix.box, partner) if unmix.cutmix else blend_images(x, unmix.lam, partner)
        mask = self.plan.mask
        assert mask is not None  # plan validation: MASKED_* and COMPLEMENT_* inputs need plan.mask
        m = self.mask_pixels()
        if source in (worker_pb2.COMPLEMENT_0, worker_pb2.COMPLEMENT_1):
            assert mask.partner_inverse is not None  # plan validation: COMPLEMENT_* needs a PARTNER fill
            return complement_images(x, m, self.upload(mask.partner_inverse))
        if mask.fill == worker_pb2.PARTNER:
            assert mask.partner is not None
            return mix_images(x, m, self.upload(mask.partner))
        return erase_images(x, m, self._erase_fill(mask.fill, mask.noise_seed + view, x))

    def _erase_fill(self, fill: int, seed: int, x: Tensor) -> Tensor:
        if fill == worker_pb2.ZERO:
            return ((0.0 - self.mean) / self.std).view(1, 3, 1, 1)  # black, normalised
        if fill == worker_pb2.MEAN:
            return torch.zeros((1, 3, 1, 1), device=x.device)  # the dataset mean is 0 after normalisation
        generator = torch.Generator(device=x.device).manual_seed(seed % 2**63)
        if self.global_rows is None:
            return torch.randn(x.shape, generator=generator, device=x.device)  # N(0, 1) in normalised units
        # A rank draws the noise of the whole global batch and keeps its rows: R ranks erase with what one process
        # would (docs/DISTRIBUTED.md).
        total, rows = self.global_rows
        noise = torch.randn((total, *x.shape[1:]), generator=generator, device=x.device)  # [N_global, 3, S, S]
        return noise.index_select(0, rows)
