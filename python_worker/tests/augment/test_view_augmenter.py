"""augment_views applies planned MoCo v2 augmentations with torchvision's tensor semantics; ViewParams validates."""

from __future__ import annotations

import colorsys
import dataclasses

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from mixmask_worker.augment.view_augmenter import augment_views
from mixmask_worker.augment.view_params import ViewParams
from mixmask_worker.generated.mixmask.v1 import worker_pb2

CPU = torch.device("cpu")
ZERO = torch.zeros(3)
ONE = torch.ones(3)


def _plan(n: int, h: int, w: int, **fields: object) -> worker_pb2.ViewPlan:
    """An identity ViewPlan (full-image crop, no flip, identity jitter, no grey, no blur) with overrides."""
    base: dict[str, object] = {
        "crop": [0.0, 0.0, float(h), float(w)] * n,
        "flip": bytes(n),
        "jitter": [1.0, 1.0, 1.0, 0.0] * n,
        "jitter_order": bytes([0, 1, 2, 3] * n),
        "grayscale": bytes(n),
        "blur_sigma": [0.0] * n,
        "blur_kernel_size": 3,
    }
    base.update(fields)
    return worker_pb2.ViewPlan(**base)


def _params(n: int, h: int, w: int, **fields: object) -> ViewParams:
    return ViewParams.from_proto(_plan(n, h, w, **fields), n, CPU)


def _images(n: int, h: int, w: int, c: int = 3, seed: int = 0) -> torch.Tensor:
    g = torch.Generator().manual_seed(seed)
    return torch.randint(0, 256, (n, h, w, c), generator=g, dtype=torch.uint8)


def _as_float(images: torch.Tensor) -> torch.Tensor:
    return images.permute(0, 3, 1, 2).float() / 255  # [N, C, H, W]


def _luma(x: torch.Tensor) -> torch.Tensor:
    return 0.299 * x[:, 0:1] + 0.587 * x[:, 1:2] + 0.114 * x[:, 2:3]


def test_identity_params_reproduce_the_image() -> None:
    images = _images(3, 8, 8)
    params = _params(3, 8, 8)
    assert not (params.any_jitter or params.any_hue or params.any_grayscale or params.any_blur)
    out = augment_views(images, params, 8, ZERO, ONE)
    assert out.dtype == torch.float32 and out.shape == (3, 3, 8, 8)
    torch.testing.assert_close(out, _as_float(images), rtol=0, atol=1e-6)


def test_grey_images_become_three_equal_channels() -> None:
    images = _images(2, 6, 6, c=1)
    out = augment_views(images, _params(2, 6, 6), 6, ZERO, ONE)
    torch.testing.assert_close(out, _as_float(images).expand(-1, 3, -1, -1), rtol=0, atol=1e-6)


def test_normalisation_is_applied_last() -> None:
    images = _images(2, 4, 4)
    mean, std = torch.tensor([0.4, 0.5, 0.6]), torch.tensor([0.2, 0.25, 0.3])
    out = augment_views(images, _params(2, 4, 4), 4, mean, std)
    expected = (_as_float(images) - mean.view(1, 3, 1, 1)) / std.view(1, 3, 1, 1)
    torch.testing.assert_close(out, expected, rtol=0, atol=1e-5)


def test_flip_equals_flipping_the_identity_result() -> None:
    images = _images(2, 8, 8)
    out = augment_views(images, _params(2, 8, 8, flip=bytes([1, 0])), 8, ZERO, ONE)
    ident = _as_float(images)
    torch.testing.assert_close(out[0], torch.flip(ident[0], dims=[-1]), rtol=0, atol=1e-6)
    torch.testing.assert_close(out[1], ident[1], rtol=0, atol=1e-6)


@pytest.mark.parametrize(
    "box",
    [
        (0, 0, 4, 4),  # the top-left quadrant, upsampled x2
        (2, 3, 5, 4),  # an interior box: its edges clamp to the box, not to the neighbouring pixels
        (1, 0, 6, 8),  # non-square
    ],
)
def test_crop_resize_equals_interpolate_of_the_cropped_region(box: tuple[int, int, int, int]) -> None:
    top, left, h, w = box
    images = _images(2, 8, 8)
    params = _params(2, 8, 8, crop=[float(v) for v in box] * 2, flip=bytes([0, 1]))
    out = augment_views(images, params, 8, ZERO, ONE)
    region = _as_float(images)[:, :, top : top + h, left : left + w]
    expected = F.interpolate(region, size=(8, 8), mode="bilinear", align_corners=False)
    torch.testing.assert_close(out[0], expected[0], rtol=0, atol=1e-5)
    torch.testing.assert_close(out[1], torch.flip(expected[1], dims=[-1]), rtol=0, atol=1e-5)


