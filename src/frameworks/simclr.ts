import type { Framework } from "./framework.js";

/**
 * SimCLR (Chen, Kornblith, Norouzi & Hinton 2020, "A Simple Framework for Contrastive Learning of Visual
 * Representations"): NT-Xent between the online projections of two images, the rest of the batch as negatives;
 * one encoder, no momentum copy, no queue.
 */
export const simclr: Framework = {
  name: "simclr",
  title: "SimCLR",
  source: "Chen, Kornblith, Norouzi & Hinton 2020 (SimCLR)",
  needs: { momentumEncoder: false, predictor: false, queue: false },
  projector: { layers: 2, batchNorm: false },
  symmetricWeight: 1,
  usesTemperature: true,
  baseTerm: (anchor, positive, temperature) => ({
    kind: "nt_xent",
    anchor: { input: anchor, encoder: "online" },
    positive: { input: positive, encoder: "online" },
    weight: 1,
    temperature,
  }),
};
