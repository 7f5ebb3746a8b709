import { describe, expect, it } from "vitest";
import { planUnmix } from "../../src/masks/unmix-mixture.js";
import { drawBeta } from "../../src/random/beta.js";
import { Rng } from "../../src/random/rng.js";

describe("planUnmix", () => {
  it("blends or pastes a CutMix box about half the time each, λ of a box being the kept area", () => {
    const rng = Rng.stream(4, "unmix-stats");
    let boxes = 0;
    let blendLambda = 0;
    const draws = 4000;
    for (let i = 0; i < draws; i++) {
      const u = planUnmix(rng, 6, 32, { alpha: 1, cutmixProbability: 0.5 });
      expect(Array.from(u.partner)).toEqual([5, 4, 3, 2, 1, 0]);
      if (u.cutmix) {
        boxes += 1;
        const [top, left, h, w] = u.box!;
        expect(top + h).toBeLessThanOrEqual(32);
        expect(left + w).toBeLessThanOrEqual(32);
        expect(u.lambda).toBe(1 - (h * w) / (32 * 32));
      } else {
        expect(u.box).toBeUndefined();
        blendLambda += u.lambda;
      }
    }
    expect(Math.abs(boxes / draws - 0.5)).toBeLessThan(0.03);
    expect(Math.abs(blendLambda / (draws - boxes) - 0.5)).toBeLessThan(0.03); // Beta(1, 1) = U(0, 1)
  });

  it("sizes the box as Un-Mix's rand_bbox: side ⌊S·√(1 − λ)⌋, halves floored, clipped to the view", () => {
    const u = planUnmix(Rng.stream(1, "box"), 4, 32, { alpha: 1, cutmixProbability: 1 });
    expect(u.cutmix).toBe(true);
    const [, , h, w] = u.box!;
    expect(h).toBeLessThanOrEqual(32);
    expect(w).toBeLessThanOrEqual(32);
    expect(h % 2 === 0 || h < 32).toBe(true);
  });
});

describe("drawBeta", () => {
  it.each([
    [1, 1],
    [0.5, 0.5],
    [2, 5],
  ])("has the mean a/(a+b) and variance ab/((a+b)²(a+b+1)) of Beta(%d, %d)", (a, b) => {
    const rng = Rng.stream(7, "beta", a * 10, b * 10);
    const n = 20_000;
    const xs = Array.from({ length: n }, () => drawBeta(rng, a, b));
    const mean = xs.reduce((s, x) => s + x, 0) / n;
    const variance = xs.reduce((s, x) => s + (x - mean) ** 2, 0) / n;
    expect(xs.every((x) => x >= 0 && x <= 1)).toBe(true);
    expect(Math.abs(mean - a / (a + b))).toBeLessThan(0.01);
    expect(Math.abs(variance - (a * b) / ((a + b) ** 2 * (a + b + 1)))).toBeLessThan(0.005);
  });

  it("refuses non-positive parameters", () => {
    expect(() => drawBeta(Rng.stream(0, "b"), 0, 1)).toThrow(/positive/);
  });
});
