import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { LossTerm } from "../../src/frameworks/loss-term.js";
import { HealthMonitor, uniformLoss, type HealthWarning } from "../../src/train/health-monitor.js";

/** Step metrics recorded from real runs (their commands are in the file's `source` fields). */
interface Recorded {
  source: string;
  uniformLoss: number;
  queueSize: number;
  batchSize: number;
  stepsPerEpoch: number;
  step: number[];
  epoch: number[];
  loss: number[];
  positiveTop1: number[];
  embeddingStd: number[];
}
const recorded = JSON.parse(
  readFileSync(new URL("../fixtures/health/recorded-series.json", import.meta.url), "utf8"),
) as Record<string, Recorded>;

function replay(r: Recorded, pixelKnn?: number): HealthWarning[] {
  const monitor = new HealthMonitor({
    stepsPerEpoch: r.stepsPerEpoch,
    warmupSteps: Math.max(Math.ceil(r.queueSize / r.batchSize), r.stepsPerEpoch),
    positiveChance: 1 / (r.queueSize + 1),
    ...(pixelKnn !== undefined ? { pixelKnn } : {}),
  });
  return r.step.flatMap((step, i) =>
    monitor.observeStep({
      step,
      epoch: r.epoch[i]!,
      loss: r.loss[i]!,
      uniformLoss: r.uniformLoss,
      positiveTop1: r.positiveTop1[i]!,
      embeddingStd: r.embeddingStd[i]!,
    }),
  );
}

const term = (kind: LossTerm["kind"], weight: number, sampleWeights?: number[]): LossTerm => ({
  kind,
  anchor: { input: "view0", encoder: "online" },
  positive: { input: "view1", encoder: "momentum" },
  weight,
  temperature: 0.2,
  ...(sampleWeights ? { sampleWeights: Float32Array.from(sampleWeights) } : {}),
});

describe("uniformLoss", () => {
  it("is Σ weight · mean(sample weights) · ln(candidates): K + 1 with a queue, 2N − 1 for NT-Xent", () => {
    // MixMask: q·k ×1, then the mixed query's two terms weighted by λ and 1 − λ per sample.
    const mixmask = [
      term("info_nce_queue", 1),
      term("info_nce_queue", 1, [0.25, 0.75]),
      term("info_nce_queue", 1, [0.75, 0.25]),
    ];
    expect(uniformLoss(mixmask, 4096, 2)).toBeCloseTo(2 * Math.log(4097), 10);
    expect(uniformLoss([term("nt_xent", 1)], 4096, 256)).toBeCloseTo(Math.log(511), 10);
    expect(uniformLoss([term("info_nce_queue", 0.5), term("info_nce_queue", 0.5)], 65536, 256)).toBeCloseTo(
      Math.log(65537),
      10,
    );
  });

  it("has no value when a term is a cosine kind (their collapse shows in the spread)", () => {
    expect(uniformLoss([term("negative_cosine", 1)], 0, 256)).toBeNull();
    expect(uniformLoss([term("info_nce_queue", 1), term("normalized_mse", 1)], 4096, 256)).toBeNull();
  });
});

describe("HealthMonitor on recorded runs", () => {
  it("flags the run made to collapse (lr 20): spread, then loss at its uniform value", () => {
    const warnings = replay(recorded["collapse-lr20"]!);
    const checks = warnings.map((w) => w.check);
    expect(checks).toContain("spread-collapse");
    expect(checks).toContain("loss-at-uniform");
    const loss = warnings.find((w) => w.check === "loss-at-uniform")!;
    expect(loss.value).toBeGreaterThanOrEqual(loss.threshold);
    expect(loss.threshold).toBeCloseTo(0.99 * 2 * Math.log(257), 6);
    expect(loss.fix).toMatch(/--lr/);
    // Each check warns once while it keeps failing (the run stays collapsed to its end).
    expect(new Set(checks).size).toBe(checks.length);
  });

  it("stays silent on healthy CPU-preset runs, through the early dip of spread and rise of loss", () => {
    expect(replay(recorded["healthy-mixmask-k4096"]!)).toEqual([]);
    expect(replay(recorded["healthy-none-k4096"]!)).toEqual([]);
  });

  it("says nothing before the warm-up (queue filled, first epoch done)", () => {
    const r = recorded["collapse-lr20"]!;
    const first = replay(r)[0]!;
    expect(first.step + 1).toBeGreaterThanOrEqual(r.stepsPerEpoch);
  });
});

describe("HealthMonitor checks", () => {
  const settings = { stepsPerEpoch: 10, warmupSteps: 10, positiveChance: 1 / 65, window: 5 };
  const steady = (
    m: HealthMonitor,
    n: number,
    s: Partial<{ loss: number; positiveTop1: number; embeddingStd: number }>,
  ): HealthWarning[] =>
    Array.from({ length: n }, (_, step) =>
      m.observeStep({
        step,
        epoch: Math.floor(step / 10),
        loss: 3,
        uniformLoss: 4.17,
        positiveTop1: 0.3,
        embeddingStd: 0.5,
        ...s,
      }),
    ).flat();

  it("warns when positive-key top-1 is pinned near 1 or near chance", () => {
    expect(steady(new HealthMonitor(settings), 20, { positiveTop1: 1 }).map((w) => w.check)).toEqual([
      "positive-top1-pinned",
    ]);
    const low = steady(new HealthMonitor(settings), 20, { positiveTop1: 0.01 });
    expect(low.map((w) => [w.check, w.threshold])).toEqual([["positive-top1-pinned", 2 / 65]]);
    expect(steady(new HealthMonitor(settings), 20, {})).toEqual([]);
  });

  it("warns again only after the check recovered", () => {
    const m = new HealthMonitor(settings);
    const at = (step: number, loss: number): HealthWarning[] =>
      m.observeStep({ step, epoch: 0, loss, uniformLoss: 4.17, positiveTop1: 0.3, embeddingStd: 0.5 });
    const seen = [
      ...Array.from({ length: 20 }, (_, s) => at(s, 4.17)),
      ...Array.from({ length: 10 }, (_, s) => at(20 + s, 3)),
      ...Array.from({ length: 10 }, (_, s) => at(30 + s, 4.17)),
    ].flat();
    expect(seen.map((w) => w.step)).toEqual([9, 34]);
  });

  it("warns when k-NN stays at or below the pixels for 3 monitor points, not before", () => {
    const m = new HealthMonitor({ ...settings, pixelKnn: 0.79 });
    const points = [0.7, 0.75, 0.8, 0.7, 0.78, 0.79, 0.6].map((top1, i) =>
      m.observeKnn({ epoch: 5 * (i + 1), step: 100 * (i + 1), top1 }),
    );
    expect(points.map((w) => w.length)).toEqual([0, 0, 0, 0, 0, 1, 0]);
    expect(points[5]![0]).toMatchObject({ check: "knn-below-pixels", value: 0.79, threshold: 0.79, epoch: 30 });
    expect(new HealthMonitor(settings).observeKnn({ epoch: 5, step: 1, top1: 0 })).toEqual([]); // no pixel baseline
  });

  it("lists a check as failing only until it recovers (the progress line shows these, not the last warning)", () => {
    const m = new HealthMonitor({ ...settings, pixelKnn: 0.79, knnPatience: 2 });
    const failing = [0.7, 0.75, 0.78, 0.8, 0.81].map((top1, i) => {
      m.observeKnn({ epoch: 5 * (i + 1), step: 100 * (i + 1), top1 });
      return m.failingChecks;
    });
    expect(failing).toEqual([[], ["knn-below-pixels"], ["knn-below-pixels"], [], []]);
  });
});
