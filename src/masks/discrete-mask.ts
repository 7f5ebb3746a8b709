import { MixmaskError } from "../errors.js";
import { maskRuleIssues, throwIssues } from "./mask-rules.js";
import type { Rng } from "../random/rng.js";

/**
 * A discrete mask (the MixMask release's `--mask-type discrete`): every cell independently kept with probability
 * keepRatio, redrawn while all cells are kept or all dropped, so every mix holds both images. 1 = keep the original.
 * (The release draws `U(0,1) > ratio` and marks *masked* cells, so its kept fraction is 1 − ratio; here the option
 * means what it says: the fraction kept from the original.)
 */
export interface DiscreteMaskOptions {
  /** g, cells per side: integer ≥ 2 (one cell is always all-kept or all-dropped). */
  grid: number;
  /** Probability that a cell is kept, in (0, 1). */
  keepRatio: number;
}

/** Throws MixmaskError INVALID_OPTION when the options cannot give a mask with both kinds of cells (src/masks/mask-rules.ts). */
export function validateDiscreteMask({ grid, keepRatio }: DiscreteMaskOptions): void {
  throwIssues(maskRuleIssues({ shape: "discrete", grid, keepRatio }));
}

/** Draws one discrete mask: g·g cells, row-major, 1 = keep the original image (options as validateDiscreteMask accepts). */
export function drawDiscreteMask(rng: Rng, options: DiscreteMaskOptions): Uint8Array {
  const cells = options.grid * options.grid;
  const mask = new Uint8Array(cells);
  for (let attempt = 0; attempt < MAX_DRAWS; attempt++) {
    let kept = 0;
    for (let i = 0; i < cells; i++) {
      mask[i] = rng.next() < options.keepRatio ? 1 : 0;
      kept += mask[i]!;
    }
    if (kept > 0 && kept < cells) return mask;
  }
  throw new MixmaskError({
    code: "INVALID_OPTION",
    path: "keepRatio",
    message: `${MAX_DRAWS} discrete masks in a row kept all or none of the ${cells} cells: keepRatio ${options.keepRatio} is too extreme for a ${options.grid}×${options.grid} grid`,
    expected: `a ratio whose masks mix both kinds of cell, e.g. within [${(1 / cells).toPrecision(2)}, ${(1 - 1 / cells).toPrecision(2)}]`,
    received: String(options.keepRatio),
  });
}

/** Redraws allowed before a ratio is declared unusable (at ratio 1/g² about 1 draw in e keeps exactly one cell). */
const MAX_DRAWS = 1000;
