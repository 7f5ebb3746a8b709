import { describe, expect, it } from "vitest";
import { emaMomentumAt } from "../../src/schedule/ema-momentum.js";
import { keepRatioAt } from "../../src/masks/keep-ratio.js";

describe("emaMomentumAt", () => {
  it("is constant for MoCo and BYOL's 1 − (1 − τ₀)(cos(πk/K) + 1)/2 for cosine", () => {
    expect(emaMomentumAt("constant", 0.99, 500, 1000)).toBe(0.99);
    expect(emaMomentumAt("cosine", 0.99, 0, 1000)).toBeCloseTo(0.99, 12);
    expect(emaMomentumAt("cosine", 0.99, 500, 1000)).toBeCloseTo(0.995, 12);
    expect(emaMomentumAt("cosine", 0.99, 1000, 1000)).toBeCloseTo(1, 12);
    for (const k of [1, 137, 999])
      expect(emaMomentumAt("cosine", 0.996, k, 1000)).toBeCloseTo(
        1 - ((1 - 0.996) * (Math.cos((Math.PI * k) / 1000) + 1)) / 2,
        12,
      );
  });
});

describe("keepRatioAt", () => {
  it("is constant without an end and linear from start to end otherwise", () => {
    expect(keepRatioAt(0.5, undefined, 7, 10)).toBe(0.5);
    expect(keepRatioAt(0.75, 0.25, 0, 11)).toBe(0.75);
    expect(keepRatioAt(0.75, 0.25, 5, 11)).toBeCloseTo(0.5, 12);
    expect(keepRatioAt(0.75, 0.25, 10, 11)).toBeCloseTo(0.25, 12);
  });
});
