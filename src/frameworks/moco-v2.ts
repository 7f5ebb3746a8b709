import type { Framework } from "./framework.js";

/**
 * MoCo v2 (He et al. 2020, "Momentum Contrast for Unsupervised Visual Representation Learning"; Chen et al. 2020,
 * "Improved Baselines with Momentum Contrastive Learning"): InfoNCE of the online encoder's query against the
 * momentum encoder's key, with a queue of K negatives. The MixMask release's only framework.
 */
export const mocoV2: Framework = {
  name: "mocov2",
  title: "MoCo v2",
  source: "Chen, Fan, Girshick & He 2020 (MoCo v2)",
  needs: { momentumEncoder: true, predictor: false, queue: true },
  projector: { layers: 2, batchNorm: false },
  symmetricWeight: 1,
  usesTemperature: true,
  baseTerm: (anchor, positive, temperature) => ({
    kind: "info_nce_queue",
    anchor: { input: anchor, encoder: "online" },
    positive: { input: positive, encoder: "momentum" },
    weight: 1,
    temperature,
  }),
};
