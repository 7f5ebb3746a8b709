import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

// Every framework with every masker through the CLI users run, each against its own real worker: a few steps of
// `mixmask pretrain`, then the per-step results the worker sent back are checked against the planned term list.
const FRAMEWORKS = ["mocov2", "simclr", "byol", "simsiam"] as const;
const MASKERS = ["none", "mixmask", "unmix", "both", "erase"] as const;
/** Terms per direction: the base term, plus 2 for MixMask, 2 for Un-Mix, 1 for the erased view. */
const TERMS = { none: 1, mixmask: 3, unmix: 3, both: 5, erase: 2 } as const;
/** BYOL and SimSiam default to their symmetric losses: every term twice. */
const DIRECTIONS = { mocov2: 1, simclr: 1, byol: 2, simsiam: 2 } as const;

describe.each(FRAMEWORKS)("mixmask pretrain --framework %s", (framework) => {
  it.each(MASKERS)("--masker %s trains a few steps on a real worker", (masker) => {
    const runDir = mkdtempSync(join(tmpdir(), `mixmask-${framework}-${masker}-`));
    const r = spawnSync(
      process.execPath,
      [
        "bin/mixmask.js",
        "pretrain",
        "--preset",
        "cpu",
        "--framework",
        framework,
        "--masker",
        masker,
        "--run-dir",
        runDir,
        "--train-images",
        "64",
        "--test-images",
        "16",
        "--epochs",
        "1",
        "--batch-size",
        "16",
        "--base-width",
        "4",
        "--knn-k",
        "10",
        "--threads",
        "1",
      ],
      { encoding: "utf8", timeout: 180_000 },
    );
    expect(r.status, r.stderr).toBe(0);
    const steps = readFileSync(join(runDir, "metrics.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(steps.map((s) => s.step)).toEqual([0, 1, 2, 3]);
    for (const s of steps) {
      expect(s.termLosses).toHaveLength(TERMS[masker] * DIRECTIONS[framework]);
      expect(Number.isFinite(s.loss)).toBe(true);
      expect(s.embeddingStd).toBeGreaterThan(0);
      if (masker === "mixmask" || masker === "both" || masker === "erase") expect(s.lambda).toBeCloseTo(0.5, 6);
      if (masker === "unmix" || masker === "both") expect(s.unmixLambda).toBeGreaterThanOrEqual(0);
    }
    const summary = JSON.parse(readFileSync(join(runDir, "summary.json"), "utf8"));
    expect(summary.knnFinal.top1).toBeGreaterThan(0);
  });
});
