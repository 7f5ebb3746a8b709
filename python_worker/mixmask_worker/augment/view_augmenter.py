"""Applies one view's planned augmentation to a uint8 batch on the device, vectorised over the batch.

The pipeline is MoCo v2's (Chen et al. 2020, "Improved Baselines with Momentum Contrastive Learning"):
RandomResizedCrop -> ColorJitter (random order) -> RandomGrayscale -> GaussianBlur -> flip -> Normalize, with every
random number drawn by the SDK. The horizontal flip commutes with the other ops, so it is folded into the crop.

Semantics follow torchvision's tensor functional ops (``torchvision.transforms.functional``) with two documented
choices: the resize is bilinear **without antialias** (torchvision's ``antialias=False``; PIL, which MoCo v2 used,
antialiases when downscaling), and luma uses ITU-R 601-2 weights 0.299/0.587/0.114 as PIL does (torchvision's tensor
op uses 0.2989).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor

from .view_params import ViewParams

_BRIGHTNESS, _CONTRAST, _SATURATION, _HUE = 0, 1, 2, 3


def augment_views(images: Tensor, params: ViewParams, image_size: int, mean: Tensor, std: Tensor) -> Tensor:
    """Augments ``images`` (uint8 ``[N, H, W, C]``, C = 1 or 3) into normalised float32 ``[N, 3, S, S]``.

    ``mean`` and ``std`` are ``[3]`` float tensors on the images' device, applied after augmentation.
    """
    if images.dim() != 4 or images.dtype != torch.uint8 or images.shape[-1] not in (1, 3):
        raise ValueError(f"images are {images.dtype} {list(images.shape)}; expected uint8 [N, H, W, C] with C = 1 or 3")
    n = images.shape[0]
    if params.crop.shape[0] != n:
        raise ValueError(f"the view plan is for {params.crop.shape[0]} samples but the batch holds {n} images")
    if not isinstance(image_size, int) or image_size < 1:
        raise ValueError(f"image_size is {image_size!r}; expected a positive integer")
    if mean.numel() != 3 or std.numel() != 3:
        raise ValueError(f"mean and std have {mean.numel()} and {std.numel()} values; expected 3 each (RGB)")
    if params.any_blur and params.blur_kernel_size // 2 >= image_size:
        raise ValueError(
            f"blur_kernel_size is {params.blur_kernel_size}; its half-width must be < image_size = {image_size} "
            f"for reflect padding"
        )

    with torch.autocast(device_type=images.device.type, enabled=False):  # pixels stay float32 under bf16 runs
        x = images.permute(0, 3, 1, 2).float().div_(255.0)  # [N, C, H, W] in [0, 1]
        x = _resized_crop(x, params.crop, params.flip, image_size)  # [N, C, S, S]
        if x.shape[1] == 1:
            # Grey images count as RGB with equal channels; every op below treats channels alike, so repeating
            # after the crop gives the same result as repeating before it, at a third of the cost.
            x = x.expand(-1, 3, -1, -1)
        if params.any_jitter:
            x = _color_jitter(x, params.jitter, params.jitter_order, params.any_hue, params.hue_rows)
        if params.any_grayscale:
            x = torch.where(params.grayscale.view(-1, 1, 1, 1), _luma(x).expand(-1, 3, -1, -1), x)
        if params.any_blur:
            x = _gaussian_blur(x, params.blur_sigma, params.blur_kernel_size)
        x = (x - mean.view(1, 3, 1, 1).float()) / std.view(1, 3, 1, 1).float()
    return x.contiguous()  # [N, 3, S, S] float32


def _resized_crop(x: Tensor, crop: Tensor, flip: Tensor, size: int) -> Tensor:
    """Crop (top, left, h, w) + bilinear resize to size x size + optional horizontal flip, as one ``grid_sample``.

    Output pixel centre ``j`` samples source coordinate ``left + (j + 0.5)·w/S − 0.5`` (half-pixel centres, as
    ``F.interpolate(mode="bilinear", align_corners=False)``), clamped to the crop's first and last pixel centres
    as resizing a cropped tensor does: for integer boxes this equals ``resize(crop(img))`` (bilinear, without
    antialias) up to float rounding. In ``align_corners=False`` normalised coordinates the unclamped map is the affine
    ``x_src = (2·left + w)/W − 1 + (w/W)·(±1)·x_out``, the sign being −1 for flipped samples.
    """
    n, _, h_in, w_in = x.shape
    top, left, h, w = crop.unbind(dim=1)  # each [N]
    out = (2 * torch.arange(size, device=x.device, dtype=torch.float32) + 1) / size - 1  # [S] output centres
    sign = 1.0 - 2.0 * flip.to(torch.float32)  # [N]: −1 flips horizontally
    gx = _axis_grid(out, left, w, w_in, sign)  # [N, S]
    gy = _axis_grid(out, top, h, h_in, None)  # [N, S]
    grid = torch.stack((gx[:, None, :].expand(n, size, size), gy[:, :, None].expand(n, size, size)), dim=-1)
    return F.grid_sample(x, grid, mode="bilinear", padding_mode="border", align_corners=False)  # [N, C, S, S]


def _axis_grid(out: Tensor, start: Tensor, length: Tensor, extent: int, sign: Tensor | None) -> Tensor:
    slope = length / extent  # [N]
    if sign is not None:
        slope = slope * sign
    g = ((2 * start + length) / extent - 1)[:, None] + slope[:, None] * out[None, :]  # [N, S]
    lo = (2 * start + 1) / extent - 1  # centre of the crop's first pixel
    hi = torch.maximum((2 * (start + length) - 1) / extent - 1, lo)  # centre of its last pixel
    return torch.minimum(torch.maximum(g, lo[:, None]), hi[:, None])


def _luma(x: Tensor) -> Tensor:
    r, g, b = x.unbind(dim=1)
    return (0.299 * r + 0.587 * g + 0.114 * b).unsqueeze(1)  # [N, 1, S, S], ITU-R 601-2


def _blend(x: Tensor, other: Tensor, factor: Tensor) -> Tensor:
    """torchvision ``_blend``: ``clamp(f·x + (1 − f)·other, 0, 1)`` with a per-sample factor ``[N]``."""
    f = factor.view(-1, 1, 1, 1)
    return (f * x + (1 - f) * other).clamp_(0, 1)


def _color_jitter(x: Tensor, jitter: Tensor, order: Tensor, any_hue: bool, hue_rows: tuple[Tensor, ...]) -> Tensor:
    """torchvision ``ColorJitter`` with a per-sample factor set and op order, vectorised over the batch.

    At position ``p`` each sample runs one op. Brightness, contrast and saturation are all torchvision's
    ``_blend(x, other, f)`` with ``other`` = black, the mean of the grey image, or the grey image, so one blend
    per position serves every sample with its own ``f`` and ``other``; samples whose op is hue get ``f = 1``, which
    leaves them bit-exact. Hue runs only on ``hue_rows[p]``, the samples whose op at ``p`` is a non-zero shift
    (so once per sample in all); without precomputed rows it runs on the whole batch and ``where`` keeps its
    result for the hue samples only, so that the others skip the HSV round trip's rounding either way.
    """
    factors = torch.cat((jitter[:, :3], torch.ones_like(jitter[:, :1])), dim=1)  # [N, 4]: hue's slot blends as 1
    for p in range(4):
        op = order[:, p : p + 1]  # [N, 1]
        grey = _luma(x)  # [N, 1, S, S]
        other = torch.where(
            (op == _SATURATION).view(-1, 1, 1, 1),
            grey,
            torch.where((op == _CONTRAST).view(-1, 1, 1, 1), grey.mean(dim=(1, 2, 3), keepdim=True), 0.0),
        )  # [N, 1, S, S]: grey (saturation), its mean (contrast) or black (brightness)
        x = _blend(x, other, factors.gather(1, op).squeeze(1))
        if hue_rows:
            rows = hue_rows[p]  # [R_p]
            if rows.numel() > 0:  # host metadata: no device read-back
                shifted = _adjust_hue(x.index_select(0, rows), jitter[:, 3].index_select(0, rows))
                x = x.index_copy(0, rows, shifted)
        elif any_hue:
            is_hue = op.squeeze(1) == _HUE  # [N]
            shift = torch.where(is_hue, jitter[:, 3], torch.zeros_like(jitter[:, 3]))
            x = torch.where(is_hue.view(-1, 1, 1, 1), _adjust_hue(x, shift), x)
    return x


def _adjust_hue(x: Tensor, shift: Tensor) -> Tensor:
    """torchvision ``adjust_hue``: RGB -> HSV, ``h = (h + shift) mod 1``, HSV -> RGB, with per-sample ``shift [N]``.

    Closed forms of torchvision's ``_rgb2hsv``/``_hsv2rgb`` (same hue conventions, equal up to float rounding)
    that never materialise its ``[N, 3, 6, S, S]`` sector table: with ``v = max``, ``c = max − min`` (so that
    ``v·s = c``), channel ``n`` (5, 3, 1 for R, G, B) is ``v − c·clamp(min(k, 4 − k), 0, 1)``, ``k = (n + 6h) mod 6``.
    """
    r, g, b = x.unbind(dim=1)  # each [N, S, S]
    maxc = x.amax(dim=1)
    chroma = maxc - x.amin(dim=1)
    d = torch.where(chroma == 0, torch.ones_like(chroma), chroma)
    h6 = torch.where(  # hue in sixths; red wins ties, then green, as torchvision's masks
        maxc == r, (g - b) / d, torch.where(maxc == g, 2.0 + (b - r) / d, 4.0 + (r - g) / d)
    )
    h = torch.fmod(h6 / 6.0 + 1.0, 1.0)  # [N, S, S] in [0, 1)
    h = torch.remainder(h + shift.view(-1, 1, 1), 1.0)
    n = (5.0 - 2.0 * torch.arange(3, device=x.device, dtype=x.dtype)).view(1, 3, 1, 1)  # 5, 3, 1
    k = torch.remainder(n + 6.0 * h.unsqueeze(1), 6.0)  # [N, 3, S, S]
    ramp = torch.minimum(k, 4.0 - k).clamp_(0.0, 1.0)
    rgb = maxc.unsqueeze(1) - chroma.unsqueeze(1) * ramp  # [N, 3, S, S]
    return rgb.clamp_(0, 1)


def _gaussian_blur(x: Tensor, sigma: Tensor, kernel_size: int) -> Tensor:
    """torchvision ``gaussian_blur`` (reflect padding) with a per-sample σ, as two grouped 1-D convolutions.

    Kernel taps ``exp(−t²/2σ²)`` at ``t = −(k−1)/2 .. (k−1)/2``, normalised to sum 1; σ = 0 samples are left
    untouched. On CUDA, cuDNN may run these convolutions in TF32 (error ~1e-3 relative, below 8-bit quantisation).
    """
    n, c, s1, s2 = x.shape
    half = (kernel_size - 1) * 0.5
    t = torch.linspace(-half, half, kernel_size, device=x.device, dtype=torch.float32)  # [k]
    blurred = sigma > 0  # [N]
    safe = torch.where(blurred, sigma, torch.ones_like(sigma))
    kernel = torch.exp(-0.5 * (t[None, :] / safe[:, None]) ** 2)  # [N, k]
    kernel = kernel / kernel.sum(dim=1, keepdim=True)
    weight = kernel.repeat_interleave(c, dim=0)  # [N·3, k]: one filter per (sample, channel)
    pad = kernel_size // 2
    y = x.reshape(1, n * c, s1, s2)
    y = F.conv2d(F.pad(y, (pad, pad, 0, 0), mode="reflect"), weight.view(n * c, 1, 1, kernel_size), groups=n * c)
    y = F.conv2d(F.pad(y, (0, 0, pad, pad), mode="reflect"), weight.view(n * c, 1, kernel_size, 1), groups=n * c)
    return torch.where(blurred.view(-1, 1, 1, 1), y.view(n, c, s1, s2), x)
