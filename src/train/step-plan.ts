import type { ViewParams } from "../augment/view-params.js";
import type { LossTerm } from "../frameworks/loss-term.js";
import type { MixParams } from "../masking/mixmask.js";

/** Everything the worker needs to execute one training step; drawn entirely in TypeScript. */
export interface StepPlan {
  /** Global step, 0-based. */
  step: number;
  /** Dataset indices of the batch (N). */
  indices: Uint32Array;
  /** views[0] feeds the query encoder (and the mix), views[1] the key encoder. */
  views: [ViewParams, ViewParams];
  /** MixMask's mask, partner and λ; absent for the plain framework. */
  mix?: MixParams;
  /** Loss = Σ weight · term. */
  terms: LossTerm[];
  /** Learning rate for this step. */
  lr: number;
  /** Key-encoder momentum m for this step. */
  keyMomentum: number;
  /** Permutation of the key batch before the key encoder (shuffle-BN). */
  keyShuffle: Uint32Array;
  /** Index of the term whose keys are enqueued after the step. */
  enqueueTerm: number;
}
