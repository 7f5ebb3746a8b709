import { describe, expect, it } from "vitest";
import { labelledSubset, labelPercent } from "../../src/eval/labelled-subset.js";
import { semiSupervisedEpochs } from "../../src/eval/semi-supervised.js";
import { MixmaskError } from "../../src/errors.js";
import { Rng } from "../../src/random/rng.js";

/** 1 000 labels over 4 classes of unequal sizes (400, 300, 200, 100), interleaved. */
const LABELS = Int32Array.from({ length: 1000 }, (_, i) => (i % 10 < 4 ? 0 : i % 10 < 7 ? 1 : i % 10 < 9 ? 2 : 3));

describe("labelledSubset", () => {
  it("takes the same number of images from every class, without repeats, in index order", () => {
    const subset = labelledSubset(LABELS, 0.1, Rng.stream(0, "labelled-subset"));
    const perClass = [0, 0, 0, 0];
    for (const i of subset) perClass[LABELS[i]!]! += 1;
    expect(perClass).toEqual([25, 25, 25, 25]); // round(0.1 · 1000 / 4)
    expect(new Set(subset).size).toBe(subset.length);
    expect([...subset]).toEqual([...subset].sort((a, b) => a - b));
  });

  it("caps a class at its size and keeps at least one image per class", () => {
    const capped = labelledSubset(LABELS, 0.9, Rng.stream(0, "labelled-subset"));
    const perClass = [0, 0, 0, 0];
    for (const i of capped) perClass[LABELS[i]!]! += 1;
    expect(perClass).toEqual([225, 225, 200, 100]);
    expect(labelledSubset(LABELS, 0.0001, Rng.stream(0, "labelled-subset")).length).toBe(4);
  });

  it("is a function of the seed", () => {
    const a = labelledSubset(LABELS, 0.01, Rng.stream(1, "labelled-subset"));
    expect(labelledSubset(LABELS, 0.01, Rng.stream(1, "labelled-subset"))).toEqual(a);
    expect(labelledSubset(LABELS, 0.01, Rng.stream(2, "labelled-subset"))).not.toEqual(a);
  });

  it("draws every member of a class with equal probability", () => {
    // Class 3 holds 100 images; 2 000 subsets of 25 per class: each image is chosen 2000 · 25/100 = 500 times.
    const counts = new Map<number, number>();
    for (let seed = 0; seed < 2000; seed++) {
      for (const i of labelledSubset(LABELS, 0.1, Rng.stream(seed, "labelled-subset")))
        if (LABELS[i] === 3) counts.set(i, (counts.get(i) ?? 0) + 1);
    }
    expect(counts.size).toBe(100);
    for (const n of counts.values()) expect(Math.abs(n - 500)).toBeLessThan(90); // ±4.5 σ of a binomial(2000, ¼)
  });

  it("refuses fractions outside (0, 1] and negative labels", () => {
    expect(() => labelledSubset(LABELS, 0, new Rng(0))).toThrow(MixmaskError);
    expect(() => labelledSubset(LABELS, 1.5, new Rng(0))).toThrow(/outside \(0, 1\]/);
    expect(() => labelledSubset(Int32Array.from([0, -1]), 0.5, new Rng(0))).toThrow(/labels\[1\]/);
  });
});

describe("semiSupervisedEpochs", () => {
  it("follows SimCLR: 60 epochs at 1 %, 30 at 10 %", () => {
    expect(semiSupervisedEpochs(0.01)).toBe(60);
    expect(semiSupervisedEpochs(0.1)).toBe(30);
    expect(semiSupervisedEpochs(0.001)).toBe(60);
    expect(semiSupervisedEpochs(0.5)).toBe(30);
    expect(semiSupervisedEpochs(0.03)).toBeGreaterThan(30);
  });
});

describe("labelPercent", () => {
  it("writes fractions below 10 % with one decimal", () => {
    expect([0.01, 0.05, 0.1, 0.5].map(labelPercent)).toEqual(["1.0 %", "5.0 %", "10 %", "50 %"]);
  });
});
