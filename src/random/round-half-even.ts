/**
 * Python's `round()` for the values the ported algorithms round: halves go to the even neighbour
 * (`round(2.5) == 2`, `round(3.5) == 4`), unlike `Math.round`, which sends halves up. torchvision's crop sizes and
 * BEiT's block sides depend on it, so the ports must use it to draw the same boxes from the same uniforms.
 */
export function roundHalfEven(x: number): number {
  const f = Math.floor(x);
  const d = x - f; // exact for every finite double
  if (d < 0.5) return f;
  if (d > 0.5) return f + 1;
  return f % 2 === 0 ? f : f + 1;
}
