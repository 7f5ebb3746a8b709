"""The mask rules a plan must obey, for each masker's plan part: MixMask's and the erase baselines' cell mask
(``plan.mask``) and Un-Mix's mixture (``plan.unmix``). Each problem is added to the plan's issues; a part with none
becomes its frozen form (plan/step_plan.py).
"""

from __future__ import annotations

from typing import Optional

import numpy as np
import torch

from mixmask_worker.generated.mixmask.v1 import worker_pb2
from mixmask_worker.mixing.masks import kept_fraction
from mixmask_worker.plan.checks import _check_index_list, _enum_name, _index_array, _is_permutation, _Issues
from mixmask_worker.plan.step_plan import CellMask, UnmixMixture

FILLS = (worker_pb2.PARTNER, worker_pb2.ZERO, worker_pb2.MEAN, worker_pb2.NOISE)
# λ in a plan must match the one computed here from the cells; both sides use the exact map in float64.
KEPT_FRACTION_TOLERANCE = 1e-6


def _validate_mask(issues: _Issues, mask: worker_pb2.MaskPlan, n: int, image_size: int) -> Optional[CellMask]:
    grid = int(mask.grid)
    ok = True
    if grid < 1 or grid > image_size:
        issues.add("plan.mask.grid", f"a grid size g in 1..{image_size} (the run's image_size)", grid)
        return None
    cells = np.frombuffer(mask.cells, dtype=np.uint8)
    per_mask = grid * grid
    if cells.shape[0] not in (per_mask, n * per_mask):
        expected = f"g*g = {per_mask} bytes (one mask for the batch) or N*g*g = {n * per_mask} (one per sample)"
        issues.add("plan.mask.cells", expected, f"{cells.shape[0]} bytes")
        return None
    if cells.size and cells.max() > 1:
        position = int(np.nonzero(cells > 1)[0][0])
        issues.add(f"plan.mask.cells[{position}]", "0 (drop) or 1 (keep the original)", int(cells[position]))
        ok = False
    fill = int(mask.fill)
    if fill not in FILLS:
        issues.add("plan.mask.fill", "PARTNER, ZERO, MEAN or NOISE", _enum_name(worker_pb2.MaskFill, fill))
        ok = False
    partner: Optional[np.ndarray] = None
    if fill == worker_pb2.PARTNER:
        partner = _index_array(mask.partner)
        if not _is_permutation(partner, n):
            issues.add(
                "plan.mask.partner",
                f"a permutation of 0..{n - 1} (PARTNER fill: each image fills exactly one other)",
                f"{partner.shape[0]} entries starting {partner[:8].tolist()}",
            )
            ok = False
    elif len(mask.partner) > 0:
        issues.add(
            "plan.mask.partner", "no partners for an erase fill (ZERO, MEAN, NOISE)", f"{len(mask.partner)} entries"
        )
        ok = False
    grids = cells.reshape(-1, grid, grid).copy()  # writable: torch refuses to wrap read-only buffers
    exact = kept_fraction(torch.from_numpy(grids), image_size).numpy()  # [B] float64
    planned = np.asarray(mask.kept_fraction, dtype=np.float64)
    if planned.shape != exact.shape:
        issues.add("plan.mask.kept_fraction", f"{exact.shape[0]} value(s), one per mask", f"{planned.shape[0]} values")
        ok = False
    else:
        off = np.nonzero(~(np.abs(planned - exact) <= KEPT_FRACTION_TOLERANCE))[0]
        if off.size:
            i = int(off[0])
            issues.add(
                f"plan.mask.kept_fraction[{i}]",
                f"{exact[i]:.9f}, the pixel fraction the cells keep at S = {image_size} (exact nearest-neighbour map)",
                f"{planned[i]:.9f}",
            )
            ok = False
    if not ok:
        return None
    return CellMask(grid=grid, cells=grids, fill=fill, partner=partner, kept=exact, noise_seed=int(mask.noise_seed))


def _validate_unmix(issues: _Issues, unmix: worker_pb2.UnmixPlan, n: int, image_size: int) -> Optional[UnmixMixture]:
    ok = True
    lam = float(getattr(unmix, "lambda"))
    if not (0.0 <= lam <= 1.0):
        issues.add("plan.unmix.lambda", "a mixing weight in [0, 1]", lam)
        ok = False
    partner = _index_array(unmix.partner)
    if partner.shape[0] != n:
        issues.add("plan.unmix.partner", f"N = {n} partner indices", f"{partner.shape[0]} entries")
        ok = False
    elif not _check_index_list(issues, "plan.unmix.partner", partner, n, f"a position in the batch of N = {n}"):
        ok = False
    box = (0, 0, 0, 0)
    if unmix.cutmix:
        values = [int(v) for v in unmix.box]
        if len(values) != 4:
            issues.add("plan.unmix.box", "4 values: top, left, height, width", f"{len(values)} values")
            ok = False
        else:
            top, left, height, width = values
            if top + height > image_size or left + width > image_size:
                issues.add("plan.unmix.box", f"a box inside the {image_size}x{image_size} view", values)
                ok = False
            elif ok and abs((1 - height * width / image_size**2) - lam) > KEPT_FRACTION_TOLERANCE:
                issues.add("plan.unmix.lambda", f"1 - box area / S^2 = {1 - height * width / image_size**2:.9f}", lam)
                ok = False
            box = (top, left, height, width)
    return UnmixMixture(cutmix=bool(unmix.cutmix), lam=lam, box=box, partner=partner) if ok else None
