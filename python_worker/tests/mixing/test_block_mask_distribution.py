"""The SDK's TypeScript block-mask generator against an independent Python reference of BEiT's block-mask generator (Bao et al. 2022, Algorithm 1; docs/METHODS.md, Maskers).

The reference below is written from the algorithm's description (BEiT's MaskingGenerator, as the MixMask release
calls it) with Python's ``random``; the TypeScript generator is run through test/fixtures/block-mask-draws.ts. Over
10,000 draws per grid, the two must give the same distribution of kept cells and the same per-cell frequencies.
"""

from __future__ import annotations

import json
import math
import random

import numpy as np
import pytest
from ts_fixtures import run_ts_fixture

DRAWS = 10_000
RATIO = 0.5
# Measured between the TypeScript generator and this reference: TV ≤ 0.002, exact-share gap ≤ 0.002, per-cell gap
# ≤ 0.021 (g = 4, 8, 16). A reference with 2-cell minimum blocks differs by 0.010–0.060 in TV, 0.011–0.060 in the
# exact share: these bounds sit between the two.
MAX_TV = 0.02
MAX_EXACT_GAP = 0.01
MAX_CELL_GAP = 0.035


def reference_block_mask(
    rng: random.Random, g: int, ratio: float, min_cells: float = 4, aspect: float = 0.3
) -> np.ndarray:
    """BEiT's Algorithm 1: blocks of area ~ U(min, remaining), log-uniform aspect in [0.3, 1/0.3], h and w rounded, h < g and
    w < g, random top-left, accepted when they add 1..remaining new cells; 10 attempts; stop when none adds a cell."""
    target = math.floor(ratio * g * g)
    mask = np.zeros((g, g), dtype=np.int64)
    log_lo, log_hi = math.log(aspect), math.log(1 / aspect)
    count = 0
    while count < target:
        remaining = target - count
        delta = 0
        for _ in range(10):
            area = rng.uniform(min_cells, remaining)
            ar = math.exp(rng.uniform(log_lo, log_hi))
            h = int(round(math.sqrt(area * ar)))
            w = int(round(math.sqrt(area / ar)))
            if w < g and h < g:
                top = rng.randint(0, g - h)
                left = rng.randint(0, g - w)
                newly = h * w - int(mask[top : top + h, left : left + w].sum())
                if 0 < newly <= remaining:
                    mask[top : top + h, left : left + w] = 1
                    delta += newly
            if delta > 0:
                break
        if delta == 0:
            break
        count += delta
    return mask


@pytest.mark.parametrize("g", [4, 8, 16])
def test_typescript_block_masks_follow_the_reference_distribution(g: int) -> None:
    ours = json.loads(run_ts_fixture("block-mask-draws.ts", "0", str(g), str(DRAWS), str(RATIO)))
    ts_hist = np.asarray(ours["keptHistogram"], dtype=np.float64) / DRAWS  # [g² + 1]
    ts_cells = np.asarray(ours["cellFrequency"], dtype=np.float64)  # [g²]

    rng = random.Random(1234 + g)
    ref_hist = np.zeros(g * g + 1)
    ref_cells = np.zeros(g * g)
    for _ in range(DRAWS):
        mask = reference_block_mask(rng, g, RATIO)
        ref_hist[int(mask.sum())] += 1
        ref_cells += mask.reshape(-1)
    ref_hist /= DRAWS
    ref_cells /= DRAWS

    target = math.floor(RATIO * g * g)
    assert ts_hist[target + 1 :].sum() == 0  # never more than the target
    total_variation = 0.5 * np.abs(ts_hist - ref_hist).sum()
    assert total_variation < MAX_TV, f"kept-cell distributions differ: TV = {total_variation:.4f}"
    assert abs(ts_hist[target] - ref_hist[target]) < MAX_EXACT_GAP  # share of draws that reach the target exactly
    counts = np.arange(g * g + 1)
    assert abs(ts_hist @ counts - ref_hist @ counts) / (g * g) < 0.005  # mean kept fraction
    # Blocks favour no side but are drawn less often over the border cells: the spatial profile must match too.
    assert np.abs(ts_cells - ref_cells).max() < MAX_CELL_GAP, (
        f"per-cell frequencies differ by {np.abs(ts_cells - ref_cells).max():.4f}"
    )


def test_the_comparison_detects_a_drifted_generator() -> None:
    """The bounds notice a real change: a reference with blocks of at least 2 cells instead of 4 fails them at g = 8."""
    g = 8
    rng_a, rng_b = random.Random(1), random.Random(2)
    hist_a, hist_b = np.zeros(g * g + 1), np.zeros(g * g + 1)
    cells_a, cells_b = np.zeros(g * g), np.zeros(g * g)
    for _ in range(DRAWS):
        a, b = reference_block_mask(rng_a, g, RATIO), reference_block_mask(rng_b, g, RATIO, min_cells=2)
        hist_a[int(a.sum())] += 1
        hist_b[int(b.sum())] += 1
        cells_a += a.reshape(-1)
        cells_b += b.reshape(-1)
    tv = 0.5 * np.abs(hist_a - hist_b).sum() / DRAWS
    exact_gap = abs(hist_a[32] - hist_b[32]) / DRAWS
    cell_gap = np.abs(cells_a - cells_b).max() / DRAWS
    assert tv >= MAX_TV or exact_gap >= MAX_EXACT_GAP or cell_gap >= MAX_CELL_GAP
