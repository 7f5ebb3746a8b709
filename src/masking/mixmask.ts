import { MixmaskError } from "../errors.js";
import type { Rng } from "../random/rng.js";
import { drawBlockMask, type BlockMaskOptions } from "./block-mask.js";
import { keptPixelFraction } from "./kept-fraction.js";
import { inversePermutation, reversePartner } from "./partner.js";

/**
 * One training step's MixMask plan (proto MixPlan plus the inverse pairing the loss needs):
 * x_mix = M ⊙ x + (1 − M) ⊙ x[partner], M the g×g mask upsampled with cell(i) = floor(i·g / S).
 */
export interface MixParams {
  /** g, cells per side of the mask. */
  grid: number;
  /** g·g cells, row-major, 1 = keep the original image, 0 = fill from the partner. One mask for the whole batch. */
  mask: Uint8Array;
  /** N: partner[i] is the image that fills the masked cells of sample i (the reversed batch, as the release). */
  partner: Uint32Array;
  /** λ, the fraction of the S×S pixels kept from the original, from the exact upsampling map (in [0, 1]). */
  lambda: number;
  /** N: the inverse pairing, inverse[partner[i]] = i; the complementary loss term reads q_mix[partnerInverse]. */
  partnerInverse: Uint32Array;
}

/**
 * Plans one step's mix (METHOD.md §2–3): one block mask for the batch, the reversed-batch partner and λ.
 * Because the mask is shared and the pairing is a permutation, the complementary mix need not be computed: its
 * embeddings are the mixed embeddings reordered by `partnerInverse`.
 * @param rng the step's mask stream, e.g. `Rng.stream(seed, "mask", step)`.
 * @param batchSize N (integer ≥ 2).
 * @param imageSize S, the side of the mixed view in pixels.
 * @param options the block mask's grid and keep ratio.
 */
export function planMixMask(rng: Rng, batchSize: number, imageSize: number, options: BlockMaskOptions): MixParams {
  if (!(Number.isInteger(batchSize) && batchSize >= 2)) {
    throw new MixmaskError({ code: "INVALID_OPTION", path: "batchSize", message: "mixing needs at least two samples per batch", expected: "integer ≥ 2", received: String(batchSize) });
  }
  const mask = drawBlockMask(rng, options);
  const partner = reversePartner(batchSize);
  return { grid: options.grid, mask, partner, lambda: keptPixelFraction(mask, options.grid, imageSize), partnerInverse: inversePermutation(partner) };
}
