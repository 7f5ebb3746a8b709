import { describe, expect, it } from "vitest";
import { syntheticDataset } from "../../src/data/synthetic.js";
import { MixmaskError } from "../../src/errors.js";

const all = (n: number) => Array.from({ length: n }, (_, i) => i);

describe("seeded synthetic dataset", () => {
  it("is the same for the same seed, different for another, and images read alone equal images read together", async () => {
    const a = syntheticDataset({ trainImages: 40, testImages: 10, size: 8, seed: 3 });
    const b = syntheticDataset({ trainImages: 40, testImages: 10, size: 8, seed: 3 });
    const c = syntheticDataset({ trainImages: 40, testImages: 10, size: 8, seed: 4 });
    expect(await a.train.read(all(40))).toEqual(await b.train.read(all(40)));
    expect(Array.from(a.train.labels)).toEqual(Array.from(b.train.labels));
    expect(await a.train.read(all(40))).not.toEqual(await c.train.read(all(40)));
    const together = await a.train.read([5, 17]);
    const alone = await a.train.read([17]);
    expect(together.subarray(8 * 8 * 3)).toEqual(alone);
    expect(await a.test.read([0])).not.toEqual(await a.train.read([0])); // splits have their own streams
  });

  it("has labels in range and classes that raw-pixel nearest-centroid separates far above chance", async () => {
    const { train, test } = syntheticDataset({ trainImages: 400, testImages: 100, size: 8, numClasses: 4, seed: 1 });
    expect(Array.from(train.labels).every((l) => l >= 0 && l < 4)).toBe(true);
    expect(new Set(train.labels).size).toBe(4);
    const d = 8 * 8 * 3;
    const pixels = await train.read(all(400));
    const centroids = Array.from({ length: 4 }, () => new Float64Array(d));
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < 400; i++) {
      const l = train.labels[i]!;
      counts[l]!++;
      for (let k = 0; k < d; k++) centroids[l]![k]! += pixels[i * d + k]!;
    }
    centroids.forEach((c, l) => c.forEach((v, k) => (c[k] = v / counts[l]!)));
    const queries = await test.read(all(100));
    let correct = 0;
    for (let i = 0; i < 100; i++) {
      const dist = centroids.map((c) => c.reduce((s, v, k) => s + (v - queries[i * d + k]!) ** 2, 0));
      if (dist.indexOf(Math.min(...dist)) === test.labels[i]) correct++;
    }
    expect(correct).toBeGreaterThan(60); // chance is 25
  });

  it("makes grey images and refuses impossible options, listing each", () => {
    expect(syntheticDataset({ trainImages: 2, testImages: 2, channels: 1 }).train.channels).toBe(1);
    let error: unknown;
    try {
      syntheticDataset({ trainImages: 0, testImages: 2, numClasses: 1 });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(MixmaskError);
    expect((error as MixmaskError).issues.map((i) => i.path)).toEqual(["trainImages", "numClasses"]);
  });
});
