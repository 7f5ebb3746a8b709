import { MixmaskError } from "../errors.js";

/**
 * Half-cosine interpolation from `base` (progress 0) to `final` (progress 1) (Loshchilov & Hutter 2017, SGDR without
 * restarts): final + (base − final) · ½ · (1 + cos(π · progress)). Progress outside [0, 1] is clamped, so a schedule
 * asked past its end stays at `final`.
 */
export function cosineSchedule(base: number, final: number, progress: number): number {
  const p = Math.min(1, Math.max(0, progress));
  return final + (base - final) * 0.5 * (1 + Math.cos(Math.PI * p));
}

/**
 * The learning rate of a step: linear warm-up to `baseLr`, then cosine decay towards 0 (the release decays per
 * epoch without warm-up; per step is the smooth version of the same curve).
 * Warm-up: lr = baseLr · (step + 1) / warmupSteps for step < warmupSteps, so the first step already learns and the
 * last warm-up step reaches baseLr. Then progress = (step − warmupSteps) / (totalSteps − warmupSteps).
 */
export function learningRateAt(options: {
  /** Peak learning rate, reached at the end of warm-up (finite, ≥ 0). */
  baseLr: number;
  /** 0-based global step (integer ≥ 0); steps at or past totalSteps give 0. */
  step: number;
  /** Steps in the whole run (integer ≥ 1). */
  totalSteps: number;
  /** Linear warm-up steps (integer in [0, totalSteps)). Default 0. */
  warmupSteps?: number;
}): number {
  const { baseLr, step, totalSteps, warmupSteps = 0 } = options;
  const bad = (path: string, expected: string, received: number): never => {
    throw new MixmaskError({
      code: "INVALID_OPTION",
      path,
      message: `${path} is out of range`,
      expected,
      received: String(received),
    });
  };
  if (!(baseLr >= 0 && Number.isFinite(baseLr))) bad("baseLr", "finite number ≥ 0", baseLr);
  if (!(Number.isInteger(totalSteps) && totalSteps >= 1)) bad("totalSteps", "integer ≥ 1", totalSteps);
  if (!(Number.isInteger(warmupSteps) && warmupSteps >= 0 && warmupSteps < totalSteps))
    bad("warmupSteps", `integer in [0, ${totalSteps - 1}]`, warmupSteps);
  if (!(Number.isInteger(step) && step >= 0)) bad("step", "integer ≥ 0", step);
  if (step < warmupSteps) return (baseLr * (step + 1)) / warmupSteps;
  return cosineSchedule(baseLr, 0, (step - warmupSteps) / (totalSteps - warmupSteps));
}
