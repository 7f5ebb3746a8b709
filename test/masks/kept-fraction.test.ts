import { describe, expect, it } from "vitest";
import { cellIndex, keptPixelFraction } from "../../src/masks/kept-fraction.js";
import { Rng } from "../../src/random/rng.js";

/** λ by brute force: upsample every pixel with the float map the contract forbids relying on, but exactly. */
function bruteForce(mask: Uint8Array, g: number, s: number): number {
  let kept = 0;
  for (let y = 0; y < s; y++)
    for (let x = 0; x < s; x++) kept += mask[Math.floor((y * g) / s) * g + Math.floor((x * g) / s)]!;
  return kept / (s * s);
}

describe("cellIndex", () => {
  it("maps pixels to cells with floor(i·g/S)", () => {
    expect(Array.from(cellIndex(8, 4))).toEqual([0, 0, 1, 1, 2, 2, 3, 3]);
    // 28 px on an 8-grid: cells of 3 or 4 pixels (28/8 = 3.5).
    const cells = cellIndex(28, 8);
    expect(Array.from(cells)).toEqual([
      0, 0, 0, 0, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 6, 6, 6, 6, 7, 7, 7,
    ]);
  });
});

describe("keptPixelFraction", () => {
  it("equals the brute-force pixel count for random masks and sizes", () => {
    const rng = Rng.stream(1, "lambda");
    for (let k = 0; k < 200; k++) {
      const g = 1 + rng.int(16);
      const s = 1 + rng.int(64);
      const mask = Uint8Array.from({ length: g * g }, () => (rng.bernoulli(0.5) ? 1 : 0));
      expect(keptPixelFraction(mask, g, s)).toBeCloseTo(bruteForce(mask, g, s), 12);
    }
  });

  it("differs from the nominal ratio when S is not a multiple of g (g = 8, S = 28)", () => {
    // Keep row 0 of cells only: rows 0..3 of pixels (4 of 28) → λ = 4/28, not 1/8.
    const mask = new Uint8Array(64);
    mask.fill(1, 0, 8);
    expect(keptPixelFraction(mask, 8, 28)).toBeCloseTo(4 / 28, 12);
    // Keep cell row 1: 3 pixel rows → 3/28.
    const second = new Uint8Array(64);
    second.fill(1, 8, 16);
    expect(keptPixelFraction(second, 8, 28)).toBeCloseTo(3 / 28, 12);
  });

  it("is 1 for a full mask and 0 for an empty one", () => {
    expect(keptPixelFraction(new Uint8Array(64).fill(1), 8, 28)).toBe(1);
    expect(keptPixelFraction(new Uint8Array(64), 8, 28)).toBe(0);
  });

  it("refuses a mask whose length is not g²", () => {
    expect(() => keptPixelFraction(new Uint8Array(10), 4, 28)).toThrow(/16 cells/);
  });
});
