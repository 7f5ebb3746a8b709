import { planCellMask } from "../masks/cell-mask.js";
import { cellMaskOptions, type Masker } from "./masker.js";

/**
 * Erase masking, the baseline MixMask is measured against (the MSCN-style masked Siamese ConvNet: Jing, Zhu & LeCun,
 * "Masked Siamese ConvNets", 2022; docs/METHODS.md#erase): the dropped cells are erased — zeros, the dataset mean
 * or Gaussian noise whose seed the plan draws — and the erased view is one more query at full weight (the same
 * compute as MixMask, nothing replaced):
 *
 *     L = L_base(q, k) + L_base(q_erased, k)
 */
export const erase: Masker = {
  name: "erase",
  title: " + erase masking",
  source: "Jing, Zhu & LeCun 2022 (Masked Siamese ConvNets)",
  lossPieces: "L_base(erased, view1)",
  usesCells: true,
  usesUnmix: false,
  plan: (streams, batchSize, imageSize, options) => {
    // No partners: the pairing is never drawn for an erased mask.
    const mask = planCellMask(
      streams.mask,
      streams.pairing,
      batchSize,
      imageSize,
      cellMaskOptions(options, options.eraseFill, "reverse"),
    );
    return {
      mask,
      pieces: [
        { image: "view", weight: 1 },
        { image: "masked", weight: 1 },
      ],
    };
  },
};
