import type { ErrorIssue } from "../errors.js";
import { maskRuleIssues, throwIssues } from "./mask-rules.js";
import type { Rng } from "../random/rng.js";
import { roundHalfEven } from "../random/round-half-even.js";

/**
 * A block mask on a g×g grid (MixMask's default mask, BEiT's MaskingGenerator). Marked cells are the ones KEPT from
 * the original image; the rest are filled from the partner image. (The MixMask release marks kept cells for block
 * masks but masked cells for discrete masks; this SDK has one meaning everywhere: "fraction kept from the original".)
 */
export interface BlockMaskOptions {
  /** g, cells per side. Integer ≥ 3 (g ≤ 2 almost always yields an empty mask). The release uses 8 at 224 px. */
  grid: number;
  /** Target fraction of cells kept from the original, in (0, 1): floor(keepRatio·g²) cells are aimed for (the draw may fall short). Release: 0.5. */
  keepRatio: number;
  /** Smallest block area drawn, in cells (BEiT's min_num_patches). Finite, > 0. Default 4. */
  minCells?: number;
  /** Range of block aspect ratios h/w, drawn log-uniformly, 0 < lo ≤ hi. Default [0.3, 1/0.3]. */
  aspectRange?: [number, number];
}

/**
 * Throws MixmaskError INVALID_OPTION listing every problem with the options: the grid and ratio rules of
 * src/masks/mask-rules.ts, and the block sizes. Maskers check this once when built; drawBlockMask trusts it.
 */
export function validateBlockMask(options: BlockMaskOptions): void {
  const { minCells = DEFAULT_MIN_CELLS, aspectRange = DEFAULT_ASPECT } = options;
  const issues: ErrorIssue[] = maskRuleIssues({ shape: "block", grid: options.grid, keepRatio: options.keepRatio });
  if (!(minCells > 0 && Number.isFinite(minCells)))
    issues.push({
      path: "minCells",
      message: "minCells must be a positive number of cells",
      expected: "finite number > 0 (default 4)",
      received: String(minCells),
    });
  if (
    !(
      Array.isArray(aspectRange) &&
      aspectRange.length === 2 &&
      aspectRange[0] > 0 &&
      aspectRange[0] <= aspectRange[1] &&
      Number.isFinite(aspectRange[1])
    )
  ) {
    issues.push({
      path: "aspectRange",
      message: "aspectRange must be a positive, ordered pair",
      expected: "[lo, hi] with 0 < lo ≤ hi (default [0.3, 1/0.3])",
      received: JSON.stringify(aspectRange),
    });
  }
  throwIssues(issues);
}

/**
 * Draws one block mask: g·g cells, row-major, 1 = keep the original image, from options that validateBlockMask
 * accepts (not checked again here: a masker validates once, not per draw). Exactly BEiT's MaskingGenerator
 * (Bao et al. 2022, beit/masking_generator.py), as the MixMask release calls it (docs/METHODS.md#masks):
 *
 *     n = floor(keepRatio·g²); count = 0
 *     while count < n:
 *         remaining = n − count; delta = 0
 *         up to 10 attempts:
 *             area = U(minCells, remaining)          aspect = exp(U(log lo, log hi))
 *             h = round(sqrt(area·aspect))           w = round(sqrt(area/aspect))      (round half to even)
 *             if w < g and h < g:
 *                 top = randint(0, g − h), left = randint(0, g − w)
 *                 newly = h·w − cells already set in the block
 *                 if 0 < newly ≤ remaining: set the block, delta += newly
 *             if delta > 0: break
 *         if delta == 0: stop (the mask may hold fewer than n cells)
 *         count += delta
 */
export function drawBlockMask(rng: Rng, options: BlockMaskOptions): Uint8Array {
  const { grid: g, keepRatio, minCells = DEFAULT_MIN_CELLS, aspectRange = DEFAULT_ASPECT } = options;
  const mask = new Uint8Array(g * g);
  const target = Math.floor(keepRatio * g * g);
  const logLo = Math.log(aspectRange[0]);
  const logHi = Math.log(aspectRange[1]);
  let count = 0;
  while (count < target) {
    const remaining = target - count;
    let delta = 0;
    for (let attempt = 0; attempt < 10; attempt++) {
      // When remaining < minCells this is U(remaining, minCells): Python's uniform accepts a > b, and so does ours.
      const area = rng.uniform(minCells, remaining);
      const aspect = Math.exp(rng.uniform(logLo, logHi));
      const h = roundHalfEven(Math.sqrt(area * aspect));
      const w = roundHalfEven(Math.sqrt(area / aspect));
      if (w < g && h < g) {
        const top = rng.intInclusive(0, g - h);
        const left = rng.intInclusive(0, g - w);
        let already = 0;
        for (let r = top; r < top + h; r++) for (let c = left; c < left + w; c++) already += mask[r * g + c]!;
        const newly = h * w - already;
        if (newly > 0 && newly <= remaining) {
          for (let r = top; r < top + h; r++) for (let c = left; c < left + w; c++) mask[r * g + c] = 1;
          delta += newly;
        }
      }
      if (delta > 0) break;
    }
    if (delta === 0) break;
    count += delta;
  }
  return mask;
}

const DEFAULT_MIN_CELLS = 4;
const DEFAULT_ASPECT: [number, number] = [0.3, 1 / 0.3];
