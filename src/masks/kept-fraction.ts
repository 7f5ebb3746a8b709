import { MixmaskError } from "../errors.js";

/**
 * The nearest-neighbour map from pixel to mask cell along one side: cell(i) = floor(i·g / S) for i in [0, S) — the
 * exact integer map the worker uses to upsample a g×g mask to S×S (proto MixPlan). Integer arithmetic: i·g < 2^53,
 * so the division and floor are exact, unlike a float scale factor 1/(S/g).
 * @param size S, pixels per side (integer ≥ 1).
 * @param grid g, cells per side (integer ≥ 1).
 */
export function cellIndex(size: number, grid: number): Int32Array {
  check(size, grid);
  const cells = new Int32Array(size);
  for (let i = 0; i < size; i++) cells[i] = Math.floor((i * grid) / size);
  return cells;
}

/**
 * λ: the fraction of the S×S pixels whose cell is kept (mask value 1) — MixMask's loss weight, computed from the
 * actual upsampling rather than the nominal ratio, which differs when S is not a multiple of g (docs/METHODS.md#masks).
 * @param mask g·g cells, row-major, 1 = keep the original.
 * @param grid g.
 * @param size S.
 */
export function keptPixelFraction(mask: Uint8Array, grid: number, size: number): number {
  check(size, grid);
  if (mask.length !== grid * grid) {
    throw new MixmaskError({
      code: "INVALID_OPTION",
      path: "mask",
      message: "mask length must be grid²",
      expected: `${grid * grid} cells`,
      received: `${mask.length} cells`,
    });
  }
  // Pixels per cell along one side; a cell's pixel count is rows[r]·rows[c] since the map is the same on both axes.
  const pixelsPerCell = new Float64Array(grid);
  for (const cell of cellIndex(size, grid)) pixelsPerCell[cell]! += 1;
  let kept = 0;
  for (let r = 0; r < grid; r++) {
    for (let c = 0; c < grid; c++) if (mask[r * grid + c]) kept += pixelsPerCell[r]! * pixelsPerCell[c]!;
  }
  return kept / (size * size);
}

function check(size: number, grid: number): void {
  if (!(Number.isInteger(size) && size >= 1 && Number.isInteger(grid) && grid >= 1)) {
    throw new MixmaskError({
      code: "INVALID_OPTION",
      path: "size, grid",
      message: "image size and grid must be positive integers",
      expected: "integers ≥ 1",
      received: `size ${size}, grid ${grid}`,
    });
  }
}