def test_downscaling_crop_is_bilinear_without_antialias() -> None:
    images = _images(1, 8, 8)
    out = augment_views(images, _params(1, 8, 8), 4, ZERO, ONE)
    expected = F.interpolate(_as_float(images), size=(4, 4), mode="bilinear", align_corners=False, antialias=False)
    torch.testing.assert_close(out, expected, rtol=0, atol=1e-5)


def test_brightness_half_halves_pixels() -> None:
    images = _images(2, 5, 5)
    params = _params(2, 5, 5, jitter=[0.5, 1.0, 1.0, 0.0, 1.0, 1.0, 1.0, 0.0])
    assert params.any_jitter and not params.any_hue
    out = augment_views(images, params, 5, ZERO, ONE)
    ident = _as_float(images)
    torch.testing.assert_close(out[0], ident[0] * 0.5, rtol=0, atol=1e-6)
    torch.testing.assert_close(out[1], ident[1], rtol=0, atol=0)


def test_saturation_blends_with_grey() -> None:
    images = _images(1, 5, 5)
    out = augment_views(images, _params(1, 5, 5, jitter=[1.0, 1.0, 1.7, 0.0]), 5, ZERO, ONE)
    x = _as_float(images)
    torch.testing.assert_close(out, (1.7 * x - 0.7 * _luma(x)).clamp(0, 1), rtol=0, atol=1e-6)


def _brightness(x: torch.Tensor, f: float) -> torch.Tensor:
    return (x * f).clamp(0, 1)


def _contrast(x: torch.Tensor, f: float) -> torch.Tensor:
    m = _luma(x).mean()
    return (f * x + (1 - f) * m).clamp(0, 1)


def test_per_sample_order_brightness_contrast_vs_contrast_brightness() -> None:
    images = _images(1, 6, 6).expand(2, -1, -1, -1).contiguous()
    params = _params(2, 6, 6, jitter=[1.6, 0.4, 1.0, 0.0] * 2, jitter_order=bytes([0, 1, 2, 3, 1, 0, 3, 2]))
    out = augment_views(images, params, 6, ZERO, ONE)
    x = _as_float(images[:1])
    first_brightness = _contrast(_brightness(x, 1.6), 0.4)
    first_contrast = _brightness(_contrast(x, 0.4), 1.6)
    assert not torch.allclose(first_brightness, first_contrast, atol=1e-3)  # the order matters here
    torch.testing.assert_close(out[0:1], first_brightness, rtol=0, atol=1e-6)
    torch.testing.assert_close(out[1:2], first_contrast, rtol=0, atol=1e-6)


def test_hue_shift_zero_is_identity_and_third_turns_red_green() -> None:
    red = torch.zeros(2, 4, 4, 3, dtype=torch.uint8)
    red[..., 0] = 255
    params = _params(2, 4, 4, jitter=[1.0, 1.0, 1.0, 1.0 / 3.0, 1.0, 1.0, 1.0, 0.0])
    assert params.any_hue
    out = augment_views(red, params, 4, ZERO, ONE)
    green = torch.zeros(3, 4, 4)
    green[1] = 1
    torch.testing.assert_close(out[0], green, rtol=0, atol=1e-6)
    torch.testing.assert_close(out[1], _as_float(red)[1], rtol=0, atol=1e-6)

    images = _images(2, 5, 5, seed=3)  # hue 0 through the HSV round trip (sample 0 forces the hue stage)
    params = _params(2, 5, 5, jitter=[1.0, 1.0, 1.0, 0.2, 1.0, 1.0, 1.0, 0.0])
    out = augment_views(images, params, 5, ZERO, ONE)
    torch.testing.assert_close(out[1], _as_float(images)[1], rtol=0, atol=1e-6)


def test_hue_matches_colorsys() -> None:
    images = _images(1, 4, 4, seed=5)
    shift = -0.23
    out = augment_views(images, _params(1, 4, 4, jitter=[1.0, 1.0, 1.0, shift]), 4, ZERO, ONE)
    x = _as_float(images)[0]
    expected = torch.empty_like(x)
    for i in range(4):
        for j in range(4):
            h, s, v = colorsys.rgb_to_hsv(*x[:, i, j].tolist())
            expected[:, i, j] = torch.tensor(colorsys.hsv_to_rgb((h + shift) % 1.0, s, v))
    torch.testing.assert_close(out[0], expected, rtol=0, atol=1e-5)


