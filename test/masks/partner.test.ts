import { describe, expect, it } from "vitest";
import { MixmaskError } from "../../src/errors.js";
import { inversePermutation, reversePartner } from "../../src/masks/partner.js";
import { Rng } from "../../src/random/rng.js";

describe("reversePartner", () => {
  it("pairs i with N−1−i and is its own inverse", () => {
    expect(Array.from(reversePartner(6))).toEqual([5, 4, 3, 2, 1, 0]);
    expect(Array.from(reversePartner(5))).toEqual([4, 3, 2, 1, 0]);
    const p = reversePartner(9);
    expect(inversePermutation(p)).toEqual(p);
    expect(reversePartner(0)).toHaveLength(0);
  });
});

describe("inversePermutation", () => {
  it("satisfies inverse[p[i]] = i for random permutations", () => {
    const rng = Rng.stream(1, "inverse");
    for (const n of [1, 2, 7, 100]) {
      const p = rng.permutation(n);
      const inverse = inversePermutation(p);
      for (let i = 0; i < n; i++) expect(inverse[p[i]!]).toBe(i);
    }
    expect(Array.from(inversePermutation(Uint32Array.from([2, 0, 1])))).toEqual([1, 2, 0]);
  });

  it("refuses arrays that are not permutations", () => {
    expect(() => inversePermutation(Uint32Array.from([0, 0, 1]))).toThrow(/appears twice/);
    expect(() => inversePermutation(Uint32Array.from([0, 3, 1]))).toThrow(MixmaskError);
  });
});
