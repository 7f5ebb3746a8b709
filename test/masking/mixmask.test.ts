import { describe, expect, it } from "vitest";
import { drawBlockMask } from "../../src/masking/block-mask.js";
import { keptPixelFraction } from "../../src/masking/kept-fraction.js";
import { planMixMask } from "../../src/masking/mixmask.js";
import { Rng } from "../../src/random/rng.js";

describe("planMixMask", () => {
  it("draws one block mask from the stream, reverses the batch and measures λ on the image", () => {
    const options = { grid: 8, keepRatio: 0.5 };
    const mix = planMixMask(Rng.stream(3, "mask", 17), 6, 28, options);
    expect(mix.grid).toBe(8);
    expect(mix.mask).toEqual(drawBlockMask(Rng.stream(3, "mask", 17), options));
    expect(Array.from(mix.partner)).toEqual([5, 4, 3, 2, 1, 0]);
    expect(Array.from(mix.partnerInverse)).toEqual([5, 4, 3, 2, 1, 0]);
    expect(mix.lambda).toBe(keptPixelFraction(mix.mask, 8, 28));
    expect(mix.lambda).toBeGreaterThan(0);
    expect(mix.lambda).toBeLessThan(1);
  });

  it("gives λ near the keep ratio on average and varies per step", () => {
    let sum = 0;
    const lambdas = new Set<number>();
    for (let step = 0; step < 2000; step++) {
      const { lambda } = planMixMask(Rng.stream(3, "mask", step), 4, 28, { grid: 8, keepRatio: 0.5 });
      sum += lambda;
      lambdas.add(lambda);
    }
    expect(Math.abs(sum / 2000 - 0.5)).toBeLessThan(0.02);
    expect(lambdas.size).toBeGreaterThan(10);
  });

  it("refuses batches of fewer than two samples and invalid masks", () => {
    expect(() => planMixMask(new Rng(0), 1, 28, { grid: 8, keepRatio: 0.5 })).toThrow(/two samples/);
    expect(() => planMixMask(new Rng(0), 4, 28, { grid: 2, keepRatio: 0.5 })).toThrow(/grid/);
  });
});
