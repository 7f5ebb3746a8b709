import { MixmaskError } from "../errors.js";
import type { Rng } from "../random/rng.js";

/**
 * The MixMask release's pairing: sample i is filled from sample N−1−i (the batch reversed). It is an involution, so
 * it is its own inverse; with odd N the middle sample pairs with itself (its "mix" is itself).
 * @param n N, the batch size (integer ≥ 0).
 */
export function reversePartner(n: number): Uint32Array {
  if (!(Number.isInteger(n) && n >= 0)) {
    throw new MixmaskError({
      code: "INVALID_OPTION",
      path: "batchSize",
      message: "batch size must be a non-negative integer",
      expected: "integer ≥ 0",
      received: String(n),
    });
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
 * A pairing drawn inside each rank's shard of the batch, as global positions (rank r holds positions r, r+R, …;
 * src/distributed/shard-layout.ts): a rank holds only its own images, so its mixes can only use them — the release
 * likewise reverses each GPU's own batch. Shards are paired in rank order, each by `pair(n)` on local positions.
 * With one shard this is `pair(N)` itself, so single-process plans are unchanged.
 * @param n N, the global batch size; @param shards R, the ranks (must divide N).
 */
export function pairWithinShards(n: number, shards: number, pair: (size: number) => Uint32Array): Uint32Array {
  if (shards === 1) return pair(n);
  if (!(Number.isInteger(shards) && shards >= 1 && Number.isInteger(n) && n % shards === 0)) {
    throw new MixmaskError({
      code: "INVALID_OPTION",
      path: "ranks",
      message: `a batch of ${n} cannot be split evenly over ${shards} ranks`,
      expected: "ranks ≥ 1 dividing batchSize",
      received: String(shards),
      fix: "choose a --batch-size that is a multiple of --ranks",
    });
  }
  const shardSize = n / shards;
  const partner = new Uint32Array(n);
  for (let rank = 0; rank < shards; rank++) {
    const local = pair(shardSize);
    // Local position j of a rank is global position rank + j·R (the stride of ShardLayout.positionOf).
    for (let j = 0; j < shardSize; j++) partner[rank + j * shards] = rank + local[j]! * shards;
  }
  return partner;
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
      throw new MixmaskError({
        code: "INVALID_OPTION",
        path: `partner[${i}]`,
        message: j >= n ? "partner index out of range" : `partner index ${j} appears twice`,
        expected: `a permutation of 0…${n - 1}`,
        received: String(j),
      });
    }
    seen[j] = 1;
    inverse[j] = i;
  }
  return inverse;
}
