"""Per-sample augmentation parameters of one view, decoded from a ``ViewPlan`` and validated.

The SDK draws every number (MoCo v2 recipe: Chen et al. 2020, "Improved Baselines with Momentum Contrastive
Learning"); the worker only applies them. Validation happens here, on the host, on the numpy arrays, so that the
``any_*`` flags that let ``augment_views`` skip whole stages are known without ever reading back from the device.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch
from torch import Tensor


@dataclass
class ViewParams:
    """Augmentation parameters of one view for a batch of N samples; tensors live on the device."""

    crop: Tensor  # [N, 4] float32: top, left, height, width in source pixels
    flip: Tensor  # [N] bool: horizontal flip
    jitter: Tensor  # [N, 4] float32: brightness, contrast, saturation factors (1 = identity), hue shift (0 = identity)
    jitter_order: Tensor  # [N, 4] int64: per-sample permutation of 0..3 (brightness, contrast, saturation, hue)
    grayscale: Tensor  # [N] bool
    blur_sigma: Tensor  # [N] float32, 0 = no blur
    blur_kernel_size: int
    any_jitter: bool  # some sample has a non-identity jitter factor
    any_hue: bool  # some sample has a non-zero hue shift
    any_grayscale: bool
    any_blur: bool  # some sample has σ > 0
    # Per jitter position p: [R_p] int64 rows whose op at p is a non-zero hue shift (each sample appears at most
    # once overall), so that the HSV round trip runs once per sample instead of on the whole batch at all four
    # positions; the sizes are host metadata. Empty tuple: not precomputed (augment_views then selects with where).
    hue_rows: tuple[Tensor, ...] = field(default=())

    @staticmethod
    def from_proto(view: Any, n: int, device: torch.device) -> ViewParams:
        """Decodes a ``mixmask.v1.ViewPlan`` for a batch of ``n`` samples; raises ``ValueError`` naming the field.

        Messages name the field only (``"crop has 12 values; ..."``); the caller prefixes the view index.
        """
        if not isinstance(n, int) or n < 1:
            raise ValueError(f"batch size N is {n!r}; expected a positive integer")
        crop = _floats(view.crop, "crop", 4 * n, "4·N", "top, left, height, width per sample").reshape(n, 4)
        flip = _flags(view.flip, "flip", n)
        jitter = _floats(
            view.jitter, "jitter", 4 * n, "4·N", "brightness, contrast, saturation, hue per sample"
        ).reshape(n, 4)
        order = _bytes(view.jitter_order, "jitter_order", 4 * n, "4·N", "a permutation of 0..3 per sample")
        order = order.reshape(n, 4).astype(np.int64)
        grayscale = _flags(view.grayscale, "grayscale", n)
        sigma = _floats(view.blur_sigma, "blur_sigma", n, "N", "one σ per sample, 0 = no blur")
        kernel_size = int(view.blur_kernel_size)

        bad = np.flatnonzero((crop[:, 2] <= 0) | (crop[:, 3] <= 0))
        if bad.size:
            i = int(bad[0])
            raise ValueError(
                f"crop of sample {i} has height {crop[i, 2]:g} and width {crop[i, 3]:g}; both must be > 0 "
                f"({bad.size} sample(s) affected)"
            )
        bad = np.flatnonzero((jitter[:, :3] < 0).any(axis=1))
        if bad.size:
            i = int(bad[0])
            raise ValueError(
                f"jitter of sample {i} is {jitter[i].tolist()}; brightness, contrast and saturation factors must "
                f"be >= 0 (1 = identity)"
            )
        bad = np.flatnonzero((np.sort(order, axis=1) != np.arange(4)).any(axis=1))
        if bad.size:
            i = int(bad[0])
            raise ValueError(
                f"jitter_order of sample {i} is {order[i].tolist()}; expected a permutation of 0..3 "
                f"(0 brightness, 1 contrast, 2 saturation, 3 hue)"
            )
        bad = np.flatnonzero(sigma < 0)
        if bad.size:
            i = int(bad[0])
            raise ValueError(f"blur_sigma of sample {i} is {sigma[i]:g}; expected >= 0 (0 = no blur)")

        hue_at = (order == 3) & (jitter[:, 3:4] != 0)  # [N, 4]
        any_hue = bool(hue_at.any())
        any_jitter = any_hue or bool((jitter[:, :3] != 1).any())
        any_blur = bool((sigma > 0).any())
        if any_blur and (kernel_size < 1 or kernel_size % 2 == 0):
            raise ValueError(f"blur_kernel_size is {kernel_size}; expected an odd integer >= 1 when any σ > 0")

        def move(a: np.ndarray) -> Tensor:
            host = torch.from_numpy(a)
            if device.type != "cuda":
                return host.to(device)
            # From pageable memory a "non-blocking" copy still waits for the stream; pinned memory does not.
            return host.pin_memory().to(device, non_blocking=True)

        return ViewParams(
            crop=move(crop),
            flip=move(flip),
            jitter=move(jitter),
            jitter_order=move(order),
            grayscale=move(grayscale),
            blur_sigma=move(sigma),
            blur_kernel_size=kernel_size,
            any_jitter=any_jitter,
            any_hue=any_hue,
            any_grayscale=bool(grayscale.any()),
            any_blur=any_blur,
            hue_rows=tuple(move(np.flatnonzero(hue_at[:, p]).astype(np.int64)) for p in range(4)),
        )


def _floats(values: Any, field: str, expected: int, formula: str, meaning: str) -> np.ndarray:
    a = np.asarray(values, dtype=np.float32)  # a fresh, writable copy of the repeated field
    if a.size != expected:
        raise ValueError(f"{field} has {a.size} values; expected {formula} = {expected} ({meaning})")
    bad = np.flatnonzero(~np.isfinite(a))
    if bad.size:
        raise ValueError(f"{field}[{int(bad[0])}] is {a[bad[0]]}; every value must be finite")
    return a


def _bytes(values: bytes, field: str, expected: int, formula: str, meaning: str) -> np.ndarray:
    a = np.frombuffer(values, dtype=np.uint8)
    if a.size != expected:
        raise ValueError(f"{field} has {a.size} bytes; expected {formula} = {expected} ({meaning})")
    return a


def _flags(values: bytes, field: str, n: int) -> np.ndarray:
    a = _bytes(values, field, n, "N", "one byte per sample, 0 or 1")
    bad = np.flatnonzero(a > 1)
    if bad.size:
        raise ValueError(f"{field}[{int(bad[0])}] is {int(a[bad[0]])}; expected 0 or 1")
    return a == 1  # a fresh, writable bool array
