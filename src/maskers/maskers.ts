import { MixmaskError, type ErrorIssue } from "../errors.js";
import type { QueryPiece } from "../frameworks/compose-terms.js";
import type { Rng } from "../random/rng.js";
import { planCellMask, type CellMask, type MaskShape, type Pairing } from "../masks/cell-mask.js";
import { planUnmix, type UnmixMixture } from "../masks/unmix-mixture.js";

/**
 * - none: the framework alone (the baseline)
 * - mixmask: dropped cells filled from a partner image, loss weighted by λ and 1 − λ (Vishniakov et al. 2024)
 * - unmix: Un-Mix's global blend or CutMix box, weighted by λ_u and 1 − λ_u (Shen et al. 2022)
 * - both: MixMask (random-permutation partners) + Un-Mix, the release's "MixMask + Un-Mix"
 * - erase: the MSCN-style baseline: dropped cells erased (zeros, the dataset mean or noise), one extra term
 */
export type MaskerName = "none" | "mixmask" | "unmix" | "both" | "erase";
export const MASKERS: readonly MaskerName[] = ["none", "mixmask", "unmix", "both", "erase"];

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

const usesCells = (m: MaskerName): boolean => m === "mixmask" || m === "both" || m === "erase";

/**
 * Every problem with masker options for S×S views, as issues naming the option (empty when valid). Checked before
 * any work starts: a block mask needs g ≥ 3 and a keep ratio that targets between 1 and g² − 1 cells (g ≤ 2 almost
 * always gives an empty mask, METHOD.md §2); a discrete mask needs g ≥ 2; a cell cannot be smaller than a pixel.
 */
export function maskerIssues(options: MaskerOptions, imageSize: number, keepRatioOption = "keepRatio"): ErrorIssue[] {
  const issues: ErrorIssue[] = [];
  const { maskGrid: g, keepRatio } = options;
  if (usesCells(options.masker)) {
    const minGrid = options.maskShape === "block" ? 3 : 2;
    if (!(Number.isInteger(g) && g >= minGrid)) {
      issues.push({ path: "maskGrid", message: options.maskShape === "block" ? "a block mask needs g ≥ 3: blocks must be smaller than the grid and at least 4 cells, so g ≤ 2 gives empty masks" : "a discrete mask needs g ≥ 2: one cell is always entirely kept or dropped", expected: `integer ≥ ${minGrid} (the release uses 8 at 224 px)`, received: String(g) });
    } else if (g > imageSize) {
      issues.push({ path: "maskGrid", message: `a mask cell cannot be smaller than a pixel: g must be ≤ imageSize (${imageSize})`, expected: `integer in [${minGrid}, ${imageSize}]`, received: String(g) });
    }
    if (!(keepRatio > 0 && keepRatio < 1)) {
      issues.push({ path: keepRatioOption, message: "the fraction of cells kept from the original must be strictly between 0 and 1", expected: "number in (0, 1), e.g. 0.5", received: String(keepRatio) });
    } else if (options.maskShape === "block" && Number.isInteger(g) && g >= 3) {
      const target = Math.floor(keepRatio * g * g);
      if (target < 1 || target >= g * g) {
        issues.push({ path: keepRatioOption, message: `keeps floor(${keepRatio}·${g * g}) = ${target} of ${g * g} cells; a mask needs at least one kept and one dropped cell`, expected: `a ratio in [${(1 / (g * g)).toPrecision(3)}, ${((g * g - 1) / (g * g)).toPrecision(3)}) for g = ${g}`, received: String(keepRatio) });
      }
    }
  }
  if (options.masker === "unmix" || options.masker === "both") {
    if (!(options.unmixAlpha > 0 && Number.isFinite(options.unmixAlpha))) issues.push({ path: "unmixAlpha", message: "Beta(α, α) needs α > 0", expected: "finite number > 0 (Un-Mix: 1)", received: String(options.unmixAlpha) });
    if (!(options.unmixCutmixProbability >= 0 && options.unmixCutmixProbability <= 1)) issues.push({ path: "unmixCutmixProbability", message: "must be a probability", expected: "number in [0, 1] (Un-Mix: 0.5)", received: String(options.unmixCutmixProbability) });
  }
  if (options.maskPerSample && !usesCells(options.masker)) {
    issues.push({ path: "maskPerSample", message: `per-sample masks apply to the mixmask, both and erase maskers, not "${options.masker}"`, expected: "false, or a cell masker", received: "true" });
  }
  return issues;
}

/** Plans one step's masks and query pieces (METHOD.md §2–4). Throws INVALID_OPTION listing every problem. */
export function planStepMasks(streams: MaskStreams, batchSize: number, imageSize: number, options: MaskerOptions): StepMasks {
  const issues = maskerIssues(options, imageSize);
  if (issues.length > 0) {
    const first = issues[0]!;
    throw new MixmaskError({ code: "INVALID_OPTION", path: first.path, message: first.message, expected: first.expected, received: first.received, issues });
  }
  const pieces: QueryPiece[] = [{ image: "view", weight: 1 }];
  const result: StepMasks = { pieces };
  if (usesCells(options.masker)) {
    const erase = options.masker === "erase";
    const pairing: Pairing = options.mixPartner !== "auto" ? options.mixPartner : options.masker === "both" ? "permutation" : "reverse";
    const mask = planCellMask(streams.mask, streams.pairing, batchSize, imageSize, {
      shape: options.maskShape,
      grid: options.maskGrid,
      keepRatio: options.keepRatio,
      perSample: options.maskPerSample,
      fill: erase ? options.eraseFill : "partner",
      pairing,
      shards: options.pairingShards ?? 1,
    });
    result.mask = mask;
    if (erase) {
      // The erased view replaces nothing: it is one more query with the full weight, the same compute as MixMask.
      pieces.push({ image: "masked", weight: 1 });
    } else if (mask.perSample) {
      const kept = Float32Array.from(mask.keptFractions);
      pieces.push({ image: "masked", weight: 1, sampleWeights: kept }, { image: "complement", weight: 1, sampleWeights: kept.map((l) => 1 - l) });
    } else {
      const lambda = mask.keptFractions[0]!;
      pieces.push({ image: "masked", weight: lambda }, { image: "masked", weight: 1 - lambda, order: mask.partnerInverse! });
    }
  }
  if (options.masker === "unmix" || options.masker === "both") {
    const unmix = planUnmix(streams.unmix, batchSize, imageSize, { alpha: options.unmixAlpha, cutmixProbability: options.unmixCutmixProbability, shards: options.pairingShards ?? 1 });
    result.unmix = unmix;
    pieces.push({ image: "unmix", weight: unmix.lambda }, { image: "unmix", weight: 1 - unmix.lambda, order: unmix.partnerInverse });
  }
  return result;
}