def test_grayscale_makes_channels_equal_luma() -> None:
    images = _images(2, 5, 5)
    params = _params(2, 5, 5, grayscale=bytes([1, 0]))
    assert params.any_grayscale
    out = augment_views(images, params, 5, ZERO, ONE)
    x = _as_float(images)
    torch.testing.assert_close(out[0], _luma(x[:1])[0].expand(3, -1, -1), rtol=0, atol=1e-6)
    torch.testing.assert_close(out[1], x[1], rtol=0, atol=0)


def _reference_blur(x: torch.Tensor, sigma: float, k: int) -> torch.Tensor:
    t = torch.arange(k, dtype=torch.float64) - (k - 1) / 2
    g = torch.exp(-0.5 * (t / sigma) ** 2)
    g = g / g.sum()
    kernel = (g[:, None] * g[None, :]).to(torch.float32)  # torchvision's 2-D kernel
    xp = F.pad(x, (k // 2,) * 4, mode="reflect")
    return F.conv2d(xp, kernel.expand(3, 1, k, k), groups=3)


def test_blur_matches_torchvision_kernel_keeps_constants_and_sigma_zero_is_identity() -> None:
    images = _images(3, 9, 9)
    images[2] = 77  # constant image
    params = _params(3, 9, 9, blur_sigma=[1.3, 0.0, 2.0], blur_kernel_size=5)
    assert params.any_blur
    out = augment_views(images, params, 9, ZERO, ONE)
    x = _as_float(images)
    torch.testing.assert_close(out[0:1], _reference_blur(x[0:1], 1.3, 5), rtol=0, atol=1e-5)
    torch.testing.assert_close(out[1], x[1], rtol=0, atol=1e-6)
    torch.testing.assert_close(out[2], torch.full((3, 9, 9), 77 / 255), rtol=0, atol=1e-6)
    assert not torch.allclose(out[0], x[0], atol=1e-3)


def test_batch_equals_samples_processed_alone() -> None:
    n, h, w, s = 4, 10, 12, 6
    rng = np.random.default_rng(0)
    crop = []
    for _ in range(n):
        ch, cw = int(rng.integers(3, h + 1)), int(rng.integers(3, w + 1))
        crop += [float(rng.integers(0, h - ch + 1)), float(rng.integers(0, w - cw + 1)), float(ch), float(cw)]
    fields = {
        "crop": crop,
        "flip": bytes([1, 0, 1, 0]),
        "jitter": rng.uniform([0.6, 0.6, 0.6, -0.1], [1.4, 1.4, 1.4, 0.1], size=(n, 4)).ravel().tolist(),
        "jitter_order": bytes(np.concatenate([rng.permutation(4) for _ in range(n)]).astype(np.uint8).tolist()),
        "grayscale": bytes([0, 1, 0, 0]),
        "blur_sigma": [0.0, 0.7, 1.5, 0.0],
        "blur_kernel_size": 3,
    }
    images = _images(n, h, w, seed=7)
    mean, std = torch.tensor([0.5, 0.4, 0.3]), torch.tensor([0.2, 0.3, 0.25])
    batch = augment_views(images, _params(n, h, w, **fields), s, mean, std)
    for i in range(n):
        one = {
            "crop": crop[4 * i : 4 * i + 4],
            "flip": fields["flip"][i : i + 1],
            "jitter": fields["jitter"][4 * i : 4 * i + 4],
            "jitter_order": fields["jitter_order"][4 * i : 4 * i + 4],
            "grayscale": fields["grayscale"][i : i + 1],
            "blur_sigma": fields["blur_sigma"][i : i + 1],
            "blur_kernel_size": 3,
        }
        alone = augment_views(images[i : i + 1], _params(1, h, w, **one), s, mean, std)
        torch.testing.assert_close(batch[i : i + 1], alone, rtol=0, atol=1e-5)
    # ViewParams built without the precomputed hue rows take the whole-batch `where` path: same pixels
    without_rows = dataclasses.replace(_params(n, h, w, **fields), hue_rows=())
    torch.testing.assert_close(augment_views(images, without_rows, s, mean, std), batch, rtol=0, atol=1e-6)


# ---------------------------------------------------------------------------------------------------------
# ViewParams.from_proto validation


def test_from_proto_shapes_dtypes_and_flags() -> None:
    p = _params(2, 8, 8, flip=bytes([1, 0]), jitter_order=bytes([3, 2, 1, 0, 0, 1, 2, 3]), blur_sigma=[0.0, 0.5])
    assert p.crop.shape == (2, 4) and p.crop.dtype == torch.float32
    assert p.flip.dtype == torch.bool and p.flip.tolist() == [True, False]
    assert p.jitter.shape == (2, 4) and p.jitter.dtype == torch.float32
    assert p.jitter_order.dtype == torch.int64 and p.jitter_order[0].tolist() == [3, 2, 1, 0]
    assert p.grayscale.dtype == torch.bool and p.blur_sigma.dtype == torch.float32
    assert p.any_blur and not p.any_jitter and not p.any_grayscale and p.blur_kernel_size == 3
    assert [r.tolist() for r in p.hue_rows] == [[], [], [], []]


def test_from_proto_hue_rows_list_nonzero_shifts_by_position() -> None:
    p = _params(
        3,
        8,
        8,
        jitter=[1.0, 1.0, 1.0, 0.1, 1.0, 1.0, 1.0, 0.0, 1.0, 1.0, 1.0, -0.2],
        jitter_order=bytes([3, 0, 1, 2, 0, 3, 1, 2, 2, 1, 0, 3]),
    )
    assert p.any_hue and p.any_jitter
    assert [r.tolist() for r in p.hue_rows] == [[0], [], [], [2]]  # sample 1's shift is 0: skipped
    assert all(r.dtype == torch.int64 for r in p.hue_rows)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"crop": [0.0, 0.0, 8.0, 8.0] * 3}, r"^crop has 12 values; expected 4·N = 16"),
        ({"flip": bytes(3)}, r"^flip has 3 bytes; expected N = 4"),
        ({"jitter": [1.0] * 15}, r"^jitter has 15 values; expected 4·N = 16"),
        ({"jitter_order": bytes(8)}, r"^jitter_order has 8 bytes; expected 4·N = 16"),
        ({"grayscale": bytes(5)}, r"^grayscale has 5 bytes; expected N = 4"),
        ({"blur_sigma": [0.0]}, r"^blur_sigma has 1 values; expected N = 4"),
        ({"jitter_order": bytes([0, 1, 2, 3] * 3 + [0, 1, 1, 3])}, r"^jitter_order of sample 3 .*permutation"),
        ({"crop": [0.0, 0.0, 8.0, 8.0] * 3 + [0.0, 0.0, 0.0, 8.0]}, r"^crop of sample 3 .*> 0"),
        ({"flip": bytes([0, 2, 0, 0])}, r"^flip\[1\] is 2; expected 0 or 1"),
        ({"jitter": [1.0, 1.0, -1.0, 0.0] + [1.0, 1.0, 1.0, 0.0] * 3}, r"^jitter of sample 0 .*>= 0"),
        ({"blur_sigma": [0.0, -1.0, 0.0, 0.0]}, r"^blur_sigma of sample 1"),
        ({"blur_sigma": [1.0, 0.0, 0.0, 0.0], "blur_kernel_size": 4}, r"^blur_kernel_size is 4; expected an odd"),
        ({"blur_sigma": [1.0, 0.0, 0.0, 0.0], "blur_kernel_size": 0}, r"^blur_kernel_size is 0"),
        ({"crop": [float("nan")] + [0.0, 8.0, 8.0] + [0.0, 0.0, 8.0, 8.0] * 3}, r"^crop\[0\] is nan"),
    ],
)
def test_from_proto_rejects_bad_fields(fields: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        _params(4, 8, 8, **fields)


def test_even_kernel_is_fine_without_blur() -> None:
    assert not _params(2, 8, 8, blur_kernel_size=0).any_blur


def test_augment_views_rejects_mismatched_inputs() -> None:
    with pytest.raises(ValueError, match="plan is for 2 samples but the batch holds 3"):
        augment_views(_images(3, 4, 4), _params(2, 4, 4), 4, ZERO, ONE)
    with pytest.raises(ValueError, match="uint8"):
        augment_views(_images(2, 4, 4).float(), _params(2, 4, 4), 4, ZERO, ONE)
    with pytest.raises(ValueError, match="blur_kernel_size is 9"):
        augment_views(_images(1, 4, 4), _params(1, 4, 4, blur_sigma=[1.0], blur_kernel_size=9), 4, ZERO, ONE)
