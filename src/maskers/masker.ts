import type { ErrorIssue } from "../errors.js";
import { Rng } from "../random/rng.js";
import type { CellMask, CellMaskOptions, MaskFill, MaskShape, Pairing } from "../masks/cell-mask.js";
import type { UnmixMixture } from "../masks/unmix-mixture.js";

/**
 * - none: the framework alone (the baseline)
 * - mixmask: dropped cells filled from a partner image, loss weighted by λ and 1 − λ (Vishniakov et al. 2024)
 * - unmix: Un-Mix's global blend or CutMix box, weighted by λ_u and 1 − λ_u (Shen et al. 2022)
 * - both: MixMask (random-permutation partners) + Un-Mix, the release's "MixMask + Un-Mix"
 * - erase: the MSCN-style baseline: dropped cells erased (zeros, the dataset mean or noise), one extra term
 */
export type MaskerName = "none" | "mixmask" | "unmix" | "both" | "erase";

export interface MaskerOptions {
  masker: MaskerName;
  maskShape: MaskShape;
  /** g, cells per side of the mask. */
  maskGrid: number;
  /** Fraction of cells kept from the original image at this step, in (0, 1). */
  keepRatio: number;
  /** One mask per sample instead of one per batch (mixmask, both, erase). */
  maskPerSample: boolean;
  /** MixMask partners; "auto": reversal for mixmask (the release), a random permutation for both (the release). */
  mixPartner: Pairing | "auto";
  eraseFill: "zero" | "mean" | "noise";
  /** Un-Mix: λ ~ Beta(α, α), and the probability of a CutMix box instead of a global blend. */
  unmixAlpha: number;
  unmixCutmixProbability: number;
  /** Partners stay inside each of this many rank shards of the batch (distributed runs: the ranks). Default 1. */
  pairingShards?: number;
}

/**
 * One query-side image of a step and how much of the base term it carries: the plain view (weight 1), or what a
 * masker made of it — MixMask's mix (λ) and its complement (1 − λ), an erased view, Un-Mix's mixture (λ_u, 1 − λ_u).
 * src/frameworks/compose-terms.ts turns each piece into a loss term of the framework's kind.
 */
export interface QueryPiece {
  /** Which image of the query view: "view", "masked", "complement" or "unmix". */
  image: "view" | "masked" | "complement" | "unmix";
  weight: number;
  /** N: read the anchors as a[order] (the complementary term of a shared mask). */
  order?: Uint32Array;
  /** N: per-sample weights (per-sample masks carry their own λ_i). */
  sampleWeights?: Float32Array;
}

/** One step's masks and the query pieces they give the loss (src/frameworks/compose-terms.ts). */
export interface StepMasks {
  mask?: CellMask;
  unmix?: UnmixMixture;
  /** The plain view first (weight 1), then what the masker adds. */
  pieces: QueryPiece[];
}

/** Random streams of one step: each concern its own, so adding Un-Mix does not change the MixMask masks. */
export interface MaskStreams {
  mask: Rng;
  pairing: Rng;
  unmix: Rng;
}

/** The step's mask, pairing and Un-Mix streams, keyed by (seed, step) as StepPlanner.RNG_STREAMS lists them. */
export function maskStreams(seed: number, step: number): MaskStreams {
  return {
    mask: Rng.stream(seed, "mask", step),
    pairing: Rng.stream(seed, "pairing", step),
    unmix: Rng.stream(seed, "unmix", step),
  };
}

/** The cell-mask primitive's options from a masker's: what fills the dropped cells, and how partners pair. */
export function cellMaskOptions(options: MaskerOptions, fill: MaskFill, pairing: Pairing): CellMaskOptions {
  return {
    shape: options.maskShape,
    grid: options.maskGrid,
    keepRatio: options.keepRatio,
    perSample: options.maskPerSample,
    fill,
    pairing,
    shards: options.pairingShards ?? 1,
  };
}

/**
 * A masker as the SDK composes it with any framework (docs/METHODS.md#maskers): what it does to the query view of a
 * step and which weighted query pieces it adds to the loss. One file per masker under src/maskers/, registered by
 * its option name in src/maskers/maskers.ts.
 */
export interface Masker {
  readonly name: MaskerName;
  /** How logs and reports append it to the framework's title, e.g. " + MixMask" ("" for none). */
  readonly title: string;
  /** Paper the pieces follow. */
  readonly source: string;
  /** The query pieces it adds after the plain view's, as a formula. */
  readonly lossPieces: string;
  /** Whether it draws a g×g cell mask (maskShape, maskGrid, keepRatio, maskPerSample apply). */
  readonly usesCells: boolean;
  /** Whether it draws Un-Mix mixtures (unmixAlpha, unmixCutmixProbability apply). */
  readonly usesUnmix: boolean;
  /**
   * The step's masks and pieces, from options that src/maskers/maskers.ts#maskerIssues accepted (not checked
   * again per step). `pieces` starts with the plain view.
   */
  plan(streams: MaskStreams, batchSize: number, imageSize: number, options: MaskerOptions): StepMasks;
}

export type { ErrorIssue };
