import { MixmaskError } from "../errors.js";
import type { Rng } from "../random/rng.js";

/**
 * The MixMask release's pairing: sample i is filled from sample N−1−i (the batch reversed). It is an involution, so
 * it is its own inverse; with odd N the middle sample pairs with itself (its "mix" is itself).
 * @param n N, the batch size (integer ≥ 0).
 */
export function reversePartner(n: number): Uint32Array {
  if (!(Number.isInteger(n) && n >= 0)) {
    throw new MixmaskError({ code: "INVALID_OPTION", path: "batchSize", message: "batch size must be a non-negative integer", expected: "integer ≥ 0", received: String(n) });
  }
  const partner = new Uint32Array(n);
  for (let i = 0; i < n; i++) partner[i] = n - 1 - i;
  return partner;
}

/**
 * A uniformly random pairing (the release's "MixMask + Un-Mix" variant): sample i is filled from sample perm[i].
 * @param rng the step's pairing stream.
 * @param n N, the batch size.
 */
export function randomPartner(rng: Rng, n: number): Uint32Array {
  return rng.permutation(n);
}

/**
 * The inverse pairing: inverse[p[i]] = i (numpy's argsort of a permutation). MixMask's complementary term uses it to
 * line each key up with the mixed view that holds the rest of its image: q_sw = q_mix[inverse].
 * Throws INVALID_OPTION when `p` is not a permutation of 0…N−1.
 */
export function inversePermutation(p: Uint32Array): Uint32Array {
  const n = p.length;
  const inverse = new Uint32Array(n);
  const seen = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const j = p[i]!;
    if (j >= n || seen[j]) {
      throw new MixmaskError({ code: "INVALID_OPTION", path: `partner[${i}]`, message: j >= n ? "partner index out of range" : `partner index ${j} appears twice`, expected: `a permutation of 0…${n - 1}`, received: String(j) });
    }
    seen[j] = 1;
    inverse[j] = i;
  }
  return inverse;
}
