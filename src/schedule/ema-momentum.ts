import { cosineSchedule } from "./cosine.js";

/**
 * The momentum encoder's τ (MoCo's m) at a step. "constant": τ = base (MoCo v2). "cosine": BYOL's schedule
 * τ = 1 − (1 − base)·(cos(π·step/total) + 1)/2, from base at the first step towards 1 at the end (Grill et al. 2020,
 * §3.2).
 */
export function emaMomentumAt(schedule: "constant" | "cosine", base: number, step: number, totalSteps: number): number {
  return schedule === "constant" ? base : cosineSchedule(base, 1, step / totalSteps);
}
