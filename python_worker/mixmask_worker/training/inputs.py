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
from torch import Tensor

from mixmask_worker.augment.view_augmenter import augment_views
from mixmask_worker.generated.mixmask.v1 import worker_pb2
from mixmask_worker.mixing.erase import erase_fill, erase_images
from mixmask_worker.mixing.masks import upsample_mask
from mixmask_worker.mixing.mixmask import complement_images, mix_images
from mixmask_worker.mixing.unmix import blend_images, cutmix_images
from mixmask_worker.plan.step_plan import (
    CellMask,
    ComplementInput,
    MixedInput,
    UnmixInput,
    ValidatedPlan,
    ViewInput,
)

_VIEWS = (worker_pb2.VIEW_0, worker_pb2.VIEW_1)


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
        return self._pixels_of(mask)

    def _pixels_of(self, mask: CellMask) -> Tensor:
        if self._mask_pixels is None:
            self._mask_pixels = upsample_mask(self.upload(mask.cells), self.image_size)
        return self._mask_pixels

    def _build(self, source: int) -> Tensor:
        recipe = self.plan.recipes.get(source)
        if recipe is None:  # Preview of an input the plan has no part for (training plans are validated against it)
            raise ValueError(f"the plan has no part to build input {worker_pb2.Input.Name(source)} from")
        if isinstance(recipe, ViewInput):
            return augment_views(self.images, self.plan.views[recipe.view], self.image_size, self.mean, self.std)
        x = self.get(_VIEWS[recipe.view])
        if isinstance(recipe, UnmixInput):
            unmix = recipe.mixture
            partner = self.upload(unmix.partner)
            return cutmix_images(x, unmix.box, partner) if unmix.cutmix else blend_images(x, unmix.lam, partner)
        m = self._pixels_of(recipe.mask)
        if isinstance(recipe, ComplementInput):
            return complement_images(x, m, self.upload(recipe.partner_inverse))
        if isinstance(recipe, MixedInput):
            return mix_images(x, m, self.upload(recipe.partner))
        # What is left is an ErasedInput (the MSCN-style baselines).
        fill = erase_fill(recipe.fill, recipe.noise_seed + recipe.view, x, self.mean, self.std, self.global_rows)
        return erase_images(x, m, fill)
