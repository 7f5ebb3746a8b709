import type { Framework } from "./framework.js";

/**
 * BYOL (Grill et al. 2020, "Bootstrap Your Own Latent"): the online predictor's output regresses the momentum
 * (target) encoder's projection, ‖p̄ − z̄‖² = 2 − 2·cos(p, z). The target's τ follows a cosine schedule from its base
 * value to 1 (src/schedule/ema-momentum.ts).
 */
export const byol: Framework = {
  name: "byol",
  title: "BYOL",
  source: "Grill et al. 2020 (BYOL)",
  needs: { momentumEncoder: true, predictor: true, queue: false },
  projector: { layers: 2, batchNorm: true },
  symmetricWeight: 1,
  usesTemperature: false,
  baseTerm: (anchor, positive) => ({
    kind: "normalized_mse",
    anchor: { input: anchor, encoder: "online_predictor" },
    positive: { input: positive, encoder: "momentum" },
    weight: 1,
    temperature: 0,
  }),
};
