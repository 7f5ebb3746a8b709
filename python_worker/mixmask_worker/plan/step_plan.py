"""The step plan as the worker uses it once it is validated (plan/validation.py): frozen host arrays, named as in
TypeScript (src/frameworks/loss-term.ts: BranchRef, LossTerm; the masker's CellMask and UnmixMixture).

Every guarantee validation gives is a type here, so the step needs no ``assert x is not None``: each input a branch
encodes comes as one InputRecipe (training/inputs.py builds it with mixing/), holding exactly the arrays it needs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Union

import numpy as np

from mixmask_worker.augment.view_params import ViewParams

BranchRef = tuple[int, int]  # (Input, Encoder)


@dataclass(frozen=True)
class CellMask:
    grid: int  # g
    cells: np.ndarray  # [B, g, g] uint8, B = 1 (one mask for the batch) or N; 1 = keep the original image
    fill: int  # MaskFill
    partner: Optional[np.ndarray]  # [N] int64 permutation (PARTNER fill), else None
    kept: np.ndarray  # [B] float64 λ, the pixel fraction kept from the original
    noise_seed: int

    @property
    def partner_inverse(self) -> Optional[np.ndarray]:
        return None if self.partner is None else np.argsort(self.partner)


@dataclass(frozen=True)
class UnmixMixture:
    cutmix: bool
    lam: float
    box: tuple[int, int, int, int]  # top, left, height, width (cutmix only)
    partner: np.ndarray  # [N] int64


@dataclass(frozen=True)
class LossTerm:
    kind: int
    anchor: BranchRef
    positive: BranchRef
    anchor_order: Optional[np.ndarray]  # [N] int64, or None for the identity
    weight: float
    temperature: float
    sample_weights: Optional[np.ndarray]  # [N] float32, or None for a plain mean


@dataclass(frozen=True)
class ValidatedPlan:
    """A StepPlan that passed validation, as host arrays."""

    step: int
    indices: np.ndarray  # [N] int64 dataset indices
    views: tuple[ViewParams, ViewParams]
    mask: Optional[CellMask]
    unmix: Optional[UnmixMixture]
    terms: tuple[LossTerm, ...]
    lr: float
    key_momentum: float
    key_shuffle: Optional[np.ndarray]  # [N] int64 permutation, or None
    enqueue_term: int
    recipes: dict[int, InputRecipe]  # Input -> how to build it, for every input some branch reads

    @property
    def batch_size(self) -> int:
        return int(self.indices.shape[0])

    def branches(self) -> list[BranchRef]:
        """Branches some term reads, each once, in first-use order: only these are computed."""
        used: dict[BranchRef, None] = {}
        for term in self.terms:
            used[term.anchor] = None
            used[term.positive] = None
        return list(used)

    def inputs(self) -> list[int]:
        """Inputs some branch encodes, each once, in Input order."""
        return sorted({branch[0] for branch in self.branches()})


@dataclass(frozen=True)
class ViewInput:
    """VIEW_v: the augmented view v."""

    view: int


@dataclass(frozen=True)
class MixedInput:
    """MASKED_v with a PARTNER fill (MixMask): ``M ⊙ x + (1 − M) ⊙ x[partner]``."""

    view: int
    mask: CellMask
    partner: np.ndarray  # [N] int64 permutation


@dataclass(frozen=True)
class ComplementInput:
    """COMPLEMENT_v (MixMask): ``(1 − M) ⊙ x + M ⊙ x[partner⁻¹]``."""

    view: int
    mask: CellMask
    partner_inverse: np.ndarray  # [N] int64 permutation


@dataclass(frozen=True)
class ErasedInput:
    """MASKED_v with a ZERO, MEAN or NOISE fill (the MSCN-style erase baseline)."""

    view: int
    mask: CellMask
    fill: int  # MaskFill
    noise_seed: int  # noise_seed + v seeds view v's noise


@dataclass(frozen=True)
class UnmixInput:
    """UNMIX_v: Un-Mix's blend or CutMix box of view v with its partner."""

    view: int
    mixture: UnmixMixture


InputRecipe = Union[ViewInput, MixedInput, ComplementInput, ErasedInput, UnmixInput]
