import { describe, expect, it } from "vitest";
import { MixmaskError } from "../../src/errors.js";
import { EpochSampler } from "../../src/data/epoch-sampler.js";

function epochIndices(sampler: EpochSampler, epoch: number): number[] {
  const out: number[] = [];
  for (let b = 0; b < sampler.batchesPerEpoch; b++) out.push(...sampler.batch(epoch, b));
  return out;
}

describe("EpochSampler", () => {
  it("visits every index exactly once per epoch when dropLast is false", () => {
    const sampler = new EpochSampler({ count: 103, batchSize: 10, seed: 1, dropLast: false });
    expect(sampler.batchesPerEpoch).toBe(11);
    expect(sampler.batch(0, 10)).toHaveLength(3);
    const seen = epochIndices(sampler, 0).sort((a, b) => a - b);
    expect(seen).toEqual(Array.from({ length: 103 }, (_, i) => i));
  });

  it("drops the incomplete tail by default", () => {
    const sampler = new EpochSampler({ count: 103, batchSize: 10, seed: 1 });
    expect(sampler.batchesPerEpoch).toBe(10);
    const seen = epochIndices(sampler, 0);
    expect(seen).toHaveLength(100);
    expect(new Set(seen).size).toBe(100);
    for (let b = 0; b < 10; b++) expect(sampler.batch(0, b)).toHaveLength(10);
    expect(() => sampler.batch(0, 10)).toThrow(/out of range/);
  });

  it("shuffles each epoch differently and reproducibly, without replaying earlier epochs", () => {
    const a = new EpochSampler({ count: 1000, batchSize: 100, seed: 5 });
    const b = new EpochSampler({ count: 1000, batchSize: 100, seed: 5 });
    const e0 = epochIndices(a, 0);
    const e1 = epochIndices(a, 1);
    expect(e0).not.toEqual(e1);
    expect(e0).not.toEqual(Array.from({ length: 1000 }, (_, i) => i));
    // b asks for epoch 1 first, then 0: same batches as a.
    expect(epochIndices(b, 1)).toEqual(e1);
    expect(epochIndices(b, 0)).toEqual(e0);
    expect(epochIndices(new EpochSampler({ count: 1000, batchSize: 100, seed: 6 }), 0)).not.toEqual(e0);
  });

  it("returns a copy the caller may modify", () => {
    const sampler = new EpochSampler({ count: 20, batchSize: 4, seed: 1 });
    const first = sampler.batch(2, 0);
    const copy = Array.from(first);
    first.fill(0);
    expect(Array.from(sampler.batch(2, 0))).toEqual(copy);
  });

  it("keeps index order when shuffle is false", () => {
    const sampler = new EpochSampler({ count: 10, batchSize: 4, seed: 1, shuffle: false, dropLast: false });
    expect(Array.from(sampler.batch(3, 2))).toEqual([8, 9]);
    expect(Array.from(sampler.batch(0, 0))).toEqual([0, 1, 2, 3]);
  });

  it("validates options and lists every problem", () => {
    expect(() => new EpochSampler({ count: 10, batchSize: 1, seed: 0 })).toThrow(/batchSize/);
    expect(() => new EpochSampler({ count: 10, batchSize: 11, seed: 0 })).toThrow(/dropLast/);
    expect(new EpochSampler({ count: 10, batchSize: 11, seed: 0, dropLast: false }).batchesPerEpoch).toBe(1);
    try {
      new EpochSampler({ count: 0.5, batchSize: 2.5, seed: Number.NaN });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(MixmaskError);
      expect((e as MixmaskError).issues.map((i) => i.path)).toEqual(["count", "batchSize", "seed"]);
    }
    expect(() => new EpochSampler({ count: 10, batchSize: 2, seed: 0 }).batch(-1, 0)).toThrow(/epoch/);
  });
});
