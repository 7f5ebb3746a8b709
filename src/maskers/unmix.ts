import { planUnmix, type UnmixMixture } from "../masks/unmix-mixture.js";
import type { Masker, MaskerOptions, MaskStreams, QueryPiece } from "./masker.js";

/**
 * Un-Mix (Shen, Liu, Liu, Savvides, Darrell & Xing, "Un-Mix: Rethinking Image Mixtures for Unsupervised Visual
 * Representation Learning", AAAI 2022; docs/METHODS.md#un-mix): the batch mixed with itself reversed, by a global blend
 * or a CutMix box, λ_u ~ Beta(α, α), the loss weighing the mixture by λ_u and the reversed order by 1 − λ_u:
 *
 *     L = L_base(q, k) + λ_u·L_base(q_unmix, k) + (1 − λ_u)·L_base(q_unmix[rev⁻¹], k)
 */
export const unmix: Masker = {
  name: "unmix",
  title: " + Un-Mix",
  source: "Shen et al. 2022 (Un-Mix, AAAI)",
  lossPieces: "λ_u·L_base(unmix, view1) + (1 − λ_u)·L_base(unmix[rev⁻¹], view1)",
  usesCells: false,
  usesUnmix: true,
  plan: (streams, batchSize, imageSize, options) => {
    const { unmix: mixture, pieces } = planUnmixPieces(streams, batchSize, imageSize, options);
    return { unmix: mixture, pieces: [{ image: "view", weight: 1 }, ...pieces] };
  },
};

/** Un-Mix's mixture and its two pieces. */
export function planUnmixPieces(
  streams: MaskStreams,
  batchSize: number,
  imageSize: number,
  options: MaskerOptions,
): { unmix: UnmixMixture; pieces: QueryPiece[] } {
  const mixture = planUnmix(streams.unmix, batchSize, imageSize, {
    alpha: options.unmixAlpha,
    cutmixProbability: options.unmixCutmixProbability,
    shards: options.pairingShards ?? 1,
  });
  return {
    unmix: mixture,
    pieces: [
      { image: "unmix", weight: mixture.lambda },
      { image: "unmix", weight: 1 - mixture.lambda, order: mixture.partnerInverse },
    ],
  };
}
