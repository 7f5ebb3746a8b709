import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { loadFashionMnist } from "../../src/data/fashion-mnist.js";
import type { ImageDataset } from "../../src/data/image-dataset.js";
import type { RunBaselines } from "../../src/eval/pixel-baseline.js";
import type { HealthWarning } from "../../src/train/health-monitor.js";
import type { PretrainSummary } from "../../src/train/pretrain.js";

/**
 * The pixel baseline and the learning-health monitor through the real CLI and worker, on 512 / 256 Fashion-MNIST
 * images at width 8 (8 steps per epoch; about a minute per run on 2 cores). The run made to collapse is the same
 * MoCo v2 + MixMask with lr 20: its embeddings collapse within the first epoch (docs/EVALUATION.md, Learning health).
 */
const cacheDir = mkdtempSync(join(tmpdir(), "mixmask-health-cache-"));
const cli = (...args: string[]) =>
  spawnSync(process.execPath, ["bin/mixmask.js", ...args], {
    encoding: "utf8",
    timeout: 600_000,
    env: { ...process.env, MIXMASK_CACHE_DIR: cacheDir },
  });
const tiny = (runDir: string, ...more: string[]): string[] => [
  "pretrain",
  "--preset",
  "cpu",
  "--device",
  "cpu",
  "--threads",
  "1",
  "--train-images",
  "512",
  "--test-images",
  "256",
  "--base-width",
  "8",
  "--head-hidden-dim",
  "32",
  "--head-out-dim",
  "16",
  "--batch-size",
  "64",
  "--queue-size",
  "256",
  "--knn-k",
  "20",
  "--linear-probe-epochs",
  "10",
  "--checkpoint-every",
  "0",
  "--run-dir",
  runDir,
  ...more,
];
const json = <T>(file: string): T => JSON.parse(readFileSync(file, "utf8")) as T;
const lines = <T>(file: string): T[] =>
  readFileSync(file, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l) as T);

/** Weighted cosine k-NN (k = 20, T = 0.1) on pixels / 255 minus the bank's mean image, written out independently. */
function centredPixelKnn(bank: ImageDataset, test: ImageDataset, k: number, t: number): number {
  const d = bank.height * bank.width * bank.channels;
  const mean = new Float64Array(d);
  for (let i = 0; i < bank.count; i++)
    for (let j = 0; j < d; j++) mean[j]! += bank.pixels[i * d + j]! / 255 / bank.count;
  const unit = (ds: ImageDataset): Float64Array[] =>
    Array.from({ length: ds.count }, (_, i) => {
      const v = Float64Array.from({ length: d }, (_, j) => ds.pixels[i * d + j]! / 255 - mean[j]!);
      const norm = Math.hypot(...v);
      return v.map((x) => x / norm);
    });
  const b = unit(bank);
  let hits = 0;
  for (const [qi, q] of unit(test).entries()) {
    const sims = b
      .map((v, i) => ({ s: v.reduce((a, x, j) => a + x * q[j]!, 0), label: bank.labels[i]! }))
      .sort((x, y) => y.s - x.s);
    const votes = new Float64Array(bank.numClasses);
    for (const n of sims.slice(0, k)) votes[n.label]! += Math.exp(n.s / t);
    if (votes.indexOf(Math.max(...votes)) === test.labels[qi]) hits++;
  }
  return hits / test.count;
}

