import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PNG } from "pngjs";
import { describe, expect, it } from "vitest";

const cli = (...args: string[]) =>
  spawnSync(process.execPath, ["bin/mixmask.js", ...args], { encoding: "utf8", timeout: 300_000 });

describe("mixmask CLI", () => {
  it("names every bad option, what it accepts and what it got, before starting a worker", () => {
    const r = cli("pretrain", "--batch-size", "2", "--masker", "cutout", "--keep-ratio", "1.5");
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("[INVALID_OPTION] 3 invalid options");
    expect(r.stderr).toMatch(/--batch-size: .*expected an integer ≥ 4 and ≤ 8192, received 2/);
    expect(r.stderr).toMatch(/--masker: .*one of "none", "mixmask", "unmix", "both", "erase"/);
    expect(r.stderr).toContain("--keep-ratio");
  });

  it("refuses an unknown flag and suggests the right one", () => {
    const r = cli("pretrain", "--batch-sise", "64");
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain("unknown option '--batch-sise'");
    expect(r.stderr).toContain("--batch-size");
  });

  it("says how to install the dataset when it is missing", () => {
    const r = cli("pretrain", "--data-dir", "/nonexistent/fashion");
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("DATASET_MISSING");
    expect(r.stderr).toContain("apt-get install dataset-fashion-mnist");
  });

  it("doctor prints the facts of this machine and exits 0 when nothing is missing", () => {
    const r = cli("doctor");
    expect(r.stdout).toMatch(/node\s+v\d+/);
    expect(r.stdout).toMatch(/torch\s+\d+\.\d+/);
    expect(r.stdout).toMatch(/device\s+(cpu|cuda)/);
    expect(r.stdout).toMatch(/thread wait\s+\S/); // the worker's process policies (service/thread_policy.py, …)
    expect(r.stdout).toMatch(/malloc\s+(retain|system)/);
    expect(r.stdout).toMatch(/fashion-mnist\s+\//);
    expect(r.status).toBe(0);
  });

  it("runs a tiny pretraining end to end and writes summary.json with both k-NN numbers and the progress signal", () => {
    const runDir = mkdtempSync(join(tmpdir(), "mixmask-cli-"));
    const r = cli(
      "pretrain",
      "--preset",
      "cpu",
      "--run-dir",
      runDir,
      "--train-images",
      "256",
      "--test-images",
      "100",
      "--epochs",
      "1",
      "--batch-size",
      "64",
      "--base-width",
      "8",
      "--queue-size",
      "256",
      "--knn-k",
      "20",
      "--threads",
      "1",
    );
    expect(r.stderr + r.stdout).toContain("k-NN top-1 before training");
    // The worker line says how its threads wait and what its malloc keeps (src/train/pretrain.ts, describeWorker).
    expect(r.stderr + r.stdout).toMatch(/worker pid \d+: .*, 1 threads \(OpenMP wait [^)]+\), malloc (retain|system)/);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/k-NN top-1 \(k=20, T=0.1\), trained\s+0\.\d{4}/);
    expect(r.stdout).toMatch(/linear probe top-1, untrained → trained\s+0\.\d{4} → 0\.\d{4}/);
    expect(readFileSync(join(runDir, "report.md"), "utf8")).toContain("![k-NN](plots/knn.png)");
    const summary = JSON.parse(readFileSync(join(runDir, "summary.json"), "utf8"));
    expect(summary.knnInit.top1).toBeGreaterThan(0);
    expect(summary.knnFinal.top1).toBeGreaterThan(0);
    expect(summary.positiveTop1LastEpoch).toBeGreaterThan(0);
    expect(summary.positiveTop1LastEpoch).toBeLessThanOrEqual(1);
    expect(summary.steps).toBe(4);
  });

  it("preview writes a PNG of one batch: views, mask, mixed and complementary images, one row per sample", () => {
    const dir = mkdtempSync(join(tmpdir(), "mixmask-preview-"));
    const out = join(dir, "batch.png");
    const r = cli(
      "preview",
      "--preset",
      "cpu",
      "--out",
      out,
      "--samples",
      "3",
      "--train-images",
      "256",
      "--threads",
      "1",
    );
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain("columns [view0, view1, mask, masked0, complement0]");
    const png = PNG.sync.read(readFileSync(out));
    const cell = 28 * 3; // 28-px images enlarged ×3, 4-px gaps
    expect([png.width, png.height]).toEqual([4 + 5 * (cell + 4), 4 + 3 * (cell + 4)]);
    const bad = cli("preview", "--samples", "0");
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain("--samples");
  });
});
