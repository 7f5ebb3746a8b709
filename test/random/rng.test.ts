import { describe, expect, it } from "vitest";
import { MixmaskError } from "../../src/errors.js";
import { Rng } from "../../src/random/rng.js";

function draws(rng: Rng, n: number): number[] {
  return Array.from({ length: n }, () => rng.nextUint32());
}

describe("Rng streams", () => {
  it("repeats the same sequence for the same seed, name and indices", () => {
    expect(draws(Rng.stream(7, "augment", 3), 50)).toEqual(draws(Rng.stream(7, "augment", 3), 50));
    expect(draws(new Rng(7), 10)).toEqual(draws(Rng.stream(7, ""), 10));
  });

  it("gives different sequences for different seeds, names, indices and index counts", () => {
    const base = draws(Rng.stream(7, "augment", 3), 8);
    const others = [
      Rng.stream(8, "augment", 3),
      Rng.stream(7, "mask", 3),
      Rng.stream(7, "augment", 4),
      Rng.stream(7, "augment", 3, 0),
      Rng.stream(7, "augment"),
      Rng.stream(-7, "augment", 3),
      Rng.stream(7, "augmen", 3),
    ].map((rng) => draws(rng, 8));
    for (const other of others) expect(other).not.toEqual(base);
    // Neighbouring steps must not be shifted copies of each other (a weak seeding would make them overlap).
    const step0 = new Set(draws(Rng.stream(1, "mask", 0), 1000));
    const step1 = draws(Rng.stream(1, "mask", 1), 1000);
    expect(step1.filter((x) => step0.has(x)).length).toBeLessThan(3);
  });

  it("pins the generator: a change of algorithm or seeding changes every saved plan", () => {
    expect(draws(Rng.stream(0, "sampler", 0), 4)).toEqual(PINNED);
  });

  it("refuses seeds and indices that are not safe integers", () => {
    expect(() => Rng.stream(1.5, "x")).toThrow(MixmaskError);
    expect(() => Rng.stream(2 ** 60, "x")).toThrow(/safe integer/);
    expect(() => Rng.stream(1, "x", Number.NaN)).toThrow(/indices\[0\]/);
  });
});

describe("Rng draws", () => {
  it("next() and uniform() have the moments of a uniform distribution over 100k draws", () => {
    const rng = Rng.stream(11, "moments");
    const n = 100_000;
    let sum = 0;
    let sumSq = 0;
    let min = 1;
    let max = 0;
    for (let i = 0; i < n; i++) {
      const u = rng.next();
      sum += u;
      sumSq += u * u;
      min = Math.min(min, u);
      max = Math.max(max, u);
    }
    const mean = sum / n;
    expect(mean).toBeCloseTo(0.5, 2); // standard error 0.0009
    expect(sumSq / n - mean * mean).toBeCloseTo(1 / 12, 2);
    expect(min).toBeGreaterThanOrEqual(0);
    expect(max).toBeLessThan(1);

    let uSum = 0;
    let uSumSq = 0;
    let outside = 0;
    for (let i = 0; i < n; i++) {
      const x = rng.uniform(-2, 4);
      if (!(x >= -2 && x < 4)) outside += 1;
      uSum += x;
      uSumSq += x * x;
    }
    expect(outside).toBe(0);
    const uMean = uSum / n;
    expect(uMean).toBeCloseTo(1, 1); // standard error 0.005
    expect(uSumSq / n - uMean * uMean).toBeCloseTo(3, 1); // (b − a)² / 12 = 3
  });

  it("uniform(a, b) with a > b stays in (b, a], like Python's random.uniform", () => {
    const rng = Rng.stream(2, "reverse");
    for (let i = 0; i < 1000; i++) {
      const x = rng.uniform(4, 2.5);
      expect(x > 2.5 && x <= 4).toBe(true);
    }
    expect(rng.uniform(3, 3)).toBe(3);
  });

  it("int(n) is unbiased: chi-square over 10 buckets and over thirds of a large n", () => {
    const rng = Rng.stream(3, "int");
    const n = 100_000;
    const counts = new Array<number>(10).fill(0);
    for (let i = 0; i < n; i++) counts[rng.int(10)]! += 1;
    expect(chiSquare(counts)).toBeLessThan(27.88); // 9 degrees of freedom, p = 0.001

    // For n = 3·2^30 a plain `uint32 % n` puts half the mass in the first third; rejection keeps thirds equal.
    const big = 3 * 2 ** 30;
    const thirds = [0, 0, 0];
    for (let i = 0; i < 30_000; i++) thirds[Math.floor(rng.int(big) / 2 ** 30)]! += 1;
    expect(chiSquare(thirds)).toBeLessThan(13.82); // 2 degrees of freedom, p = 0.001
  });

  it("intInclusive(a, b) reaches both ends and nothing outside, like Python's random.randint", () => {
    const rng = Rng.stream(4, "randint");
    const seen = new Set<number>();
    for (let i = 0; i < 2000; i++) seen.add(rng.intInclusive(-2, 3));
    expect([...seen].sort((x, y) => x - y)).toEqual([-2, -1, 0, 1, 2, 3]);
    expect(rng.intInclusive(5, 5)).toBe(5);
    expect(() => rng.intInclusive(3, 2)).toThrow(MixmaskError);
  });

  it("bernoulli(p) hits p and consumes one draw whatever p is", () => {
    const rng = Rng.stream(5, "coin");
    let hits = 0;
    for (let i = 0; i < 100_000; i++) if (rng.bernoulli(0.3)) hits += 1;
    expect(hits / 100_000).toBeCloseTo(0.3, 2);
    const a = Rng.stream(5, "coin");
    const b = Rng.stream(5, "coin");
    expect(a.bernoulli(0)).toBe(false);
    expect(b.bernoulli(1)).toBe(true);
    expect(a.next()).toBe(b.next());
    expect(() => a.bernoulli(1.5)).toThrow(/probability/);
  });

  it("permutation(n) is a permutation, reproducible, and moves every position", () => {
    const p = Rng.stream(6, "perm").permutation(1000);
    expect([...p].sort((x, y) => x - y)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    expect(p).toEqual(Rng.stream(6, "perm").permutation(1000));
    expect(Rng.stream(6, "perm").permutation(0)).toEqual(new Uint32Array(0));
    // Over many permutations of 5, position 0 takes each value about 1/5 of the time (Fisher–Yates done wrong does not).
    const rng = Rng.stream(6, "perm-uniform");
    const first = [0, 0, 0, 0, 0];
    for (let i = 0; i < 20_000; i++) first[rng.permutation(5)[0]!]! += 1;
    expect(chiSquare(first)).toBeLessThan(18.47); // 4 degrees of freedom, p = 0.001
  });

  it("refuses invalid arguments with MixmaskError INVALID_OPTION", () => {
    const rng = new Rng(1);
    for (const bad of [0, -1, 1.5, 2 ** 33]) {
      expect(() => rng.int(bad)).toThrow(MixmaskError);
    }
    try {
      rng.int(0);
    } catch (error) {
      expect((error as MixmaskError).code).toBe("INVALID_OPTION");
    }
  });
});

function chiSquare(counts: number[]): number {
  const total = counts.reduce((a, b) => a + b, 0);
  const expected = total / counts.length;
  return counts.reduce((acc, c) => acc + (c - expected) ** 2 / expected, 0);
}

// Recorded from this implementation (xoshiro128**, SplitMix64-chain seeding); see the test above.
const PINNED = [2399748580, 2106278129, 702607527, 3512159686];
