import { CPU_PRESET } from "../../src/config/presets.js";
import type { MaskerOptions } from "../../src/maskers/maskers.js";
import { Rng } from "../../src/random/rng.js";

/** The CPU preset's masking (MixMask as released: block mask, half kept, reversed partners, g = 4). */
export const MASKER_OPTIONS: MaskerOptions = {
  masker: CPU_PRESET.masker,
  maskShape: CPU_PRESET.maskShape,
  maskGrid: CPU_PRESET.maskGrid,
  keepRatio: CPU_PRESET.keepRatio,
  maskPerSample: CPU_PRESET.maskPerSample,
  mixPartner: CPU_PRESET.mixPartner,
  eraseFill: CPU_PRESET.eraseFill,
  unmixAlpha: CPU_PRESET.unmixAlpha,
  unmixCutmixProbability: CPU_PRESET.unmixCutmixProbability,
};

/** The mask, pairing and Un-Mix streams of one step, as the planner keys them. */
export const maskStreams = (seed: number, step: number) => ({
  mask: Rng.stream(seed, "mask", step),
  pairing: Rng.stream(seed, "pairing", step),
  unmix: Rng.stream(seed, "unmix", step),
});
