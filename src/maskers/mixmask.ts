import { planCellMask, type CellMask, type Pairing } from "../masks/cell-mask.js";
import { cellMaskOptions, type Masker, type MaskerOptions, type MaskStreams, type QueryPiece } from "./masker.js";

/**
 * MixMask (Vishniakov, Xing & Shen, "MixMask: Revisiting Masking Strategy for Siamese ConvNets", BMVC 2024;
 * docs/METHODS.md#mixmask): the dropped cells of a block (or discrete) mask are filled from a partner image instead
 * of erased, and the loss weighs the mix by λ, the kept pixel fraction, and its complement by 1 − λ:
 *
 *     L = L_base(q, k) + λ·L_base(q_mix, k) + (1 − λ)·L_base(q_mix[partner⁻¹], k)
 *
 * With one mask per batch the complement is the mix reordered by the inverse pairing; per-sample masks carry their
 * own λ_i and the worker builds the complementary image explicitly. Partners: the batch reversed (the release).
 */
export const mixmask: Masker = {
  name: "mixmask",
  title: " + MixMask",
  source: "Vishniakov, Xing & Shen 2024 (MixMask, BMVC)",
  lossPieces: "λ·L_base(mix, view1) + (1 − λ)·L_base(mix[partner⁻¹] or complement, view1)",
  usesCells: true,
  usesUnmix: false,
  plan: (streams, batchSize, imageSize, options) => {
    const { mask, pieces } = planMixMask(streams, batchSize, imageSize, options, "reverse");
    return { mask, pieces: [{ image: "view", weight: 1 }, ...pieces] };
  },
};

/** MixMask's mask and its two pieces; `auto` partners are `defaultPairing` (reverse alone, permutation with Un-Mix). */
export function planMixMask(
  streams: MaskStreams,
  batchSize: number,
  imageSize: number,
  options: MaskerOptions,
  defaultPairing: Pairing,
): { mask: CellMask; pieces: QueryPiece[] } {
  const pairing = options.mixPartner === "auto" ? defaultPairing : options.mixPartner;
  const mask = planCellMask(
    streams.mask,
    streams.pairing,
    batchSize,
    imageSize,
    cellMaskOptions(options, "partner", pairing),
  );
  if (mask.perSample) {
    const kept = Float32Array.from(mask.keptFractions);
    return {
      mask,
      pieces: [
        { image: "masked", weight: 1, sampleWeights: kept },
        { image: "complement", weight: 1, sampleWeights: kept.map((l) => 1 - l) },
      ],
    };
  }
  const lambda = mask.keptFractions[0]!;
  return {
    mask,
    pieces: [
      { image: "masked", weight: lambda },
      { image: "masked", weight: 1 - lambda, order: mask.partnerInverse! },
    ],
  };
}
