import { MixmaskError } from "../errors.js";

/**
 * The one seeded PRNG family of the SDK (no `Math.random` in method code: one seed drives every random choice, docs/ARCHITECTURE.md).
 *
 * Generator: xoshiro128** (Blackman & Vigna 2018) — 128-bit state, 32-bit outputs, fast with `Math.imul`, and good
 * enough statistically for sampling augmentation and mask parameters.
 *
 * Streams: `Rng.stream(seed, name, ...indices)` hashes (seed, name, indices) with a SplitMix64 chain into the 128-bit
 * state. Every consumer owns a named stream per unit of work (`Rng.stream(seed, "mask", step)`), so the plan of step
 * 9,000 is drawn without replaying steps 0…8,999, and adding draws to one stream never shifts another.
 *
 * Draw methods mirror Python's `random` module where the SDK ports Python algorithms (torchvision's
 * RandomResizedCrop, BEiT's block masking): `uniform` is `random.uniform`, `intInclusive` is `random.randint`.
 * The numbers differ from Python's Mersenne Twister, the algorithms around them do not.
 */
export class Rng {
  private s0 = 0;
  private s1 = 0;
  private s2 = 0;
  private s3 = 0;

  /** Same as `Rng.stream(seed, "")`: a generator for quick use (tests, examples). Method code uses named streams. */
  constructor(seed: number) {
    this.seedFrom(seed, "", []);
  }

  /**
   * An independent, reproducible stream for one consumer and one unit of work.
   * @param seed the run's seed, any safe integer (negative values are taken modulo 2^64).
   * @param name the consumer, e.g. "sampler", "augment", "mask".
   * @param indices safe integers that pick the unit of work, e.g. the epoch or the global step.
   */
  static stream(seed: number, name: string, ...indices: number[]): Rng {
    const rng = new Rng(0);
    rng.seedFrom(seed, name, indices);
    return rng;
  }

  /** The next 32 random bits as an unsigned integer in [0, 2^32). */
  nextUint32(): number {
    const s1 = this.s1;
    const result = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 0;
    const t = s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** A float in [0, 1) with 53 random bits, like Python's `random.random()`. */
  next(): number {
    // Two outputs: 27 + 26 bits fill a double's mantissa, so every multiple of 2^-53 is reachable.
    const a = this.nextUint32() >>> 5;
    const b = this.nextUint32() >>> 6;
    return (a * 67108864 + b) / 9007199254740992;
  }

  /** `a + (b − a)·u` with u in [0, 1), like Python's `random.uniform` (also when a > b; then the result is in (b, a]). */
  uniform(a: number, b: number): number {
    return a + (b - a) * this.next();
  }

  /** An integer in [0, n), exactly uniform (rejection sampling, no modulo bias). n: integer in [1, 2^32]. */
  int(n: number): number {
    if (!(Number.isInteger(n) && n >= 1 && n <= 4294967296)) {
      throw new MixmaskError({
        code: "INVALID_OPTION",
        path: "Rng.int(n)",
        message: "n must be an integer in [1, 2^32]",
        expected: "integer in [1, 4294967296]",
        received: String(n),
      });
    }
    // Outputs at or above `limit` would make the low residues more likely; redraw them (probability < n / 2^32).
    const limit = 4294967296 - (4294967296 % n);
    let r = this.nextUint32();
    while (r >= limit) r = this.nextUint32();
    return r % n;
  }

  /** An integer in [a, b], both ends included, like Python's `random.randint`. a ≤ b, integers, b − a < 2^32. */
  intInclusive(a: number, b: number): number {
    if (!(Number.isInteger(a) && Number.isInteger(b) && a <= b)) {
      throw new MixmaskError({
        code: "INVALID_OPTION",
        path: "Rng.intInclusive(a, b)",
        message: "a and b must be integers with a ≤ b",
        expected: "integers a ≤ b",
        received: `a = ${a}, b = ${b}`,
      });
    }
    return a + this.int(b - a + 1);
  }

  /** True with probability p (one `next()` draw, also for p = 0 or 1, so streams do not depend on p). p in [0, 1]. */
  bernoulli(p: number): boolean {
    if (!(p >= 0 && p <= 1)) {
      throw new MixmaskError({
        code: "INVALID_OPTION",
        path: "Rng.bernoulli(p)",
        message: "p must be a probability",
        expected: "number in [0, 1]",
        received: String(p),
      });
    }
    return this.next() < p;
  }

  /** A uniformly random permutation of 0…n−1 (Fisher–Yates, from the end). n: integer ≥ 0. */
  permutation(n: number): Uint32Array {
    if (!(Number.isInteger(n) && n >= 0 && n <= 4294967296)) {
      throw new MixmaskError({
        code: "INVALID_OPTION",
        path: "Rng.permutation(n)",
        message: "n must be a non-negative integer",
        expected: "integer in [0, 2^32]",
        received: String(n),
      });
    }
    const p = new Uint32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    for (let i = n - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = p[i]!;
      p[i] = p[j]!;
      p[j] = t;
    }
    return p;
  }

  private seedFrom(seed: number, name: string, indices: number[]): void {
    if (!Number.isSafeInteger(seed)) {
      throw new MixmaskError({
        code: "INVALID_OPTION",
        path: "seed",
        message: "the seed must be a safe integer",
        expected: "integer in [-(2^53 − 1), 2^53 − 1]",
        received: String(seed),
      });
    }
    // Length prefixes make the encoding prefix-free: ("ab", [1]) and ("a", …) can never hash the same word sequence.
    let h = absorb(0x6d69786d61736b31n /* "mixmask1" */, BigInt.asUintN(64, BigInt(seed)));
    const bytes = utf8.encode(name);
    h = absorb(h, BigInt(bytes.length));
    for (const byte of bytes) h = absorb(h, BigInt(byte));
    h = absorb(h, BigInt(indices.length));
    for (const [k, index] of indices.entries()) {
      if (!Number.isSafeInteger(index)) {
        throw new MixmaskError({
          code: "INVALID_OPTION",
          path: `Rng.stream(indices[${k}])`,
          message: "stream indices must be safe integers",
          expected: "integer",
          received: String(index),
        });
      }
      h = absorb(h, BigInt.asUintN(64, BigInt(index)));
    }
    const a = mix64((h + GOLDEN) & MASK64);
    const b = mix64((h + 2n * GOLDEN) & MASK64);
    this.s0 = Number(a & 0xffffffffn) | 0;
    this.s1 = Number(a >> 32n) | 0;
    this.s2 = Number(b & 0xffffffffn) | 0;
    this.s3 = Number(b >> 32n) | 0;
    // xoshiro's only bad state is all zeros (it would stay zero); a 2^-128 chance, but cheap to rule out.
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
  }
}

const MASK64 = (1n << 64n) - 1n;
const GOLDEN = 0x9e3779b97f4a7c15n;
const utf8 = new TextEncoder();

/** SplitMix64's finaliser (Steele, Lea & Flood 2014): a bijection on 64-bit words with full avalanche. */
function mix64(z: bigint): bigint {
  z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & MASK64;
  z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & MASK64;
  return z ^ (z >> 31n);
}

function absorb(h: bigint, word: bigint): bigint {
  // Adding the golden gamma keeps (h, word) = (0, 0) from being a fixed point of the chain.
  return mix64(((h ^ word) + GOLDEN) & MASK64);
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}
