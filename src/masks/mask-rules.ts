import { MixmaskError, type ErrorIssue } from "../errors.js";

/** "block": BEiT's blocks (MixMask's default); "discrete": independent cells. */
export type MaskShape = "block" | "discrete";

/** The geometry of a cell mask, as the rules below check it. */
export interface MaskGeometry {
  shape: MaskShape;
  /** g, cells per side. */
  grid: number;
  /** Fraction of cells kept from the original image. */
  keepRatio: number;
}

/** Option names the issues carry (the config's names, or the primitives' own). */
export interface MaskRulePaths {
  grid: string;
  keepRatio: string;
}

/**
 * The one place the grid and keep-ratio rules live (docs/METHODS.md#masks): a block mask needs g ≥ 3 and a keep ratio
 * that targets between 1 and g² − 1 cells (g ≤ 2 almost always gives an empty mask); a discrete mask needs g ≥ 2;
 * with `imageSize`, a cell cannot be smaller than a pixel. Maskers check them once, when they are built; the draws
 * trust them.
 */
export function maskRuleIssues(
  mask: MaskGeometry,
  paths: MaskRulePaths = { grid: "grid", keepRatio: "keepRatio" },
  imageSize?: number,
): ErrorIssue[] {
  const issues: ErrorIssue[] = [];
  const { grid: g, keepRatio } = mask;
  const minGrid = mask.shape === "block" ? 3 : 2;
  const gridOk = Number.isInteger(g) && g >= minGrid;
  if (!gridOk) {
    issues.push({
      path: paths.grid,
      message:
        mask.shape === "block"
          ? "a block mask needs an integer grid g ≥ 3: blocks must be smaller than the grid on both sides, so with " +
            "g ≤ 2 only 1×1 blocks fit, and blocks of at least minCells (4) cells almost never round to 1×1 — the " +
            "mask would come out empty"
          : "a discrete mask needs at least 2×2 cells: one cell is always entirely kept or dropped",
      expected: `integer ≥ ${minGrid} (the release uses 8 at 224 px)`,
      received: String(g),
    });
  } else if (imageSize !== undefined && g > imageSize) {
    issues.push({
      path: paths.grid,
      message: `a mask cell cannot be smaller than a pixel: g must be ≤ imageSize (${imageSize})`,
      expected: `integer in [${minGrid}, ${imageSize}]`,
      received: String(g),
    });
  }
  if (!(keepRatio > 0 && keepRatio < 1)) {
    issues.push({
      path: paths.keepRatio,
      message: `${paths.keepRatio} must be strictly between 0 and 1 (0 keeps nothing of the original, 1 mixes nothing in)`,
      expected: "number in (0, 1), e.g. 0.5",
      received: String(keepRatio),
    });
  } else if (mask.shape === "block" && gridOk) {
    const target = Math.floor(keepRatio * g * g);
    if (target < 1 || target >= g * g) {
      issues.push({
        path: paths.keepRatio,
        message: `${paths.keepRatio} ${keepRatio} on a ${g}×${g} grid targets ${target} of ${g * g} cells (floor(${keepRatio}·${g * g})); a mix needs at least one kept and one filled cell`,
        expected: `a ratio in [${(1 / (g * g)).toPrecision(3)}, ${((g * g - 1) / (g * g)).toPrecision(3)}) for g = ${g}`,
        received: String(keepRatio),
      });
    }
  }
  return issues;
}

/** Throws INVALID_OPTION listing every issue, the first one as the error's own path and message. */
export function throwIssues(issues: readonly ErrorIssue[]): void {
  if (issues.length === 0) return;
  const first = issues[0]!;
  throw new MixmaskError({
    code: "INVALID_OPTION",
    path: first.path,
    message: first.message,
    expected: first.expected,
    received: first.received,
    issues: [...issues],
  });
}
