import { describe, expect, it } from "vitest";
import { MixmaskError } from "../../src/errors.js";
import { drawBlockMask, validateBlockMask } from "../../src/masks/block-mask.js";
import { validatedMasker } from "../../src/maskers/maskers.js";
import { MASKER_OPTIONS } from "../helpers/masker-options.js";
import { Rng } from "../../src/random/rng.js";

function rows(mask: Uint8Array, g: number): string[] {
  return Array.from({ length: g }, (_, r) => Array.from(mask.subarray(r * g, r * g + g)).join(""));
}

function sum(mask: Uint8Array): number {
  return mask.reduce((a, b) => a + b, 0);
}

/**
 * Statistics of 10,000 draws. The reference values come from BEiT's MaskingGenerator itself (Python's `random`,
 * 40,000 draws per grid, ratio 0.5): mean kept fraction / share of draws with exactly floor(0.5·g²) cells
 * g=4: 0.4991 / 0.988; g=8: 0.4993 / 0.955; g=16: 0.4996 / 0.908.
 */
function stats(g: number): { mean: number; exact: number } {
  const rng = Rng.stream(0, "mask-stats", g);
  const target = Math.floor(0.5 * g * g);
  const n = 10_000;
  let fraction = 0;
  let exact = 0;
  for (let i = 0; i < n; i++) {
    const kept = sum(drawBlockMask(rng, { grid: g, keepRatio: 0.5 }));
    if (kept > target) throw new Error(`overshoot: ${kept} > ${target}`);
    fraction += kept / (g * g);
    if (kept === target) exact += 1;
  }
  return { mean: fraction / n, exact: exact / n };
}

describe("drawBlockMask", () => {
  it("is pinned for a seeded stream", () => {
    expect(rows(drawBlockMask(Rng.stream(42, "mask", 0), { grid: 4, keepRatio: 0.5 }), 4)).toEqual([
      "1101",
      "1101",
      "1100",
      "0000",
    ]);
    expect(rows(drawBlockMask(Rng.stream(42, "mask", 0), { grid: 8, keepRatio: 0.5 }), 8)).toEqual([
      "10000000",
      "10000000",
      "11100000",
      "11100011",
      "11110011",
      "11110011",
      "11110011",
      "00110011",
    ]);
  });

  it("matches BEiT's statistics at g = 8, ratio 0.5: mean 0.4993 ± 0.002, ≥ 95% of draws exactly 32 cells", () => {
    const { mean, exact } = stats(8);
    expect(Math.abs(mean - 0.4993)).toBeLessThan(0.002);
    expect(exact).toBeGreaterThanOrEqual(0.95);
  });

  it("matches BEiT's statistics at g = 4 and g = 16", () => {
    const g4 = stats(4);
    expect(Math.abs(g4.mean - 0.4991)).toBeLessThan(0.002);
    expect(Math.abs(g4.exact - 0.988)).toBeLessThan(0.006);
    const g16 = stats(16);
    expect(Math.abs(g16.mean - 0.4996)).toBeLessThan(0.002);
    expect(Math.abs(g16.exact - 0.908)).toBeLessThan(0.012);
  });

  it("honours minCells and aspectRange: a 50-cell square block first", () => {
    // minCells = target = 50 and aspect 1: the first block is round(sqrt(50)) = 7 on each side (49 cells); the one
    // cell left can only come from a 1×1 block, since a square overlapping a square never adds exactly one cell.
    const rng = Rng.stream(1, "mask-squares");
    for (let k = 0; k < 200; k++) {
      const m = drawBlockMask(rng, { grid: 10, keepRatio: 0.5, minCells: 50, aspectRange: [1, 1] });
      expect([49, 50]).toContain(sum(m));
      let square = false;
      for (let top = 0; top <= 3; top++) {
        for (let left = 0; left <= 3; left++) {
          let full = true;
          for (let r = top; r < top + 7; r++) for (let c = left; c < left + 7; c++) if (!m[r * 10 + c]) full = false;
          square ||= full;
        }
      }
      expect(square).toBe(true);
    }
  });

  it("refuses grid ≤ 2 with the reason, and ratios 0 and 1", () => {
    expect(() => validateBlockMask({ grid: 2, keepRatio: 0.5 })).toThrow(/almost never round to 1×1/);
    // Checked once where a masker is built, not again per draw.
    expect(() => validatedMasker({ ...MASKER_OPTIONS, maskGrid: 2 }, 28)).toThrow(MixmaskError);
    expect(() => validateBlockMask({ grid: 8.5, keepRatio: 0.5 })).toThrow(/grid/);
    expect(() => validateBlockMask({ grid: 8, keepRatio: 0 })).toThrow(/keepRatio/);
    expect(() => validateBlockMask({ grid: 8, keepRatio: 1 })).toThrow(/keepRatio/);
    expect(() => validateBlockMask({ grid: 3, keepRatio: 0.1 })).toThrow(/targets 0 of 9 cells/);
    expect(() => validateBlockMask({ grid: 8, keepRatio: 0.5 })).not.toThrow();
    try {
      validateBlockMask({ grid: 1, keepRatio: 2, minCells: 0, aspectRange: [2, 1] });
      expect.unreachable();
    } catch (e) {
      expect((e as MixmaskError).code).toBe("INVALID_OPTION");
      expect((e as MixmaskError).issues.map((i) => i.path)).toEqual(["grid", "keepRatio", "minCells", "aspectRange"]);
    }
  });
});
