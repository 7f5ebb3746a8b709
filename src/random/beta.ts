import { MixmaskError } from "../errors.js";
import type { Rng } from "./rng.js";

/**
 * A Beta(a, b) draw as X / (X + Y) with X ~ Gamma(a), Y ~ Gamma(b) (Un-Mix draws λ ~ Beta(α, α), α = 1 by default,
 * which is U(0, 1)). Gamma by Marsaglia & Tsang (2000), with the a < 1 boost Gamma(a) = Gamma(a + 1)·U^(1/a).
 */
export function drawBeta(rng: Rng, a: number, b: number): number {
  if (!(a > 0 && b > 0 && Number.isFinite(a) && Number.isFinite(b))) {
    throw new MixmaskError({
      code: "INVALID_OPTION",
      path: "beta(a, b)",
      message: "Beta's parameters must be positive",
      expected: "finite numbers > 0 (Un-Mix: α = 1)",
      received: `a = ${a}, b = ${b}`,
    });
  }
  const x = drawGamma(rng, a);
  const y = drawGamma(rng, b);
  return x / (x + y);
}

function drawGamma(rng: Rng, shape: number): number {
  if (shape < 1) return drawGamma(rng, shape + 1) * (1 - rng.next()) ** (1 / shape);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do {
      x = standardNormal(rng);
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = 1 - rng.next(); // (0, 1]: log(u) is finite
    if (Math.log(u) < 0.5 * x * x + d - d * v + d * Math.log(v)) return d * v;
  }
}

/** Box–Muller; one of the pair is discarded so that each call consumes a fixed number of draws. */
function standardNormal(rng: Rng): number {
  const u = 1 - rng.next();
  const v = rng.next();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}
