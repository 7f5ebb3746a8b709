import { MixmaskError } from "../errors.js";
import type { Rng } from "../random/rng.js";
import { drawBlockMask } from "./block-mask.js";
import { drawDiscreteMask } from "./discrete-mask.js";
import { keptPixelFraction } from "./kept-fraction.js";
import type { MaskShape } from "./mask-rules.js";
import { inversePermutation, pairWithinShards, randomPartner, reversePartner } from "./partner.js";

export type { MaskShape };

/** What fills the dropped cells: the partner image (MixMask), or the MSCN-style erase baselines. */
export type MaskFill = "partner" | "zero" | "mean" | "noise";
/** Partner of sample i: N−1−i ("reverse", the MixMask release) or a random permutation ("permutation"). */
export type Pairing = "reverse" | "permutation";

export interface CellMaskOptions {
  shape: MaskShape;
  /** g, cells per side. */
  grid: number;
  /** Fraction of cells kept from the original image, in (0, 1). */
  keepRatio: number;
  /** One mask per sample instead of one for the batch. */
  perSample: boolean;
  fill: MaskFill;
  /** Used with fill "partner". */
  pairing: Pairing;
  /** Partners are drawn inside each of this many rank shards (distributed runs, src/distributed/). Default 1. */
  shards?: number;
}

/** One step's g×g mask(s) (proto MaskPlan), with λ and the inverse pairing the loss needs. */
export interface CellMask {
  grid: number;
  /** g·g cells (one mask) or N·g·g (per sample), row-major, 1 = keep the original image. */
  cells: Uint8Array;
  perSample: boolean;
  fill: MaskFill;
  /** N, with fill "partner": the image that fills the dropped cells of sample i. */
  partner?: Uint32Array;
  /** N: inverse[partner[i]] = i, so q_mix[inverse] lines each key up with the mix holding the rest of its image. */
  partnerInverse?: Uint32Array;
  /** λ per mask (1 or N): the fraction of the S×S pixels kept from the original, from the exact upsampling map. */
  keptFractions: Float64Array;
  /** With fill "noise": the seed of the worker's Gaussian generator (drawn here, so the plan decides the noise). */
  noiseSeed: number;
}

/**
 * Draws one step's mask(s). With one mask per batch, λ is one number and the complementary images are the mixed
 * images reordered (docs/METHODS.md#mixing); with per-sample masks each sample has its own λ_i and the complement is built
 * explicitly by the worker.
 * @param maskRng the step's mask stream; @param pairingRng the step's pairing stream (used for "permutation").
 */
export function planCellMask(
  maskRng: Rng,
  pairingRng: Rng,
  batchSize: number,
  imageSize: number,
  options: CellMaskOptions,
): CellMask {
  if (!(Number.isInteger(batchSize) && batchSize >= 2)) {
    throw new MixmaskError({
      code: "INVALID_OPTION",
      path: "batchSize",
      message: "masking needs at least two samples per batch",
      expected: "integer ≥ 2",
      received: String(batchSize),
    });
  }
  const g = options.grid;
  const masks = options.perSample ? batchSize : 1;
  const cells = new Uint8Array(masks * g * g);
  const keptFractions = new Float64Array(masks);
  for (let m = 0; m < masks; m++) {
    const one =
      options.shape === "block"
        ? drawBlockMask(maskRng, { grid: g, keepRatio: options.keepRatio })
        : drawDiscreteMask(maskRng, { grid: g, keepRatio: options.keepRatio });
    cells.set(one, m * g * g);
    keptFractions[m] = keptPixelFraction(one, g, imageSize);
  }
  const mask: CellMask = {
    grid: g,
    cells,
    perSample: options.perSample,
    fill: options.fill,
    keptFractions,
    noiseSeed: 0,
  };
  if (options.fill === "partner") {
    const pair = (size: number): Uint32Array =>
      options.pairing === "reverse" ? reversePartner(size) : randomPartner(pairingRng, size);
    const partner = pairWithinShards(batchSize, options.shards ?? 1, pair);
    return { ...mask, partner, partnerInverse: inversePermutation(partner) };
  }
  return options.fill === "noise" ? { ...mask, noiseSeed: maskRng.int(4294967296) } : mask;
}
