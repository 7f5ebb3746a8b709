import type { Masker } from "./masker.js";
import { planMixMask } from "./mixmask.js";
import { planUnmixPieces } from "./unmix.js";

/**
 * MixMask + Un-Mix (the MixMask release's combined variant, Vishniakov, Xing & Shen 2024, BMVC;
 * docs/METHODS.md#mixmask-un-mix): MixMask's mask with random-permutation partners (the release) and Un-Mix's
 * mixture on the same query view, each with its own random stream, so the masks equal those of MixMask alone:
 *
 *     L = L_base(q, k) + λ·L_mix + (1 − λ)·L_mix[partner⁻¹] + λ_u·L_unmix + (1 − λ_u)·L_unmix[rev⁻¹]
 */
export const mixmaskUnmix: Masker = {
  name: "both",
  title: " + MixMask + Un-Mix",
  source: "Vishniakov, Xing & Shen 2024 (MixMask); Shen et al. 2022 (Un-Mix)",
  lossPieces: "MixMask's two pieces, then Un-Mix's two",
  usesCells: true,
  usesUnmix: true,
  plan: (streams, batchSize, imageSize, options) => {
    const mix = planMixMask(streams, batchSize, imageSize, options, "permutation");
    const un = planUnmixPieces(streams, batchSize, imageSize, options);
    return { mask: mix.mask, unmix: un.unmix, pieces: [{ image: "view", weight: 1 }, ...mix.pieces, ...un.pieces] };
  },
};
