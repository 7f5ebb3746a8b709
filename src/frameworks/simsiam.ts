import type { Framework } from "./framework.js";

/**
 * SimSiam (Chen & He 2021, "Exploring Simple Siamese Representation Learning"): D(p, sg(z)) = −cos(p, z) between
 * the online predictor's output and the online projection of the other image with its gradient stopped; no
 * momentum encoder. The projector has three layers with BatchNorm, as in the paper.
 */
export const simsiam: Framework = {
  name: "simsiam",
  title: "SimSiam",
  source: "Chen & He 2021 (SimSiam)",
  needs: { momentumEncoder: false, predictor: true, queue: false },
  projector: { layers: 3, batchNorm: true },
  symmetricWeight: 0.5,
  usesTemperature: false,
  baseTerm: (anchor, positive) => ({
    kind: "negative_cosine",
    anchor: { input: anchor, encoder: "online_predictor" },
    positive: { input: positive, encoder: "online_detached" },
    weight: 1,
    temperature: 0,
  }),
};
