import { describe, expect, it } from "vitest";
import { MixmaskError } from "../../src/errors.js";
import { sampleResizedCrop } from "../../src/augment/random-resized-crop.js";
import { Rng } from "../../src/random/rng.js";
import { roundHalfEven } from "../../src/random/round-half-even.js";

const SCALE: [number, number] = [0.2, 1];
const RATIO: [number, number] = [3 / 4, 4 / 3];

/**
 * E[crop area / image area] of the torchvision algorithm, by deterministic quadrature over the two uniforms of one
 * attempt (no simulation): p = P(attempt accepted), a = E[area | accepted]; the first accepted attempt is distributed
 * as one accepted attempt, and with probability (1 − p)^10 the fallback box is taken.
 */
function expectedRelativeArea(
  height: number,
  width: number,
  scale: [number, number],
  ratio: [number, number],
  fallbackArea: number,
): number {
  const steps = 1000;
  let accepted = 0;
  let areaSum = 0;
  for (let i = 0; i < steps; i++) {
    const target = height * width * (scale[0] + ((i + 0.5) / steps) * (scale[1] - scale[0]));
    for (let j = 0; j < steps; j++) {
      const aspect = Math.exp(Math.log(ratio[0]) + ((j + 0.5) / steps) * (Math.log(ratio[1]) - Math.log(ratio[0])));
      const w = roundHalfEven(Math.sqrt(target * aspect));
      const h = roundHalfEven(Math.sqrt(target / aspect));
      if (w > 0 && w <= width && h > 0 && h <= height) {
        accepted += 1;
        areaSum += (w * h) / (height * width);
      }
    }
  }
  const p = accepted / steps ** 2;
  const fallback = (1 - p) ** 10;
  return (1 - fallback) * (areaSum / accepted) + fallback * fallbackArea;
}

describe("sampleResizedCrop", () => {
  it("keeps every box inside the image, with integer sides ≥ 1", () => {
    const rng = Rng.stream(1, "crop-bounds");
    const bad: string[] = [];
    for (const [h, w] of [
      [28, 28],
      [32, 32],
      [20, 57],
      [224, 160],
      [3, 5],
    ] as const) {
      for (let i = 0; i < 3000; i++) {
        const box = sampleResizedCrop(rng, h, w, SCALE, RATIO);
        const integers = [box.top, box.left, box.height, box.width].every(Number.isInteger);
        const inside =
          box.top >= 0 &&
          box.left >= 0 &&
          box.height >= 1 &&
          box.width >= 1 &&
          box.top + box.height <= h &&
          box.left + box.width <= w;
        if (!integers || !inside) bad.push(`${JSON.stringify(box)} in ${h}×${w}`);
      }
    }
    expect(bad).toEqual([]);
  });

  it("has the mean relative area that quadrature predicts for scale (0.2, 1) on 28×28", () => {
    const expected = expectedRelativeArea(28, 28, SCALE, RATIO, 1);
    // Not 0.6 (the mean of U(0.2, 1)): large boxes with a non-square aspect do not fit and are redrawn smaller.
    expect(expected).toBeGreaterThan(0.5);
    expect(expected).toBeLessThan(0.6);
    const rng = Rng.stream(2, "crop-area");
    const n = 100_000;
    let sum = 0;
    for (let i = 0; i < n; i++) {
      const box = sampleResizedCrop(rng, 28, 28, SCALE, RATIO);
      sum += (box.height * box.width) / 784;
    }
    expect(Math.abs(sum / n - expected)).toBeLessThan(0.003); // sampling standard error ≈ 0.0007
  });

  it("falls back to torchvision's central crop when no attempt fits", () => {
    const rng = Rng.stream(3, "crop-fallback");
    // Too wide: every attempt is rejected; in_ratio 1 < 4 → w = 28, h = round(28 / 4) = 7, centred vertically.
    expect(sampleResizedCrop(rng, 28, 28, [1, 1], [4, 5])).toEqual({ top: 10, left: 0, height: 7, width: 28 });
    // Too tall: in_ratio 1 > 0.2 → h = 28, w = round(28 · 0.2) = round(5.6) = 6, left = (28 − 6) // 2 = 11.
    expect(sampleResizedCrop(rng, 28, 28, [1, 1], [0.1, 0.2])).toEqual({ top: 0, left: 11, height: 28, width: 6 });
    // Ratio range containing the image's own ratio: the whole image.
    expect(sampleResizedCrop(rng, 20, 40, [1.5, 2], [0.5, 3])).toEqual({ top: 0, left: 0, height: 20, width: 40 });
    // Python's round: h = round(10 / 4) = round(2.5) = 2 (Math.round would give 3), top = (100 − 2) // 2 = 49.
    expect(sampleResizedCrop(rng, 100, 10, [1, 1], [4, 4])).toEqual({ top: 49, left: 0, height: 2, width: 10 });
  });

  it("is reproducible from the stream (pinned boxes)", () => {
    const rng = Rng.stream(42, "crop");
    const boxes = [0, 1, 2].map(() => sampleResizedCrop(rng, 28, 28, SCALE, RATIO));
    expect(boxes).toEqual([
      { top: 13, left: 11, height: 13, width: 14 },
      { top: 3, left: 5, height: 22, width: 21 },
      { top: 0, left: 4, height: 28, width: 23 },
    ]);
  });

  it("rounds halves to even, like the Python it ports", () => {
    expect(roundHalfEven(2.5)).toBe(2);
    expect(roundHalfEven(3.5)).toBe(4);
  });

  it("refuses unordered or non-positive ranges", () => {
    const rng = new Rng(0);
    expect(() => sampleResizedCrop(rng, 28, 28, [1, 0.2], RATIO)).toThrow(MixmaskError);
    expect(() => sampleResizedCrop(rng, 28, 28, SCALE, [0, 1])).toThrow(/cropRatio/);
    expect(() => sampleResizedCrop(rng, 0, 28, SCALE, RATIO)).toThrow(/source/);
  });
});
