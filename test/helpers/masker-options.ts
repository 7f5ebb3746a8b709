import type { MaskerOptions } from "../../src/masking/masker.js";
import { Rng } from "../../src/random/rng.js";

/** MixMask as released (block mask, half kept, reversed partners) on a 4-grid, for masker and composition tests. */
export const MASKER_OPTIONS: MaskerOptions = {
  masker: "mixmask",
  maskShape: "block",
  maskGrid: 4,
  keepRatio: 0.5,
  maskPerSample: false,
  mixPartner: "auto",
  eraseFill: "zero",
  unmixAlpha: 1,
  unmixCutmixProbability: 0.5,
};

/** The mask, pairing and Un-Mix streams of one step, as the planner keys them. */
export const maskStreams = (seed: number, step: number) => ({ mask: Rng.stream(seed, "mask", step), pairing: Rng.stream(seed, "pairing", step), unmix: Rng.stream(seed, "unmix", step) });
