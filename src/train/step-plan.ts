import type { ViewParams } from "../augment/view-params.js";
import type { LossTerm } from "../frameworks/loss-term.js";
import type { CellMask } from "../masks/cell-mask.js";
import type { UnmixMixture } from "../masks/unmix-mixture.js";

/** Everything the worker needs to execute one training step; drawn entirely in TypeScript. */
export interface StepPlan {
  /** Global step, 0-based. */
  step: number;
  /** Dataset indices of the batch (N). */
  indices: Uint32Array;
  /** View 0 and view 1 of every sample. */
  views: [ViewParams, ViewParams];
  /** The step's cell mask(s) (MixMask or the erase baseline); absent without a cell masker. */
  mask?: CellMask;
  /** The step's Un-Mix mixture; absent without Un-Mix. */
  unmix?: UnmixMixture;
  /** Loss = Σ weight · term. */
  terms: LossTerm[];
  /** Learning rate for this step. */
  lr: number;
  /** Momentum encoder's m (τ) for this step. */
  keyMomentum: number;
  /** Permutation of batches before the momentum encoder (shuffle-BN); empty without one. */
  keyShuffle: Uint32Array;
  /** Index of the term whose positives are enqueued after the step (MoCo). */
  enqueueTerm: number;
}
