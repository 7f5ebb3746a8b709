import { mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { KnnResult } from "../../src/eval/knn.js";
import type { LinearProbeResult } from "../../src/eval/linear-probe.js";
import { belowPixels, pixelBaseline, type PixelBaselineKey } from "../../src/eval/pixel-baseline.js";

const knn = (top1: number): KnnResult => ({
  protocol: "weighted-knn",
  k: 200,
  temperature: 0.1,
  top1,
  top5: 0.99,
  trainCount: 10_000,
  testCount: 2000,
  seconds: 1,
});
const probe = (lastTop1: number): LinearProbeResult =>
  ({ protocol: "linear-probe", lastTop1, bestTop1: lastTop1 }) as LinearProbeResult;
const key: PixelBaselineKey = {
  bankId: "fashion-mnist-train-0123456789abcdef",
  testId: "fashion-mnist-test-fedcba9876543210",
  knn: { k: 200, temperature: 0.1 },
  linearProbe: { epochs: 100, seed: 7 },
};

/** Measures that count their calls, standing in for the worker's k-NN and probe on centred pixels. */
function counting(top1 = 0.791): {
  calls: string[];
  knn(): Promise<KnnResult>;
  linearProbe(): Promise<LinearProbeResult>;
} {
  const calls: string[] = [];
  return {
    calls,
    knn: async () => (calls.push("knn"), knn(top1)),
    linearProbe: async () => (calls.push("probe"), probe(0.8135)),
  };
}

describe("pixelBaseline", () => {
  it("measures once per dataset content and protocol, then reads the cache", async () => {
    const cacheDir = mkdtempSync(join(tmpdir(), "mixmask-pixels-"));
    const first = counting();
    const a = await pixelBaseline(first, key, { cacheDir });
    expect(first.calls).toEqual(["knn", "probe"]);
    expect(a).toMatchObject({
      cached: false,
      knn: { top1: 0.791, features: "centred-pixels", bankImages: 10_000, testImages: 2000 },
      linearProbe: { lastTop1: 0.8135 },
    });
    const second = counting(0.5);
    const b = await pixelBaseline(second, key, { cacheDir });
    expect(second.calls).toEqual([]);
    expect(b).toEqual({ ...a, cached: true });
    // Another protocol (k), another test set, or another probe seed is another entry.
    for (const other of [
      { ...key, knn: { k: 20, temperature: 0.1 } },
      { ...key, testId: "fashion-mnist-test-0000000000000000" },
      { ...key, linearProbe: { epochs: 100, seed: 8 } },
    ]) {
      const again = counting();
      expect((await pixelBaseline(again, other, { cacheDir })).cached).toBe(false);
      expect(again.calls).toEqual(["knn", "probe"]);
    }
    const none = counting();
    expect((await pixelBaseline(none, { ...key, linearProbe: null }, { cacheDir })).linearProbe).toBeNull();
    expect(none.calls).toEqual(["knn"]);
  });

  it("measures again over a torn cache entry and replaces it", async () => {
    const cacheDir = mkdtempSync(join(tmpdir(), "mixmask-pixels-"));
    await pixelBaseline(counting(), key, { cacheDir });
    const [file] = readdirSync(cacheDir);
    writeFileSync(join(cacheDir, file!), '{"key": {"vers');
    const again = counting();
    expect((await pixelBaseline(again, key, { cacheDir })).cached).toBe(false);
    expect(again.calls).toEqual(["knn", "probe"]);
    expect((await pixelBaseline(counting(), key, { cacheDir })).cached).toBe(true);
  });
});

describe("belowPixels", () => {
  const pixels = {
    knn: { ...knn(0.791), features: "centred-pixels" as const, bankImages: 10_000, testImages: 2000 },
    linearProbe: probe(0.8135),
  };
  it("names each protocol where the trained encoder does not beat the pixels, with the numbers", () => {
    const words = belowPixels(pixels, { knn: knn(0.7625), linearProbe: probe(0.8) });
    expect(words).toHaveLength(2);
    expect(words[0]).toContain("k-NN top-1 0.7625 does not beat the centred pixels' 0.7910 (-2.85 points)");
    expect(words[1]).toContain("linear probe top-1 0.8000");
    expect(belowPixels(pixels, { knn: knn(0.82), linearProbe: probe(0.85) })).toEqual([]);
    expect(belowPixels(undefined, { knn: knn(0.1) })).toEqual([]);
  });
});
