import { drawBeta } from "../random/beta.js";
import type { Rng } from "../random/rng.js";
import { inversePermutation, pairWithinShards, reversePartner } from "./partner.js";

export interface UnmixOptions {
  /** λ ~ Beta(α, α); Un-Mix uses α = 1 (uniform). */
  alpha: number;
  /** Probability of the region-level mixture (a CutMix box) instead of the global blend; Un-Mix: 0.5. */
  cutmixProbability: number;
  /** The batch is reversed inside each of this many rank shards (distributed runs). Default 1. */
  shards?: number;
}

/** One step's Un-Mix mixture (proto UnmixPlan): the batch mixed with itself reversed. */
export interface UnmixMixture {
  cutmix: boolean;
  /** Blend weight of the original image, or for a box the fraction of pixels outside it. */
  lambda: number;
  /** CutMix: top, left, height, width in view pixels. */
  box?: [number, number, number, number];
  partner: Uint32Array;
  partnerInverse: Uint32Array;
}

/**
 * Un-Mix's image mixture (Shen et al. 2022, "Un-Mix: Rethinking Image Mixtures for Unsupervised Visual
 * Representation Learning"; docs/METHODS.md#loss): λ ~ Beta(α, α); with probability 1 − p a global blend
 * λ·x + (1 − λ)·x_rev, otherwise a box of side ⌊S·√(1 − λ)⌋ centred at a uniform pixel, clipped to the view, pasted
 * from x_rev, with λ reset to the kept area (Un-Mix's `rand_bbox`, CutMix, Yun et al. 2019).
 */
export function planUnmix(rng: Rng, batchSize: number, imageSize: number, options: UnmixOptions): UnmixMixture {
  const partner = pairWithinShards(batchSize, options.shards ?? 1, reversePartner);
  const partnerInverse = inversePermutation(partner);
  const lambda = drawBeta(rng, options.alpha, options.alpha);
  if (!rng.bernoulli(options.cutmixProbability)) return { cutmix: false, lambda, partner, partnerInverse };
  const side = Math.floor(imageSize * Math.sqrt(1 - lambda));
  const [top, bottom] = clippedSpan(rng.int(imageSize), side, imageSize);
  const [left, right] = clippedSpan(rng.int(imageSize), side, imageSize);
  const box: [number, number, number, number] = [top, left, bottom - top, right - left];
  return { cutmix: true, lambda: 1 - (box[2] * box[3]) / (imageSize * imageSize), box, partner, partnerInverse };
}

/** [centre − ⌊side/2⌋, centre + ⌊side/2⌋) clipped to [0, size], as Un-Mix's `rand_bbox`. */
function clippedSpan(centre: number, side: number, size: number): [number, number] {
  const half = Math.floor(side / 2);
  return [Math.min(Math.max(centre - half, 0), size), Math.min(Math.max(centre + half, 0), size)];
}