describe("pixel baseline and learning health through the CLI", () => {
  const healthy = mkdtempSync(join(tmpdir(), "mixmask-healthy-"));
  const collapsing = mkdtempSync(join(tmpdir(), "mixmask-collapse-"));
  const stopped = mkdtempSync(join(tmpdir(), "mixmask-stop-"));
  let runs: Record<"healthy" | "collapsing" | "stopped", ReturnType<typeof cli>>;
  beforeAll(() => {
    runs = {
      // Plain MoCo v2 at the CPU preset's lr: learns without any warning in 6 epochs.
      healthy: cli(...tiny(healthy, "--masker", "none", "--epochs", "6")),
      collapsing: cli(...tiny(collapsing, "--epochs", "4", "--lr", "20")),
      stopped: cli(...tiny(stopped, "--epochs", "4", "--lr", "20", "--on-collapse", "stop")),
    };
  }, 1_200_000);

  it("writes baselines.json and summary `baselines` with the centred pixels' k-NN, as an independent recomputation", async () => {
    expect(runs.healthy.status, runs.healthy.stderr).toBe(0);
    const baselines = json<RunBaselines>(join(healthy, "baselines.json"));
    const summary = json<PretrainSummary>(join(healthy, "summary.json"));
    expect(summary.baselines).toEqual(baselines);
    expect(baselines.pixels.cached).toBe(false);
    expect(baselines.pixels.knn).toMatchObject({
      features: "centred-pixels",
      k: 20,
      temperature: 0.1,
      bankImages: 512,
      testImages: 256,
    });
    expect(baselines.untrained.knn.top1).toBe(summary.knnInit.top1);
    expect(baselines.pixels.linearProbe).toMatchObject({ featureDim: 784, trainCount: 512, testCount: 256 });
    const { train, test } = await loadFashionMnist({ trainImages: 512, testImages: 256 });
    expect(baselines.pixels.knn.top1).toBeCloseTo(centredPixelKnn(train, test, 20, 0.1), 6);
    expect(runs.healthy.stdout).toMatch(/k-NN top-1 \(k=20, T=0\.1\), centred pixels\s+0\.\d{4}/);
    const report = readFileSync(join(healthy, "report.md"), "utf8");
    expect(report).toContain("| protocol | centred pixels | untrained encoder | trained encoder |");
    expect(report).toContain(`| k-NN top-1 | ${baselines.pixels.knn.top1.toFixed(4)} |`);
    // Below the pixels at this budget: said in words, in the terminal, the report and the summary.
    expect(summary.knnFinal.top1).toBeLessThan(baselines.pixels.knn.top1);
    expect(summary.belowPixels?.[0]).toContain("does not beat the centred pixels");
    expect(runs.healthy.stdout).toContain("warning: the trained encoder's k-NN top-1");
    expect(report).toContain("**Not better than the pixels.**");
  });

  it("reads the pixel baseline from its cache in a second run on the same data and protocol", () => {
    const second = json<RunBaselines>(join(collapsing, "baselines.json"));
    const first = json<RunBaselines>(join(healthy, "baselines.json"));
    expect(second.pixels.cached).toBe(true);
    expect(second.pixels.knn).toEqual(first.pixels.knn);
    expect(runs.collapsing.stderr).toContain("pixel baseline (centred pixels, from the cache)");
  });

  it("gives no warning on the healthy run", () => {
    expect(lines<HealthWarning>(join(healthy, "health.jsonl"))).toEqual([]);
    expect(json<PretrainSummary>(join(healthy, "summary.json")).health).toEqual([]);
    expect(readFileSync(join(healthy, "report.md"), "utf8")).toContain("## Learning health\n\nNo warnings");
  });

  it("warns on the collapsing run: health.jsonl, the progress line, the terminal summary and report.md", () => {
    expect(runs.collapsing.status, runs.collapsing.stderr).toBe(0);
    const warnings = lines<HealthWarning>(join(collapsing, "health.jsonl"));
    const checks = warnings.map((w) => w.check);
    expect(checks).toContain("spread-collapse");
    expect(checks).toContain("loss-at-uniform");
    for (const w of warnings)
      expect(Object.keys(w).sort()).toEqual(["check", "epoch", "fix", "message", "step", "threshold", "value"]);
    expect(runs.collapsing.stderr).toMatch(/health warning at step \d+ \(epoch \d\), spread-collapse: .*\n {2}fix: /);
    expect(runs.collapsing.stderr).toMatch(/\| health: [a-z-]+(, [a-z-]+)*\n/); // the checks failing now
    expect(runs.collapsing.stdout).toContain("health warning at step");
    const report = readFileSync(join(collapsing, "report.md"), "utf8");
    expect(report).toContain("## Learning health");
    expect(report).toContain("| spread-collapse |");
  });

  it("stops the collapsing run with --on-collapse stop: a checkpoint, LEARNING_COLLAPSED and exit status 3", () => {
    expect(runs.stopped.status, runs.stopped.stderr).toBe(3);
    expect(runs.stopped.stderr).toMatch(
      /mixmask: \[LEARNING_COLLAPSED\] stopped after step (\d+) of 32 \(--on-collapse stop\): spread-collapse/,
    );
    expect(runs.stopped.stderr).toMatch(/\n {2}fix: lower --lr/);
    const step = Number(/stopped after step (\d+)/.exec(runs.stopped.stderr)![1]);
    expect(step).toBeLessThan(32);
    const latest = json<{ step: number }>(join(stopped, "checkpoints", "latest.json"));
    expect(latest.step).toBe(step);
    expect(existsSync(join(stopped, "summary.json"))).toBe(false);
    // The pinned top-1 came first but only warns; the spread's collapse stopped the run.
    expect(lines<HealthWarning>(join(stopped, "health.jsonl")).map((w) => w.check)).toEqual([
      "positive-top1-pinned",
      "spread-collapse",
    ]);
  });
});
