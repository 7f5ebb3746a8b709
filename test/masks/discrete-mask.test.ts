import { describe, expect, it } from "vitest";
import { drawDiscreteMask, validateDiscreteMask } from "../../src/masks/discrete-mask.js";
import { Rng } from "../../src/random/rng.js";

describe("drawDiscreteMask", () => {
  it("keeps each cell with probability keepRatio and never returns an all-kept or all-dropped mask", () => {
    const rng = Rng.stream(2, "discrete");
    for (const [grid, keepRatio] of [
      [2, 0.5],
      [4, 0.25],
      [8, 0.75],
    ] as const) {
      let kept = 0;
      const draws = 3000;
      for (let i = 0; i < draws; i++) {
        const m = drawDiscreteMask(rng, { grid, keepRatio });
        const k = m.reduce((a, b) => a + b, 0);
        expect(k).toBeGreaterThan(0);
        expect(k).toBeLessThan(grid * grid);
        kept += k / (grid * grid);
      }
      // Conditioning on "not all equal" pulls the mean towards ½ on tiny grids; on 4×4 and 8×8 it is negligible.
      const tolerance = grid === 2 ? 0.05 : 0.01;
      expect(Math.abs(kept / draws - keepRatio)).toBeLessThan(tolerance);
    }
  });

  it("is pinned for a seeded stream and refuses g < 2", () => {
    expect(
      Array.from(drawDiscreteMask(Rng.stream(1, "mask", 0), { grid: 3, keepRatio: 0.5 })).join(""),
    ).toMatchInlineSnapshot(`"000110010"`);
    expect(() => validateDiscreteMask({ grid: 1, keepRatio: 0.5 })).toThrow(/2×2/);
    // A ratio whose masks almost never mix both kinds of cell is refused instead of looping.
    expect(() => drawDiscreteMask(Rng.stream(1, "m"), { grid: 2, keepRatio: 1e-9 })).toThrow(/too extreme/);
  });
});
