"""MixMask mixing: exact integer nearest-neighbour map, λ, and the complementary-mix shortcut."""

from __future__ import annotations

import pytest
import torch

from mixmask_worker.mixing.masks import cell_index, kept_fraction, upsample_mask
from mixmask_worker.mixing.mixmask import mix_images


def _random_cells(g: int, seed: int = 0) -> torch.Tensor:
    return (torch.rand(g, g, generator=torch.Generator().manual_seed(seed)) > 0.5).to(torch.uint8)


def test_cell_index_is_floor_i_g_over_s_at_g8_s28() -> None:
    idx = cell_index(28, 8, "cpu")
    assert idx.dtype == torch.int64
    assert idx.tolist() == [(i * 8) // 28 for i in range(28)]
    assert idx.tolist() == [0, 0, 0, 0, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 6, 6, 6, 6, 7, 7, 7]


def test_upsample_mask_is_the_brute_force_map() -> None:
    g, s = 8, 28
    cells = _random_cells(g)
    m = upsample_mask(cells, s)
    assert m.dtype == torch.float32 and m.shape == (s, s)
    expected = torch.tensor([[float(cells[(i * g) // s, (j * g) // s]) for j in range(s)] for i in range(s)])
    assert torch.equal(m, expected)


@pytest.mark.parametrize(("g", "s"), [(8, 28), (4, 32), (7, 32), (8, 224)])
def test_kept_fraction_is_the_exact_pixel_fraction(g: int, s: int) -> None:
    cells = _random_cells(g, seed=g + s)
    brute = sum(int(cells[(i * g) // s, (j * g) // s]) for i in range(s) for j in range(s)) / (s * s)
    assert kept_fraction(cells, s) == pytest.approx(brute, abs=1e-12)


def test_kept_fraction_differs_from_the_cell_fraction_when_s_is_not_a_multiple() -> None:
    cells = torch.zeros(8, 8, dtype=torch.uint8)
    cells[0] = 1  # first cell row covers 4 of 28 pixel rows, not 28/8 = 3.5
    assert kept_fraction(cells, 28) == pytest.approx(4 / 28)


def test_mix_images_formula() -> None:
    torch.manual_seed(0)
    x = torch.randn(4, 3, 8, 8)
    m = upsample_mask(_random_cells(4), 8)
    partner = torch.tensor([2, 3, 0, 1])
    out = mix_images(x, m, partner)
    for i in range(4):
        torch.testing.assert_close(out[i], m * x[i] + (1 - m) * x[int(partner[i])])


def test_reversal_complement_is_the_mix_reordered() -> None:
    torch.manual_seed(1)
    n = 6
    x = torch.randn(n, 3, 28, 28)
    m = upsample_mask(_random_cells(8, seed=2), 28)
    rev = torch.arange(n - 1, -1, -1)  # an involution
    complementary = (1 - m) * x + m * x[rev]
    torch.testing.assert_close(mix_images(x, m, rev)[rev], complementary)


def test_permutation_complement_is_the_mix_reordered_by_argsort() -> None:
    torch.manual_seed(2)
    n = 7
    x = torch.randn(n, 3, 12, 12)
    m = upsample_mask(_random_cells(4, seed=3), 12)
    p = torch.randperm(n)
    inv = torch.argsort(p)
    mixed = mix_images(x, m, p)
    # Sample i keeps its own (1 − M) part; its M part comes from the image whose partner is i, i.e. x[inv[i]].
    complementary = (1 - m) * x + m * x[inv]
    torch.testing.assert_close(mixed[inv], complementary)
    assert not torch.allclose(mixed[p], complementary)  # the shortcut needs the inverse, not p itself


def test_validation() -> None:
    with pytest.raises(ValueError, match="grid"):
        cell_index(4, 8, "cpu")
    with pytest.raises(ValueError, match="square"):
        upsample_mask(torch.ones(2, 3), 8)
    with pytest.raises(ValueError, match=r"expected \[8, 8\]"):
        mix_images(torch.zeros(2, 3, 8, 8), torch.ones(4, 4), torch.tensor([1, 0]))
    with pytest.raises(ValueError, match="partner"):
        mix_images(torch.zeros(2, 3, 8, 8), torch.ones(8, 8), torch.tensor([1, 0, 2]))


def test_per_sample_masks_mix_each_image_with_its_own_mask() -> None:
    from mixmask_worker.mixing.mixmask import complement_images

    x = torch.randn(3, 2, 8, 8)
    cells = torch.stack([_random_cells(4, seed=s) for s in range(3)])  # [N, g, g]
    m = upsample_mask(cells, 8)  # [N, S, S]
    partner = torch.tensor([2, 0, 1])
    mixed = mix_images(x, m, partner)
    for i in range(3):
        torch.testing.assert_close(mixed[i], m[i] * x[i] + (1 - m[i]) * x[partner[i]])
    inverse = torch.argsort(partner)
    comp = complement_images(x, m, inverse)
    for i in range(3):
        torch.testing.assert_close(comp[i], (1 - m[i]) * x[i] + m[i] * x[inverse[i]])
    assert kept_fraction(cells, 8).shape == (3,)


def test_erase_fills_the_dropped_pixels() -> None:
    from mixmask_worker.mixing.erase import erase_images

    x = torch.randn(2, 3, 8, 8)
    m = upsample_mask(_random_cells(4, seed=5), 8)
    fill = torch.tensor([1.0, 2.0, 3.0]).view(1, 3, 1, 1)
    out = erase_images(x, m, fill)
    kept = m.bool()
    assert torch.equal(out[:, :, kept], x[:, :, kept])
    assert torch.equal(out[:, 1][:, ~kept], torch.full_like(out[:, 1][:, ~kept], 2.0))


def test_unmix_blend_and_cutmix_box() -> None:
    from mixmask_worker.mixing.unmix import blend_images, cutmix_images

    x = torch.randn(4, 3, 8, 8)
    rev = torch.tensor([3, 2, 1, 0])
    torch.testing.assert_close(blend_images(x, 0.25, rev), 0.25 * x + 0.75 * x[rev])
    out = cutmix_images(x, (1, 2, 3, 4), rev)
    assert torch.equal(out[:, :, 1:4, 2:6], x[rev][:, :, 1:4, 2:6])
    outside = torch.ones(8, 8, dtype=torch.bool)
    outside[1:4, 2:6] = False
    assert torch.equal(out[:, :, outside], x[:, :, outside])
