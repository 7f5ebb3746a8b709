import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadFashionMnist } from "../../src/data/fashion-mnist.js";
import type { ImageDataset } from "../../src/data/image-dataset.js";
import { evaluateRun } from "../../src/eval/evaluate-run.js";
import type { PretrainSummary } from "../../src/train/pretrain.js";
import { pretrain } from "../../src/train/pretrain.js";
import { silentProgress } from "../../src/train/progress.js";
import { Worker } from "../../src/worker/worker.js";
import { tinyConfig } from "../helpers/tiny-run.js";

const lines = (file: string): number => readFileSync(file, "utf8").split("\n").filter(Boolean).length;
const rejection = (p: Promise<unknown>): Promise<{ code?: string; message?: string }> =>
  p.then(
    () => ({}),
    (e: { code?: string; message?: string }) => e,
  );

/**
 * Two runs in one folder, and a finished run's folder reused: the lock and the non-empty check on real runs, and the
 * tools that read a run directory (evaluate, compare's reuse) still working beside them. Plus honest k-NN labels.
 */
describe("a run directory is one run's (real worker)", () => {
  let worker: Worker;
  let data: { train: ImageDataset; test: ImageDataset };
  let finished: string;
  let summary: PretrainSummary;

  beforeAll(async () => {
    worker = await Worker.spawn({ device: "cpu", threads: 1 });
    data = await loadFashionMnist({ trainImages: 128, testImages: 64 });
    finished = mkdtempSync(join(tmpdir(), "mixmask-guard-"));
    // A second pretrain into the same directory while this one trains: refused, naming the owner; this one is unharmed.
    let second: Promise<{ code?: string; message?: string }> | undefined;
    const progress = {
      ...silentProgress,
      update: () => {
        second ??= rejection(
          pretrain(tinyConfig(finished, { epochs: 2, linearProbe: false, knnEvery: 1 }), { worker, datasets: data }),
        );
      },
    };
    summary = await pretrain(tinyConfig(finished, { epochs: 2, linearProbe: false, knnEvery: 1 }), {
      worker,
      datasets: data,
      progress,
    });
    const refused = await second!;
    expect(refused.code).toBe("RUN_DIR_LOCKED");
    expect(refused.message).toContain(`another run is training in this directory: pid ${process.pid}`);
  });
  afterAll(async () => {
    await worker?.close();
  });

  it("the run left no lock and one run's files: 8 metrics lines, its own checkpoints", () => {
    expect(existsSync(join(finished, "run.lock"))).toBe(false);
    expect(lines(join(finished, "metrics.jsonl"))).toBe(8);
    expect(readdirSync(join(finished, "checkpoints")).sort()).toEqual([
      "latest.json",
      "step-0000004.json",
      "step-0000004.pt",
      "step-0000008.json",
      "step-0000008.pt",
    ]);
  });

  it("a new run in a finished run's directory is refused without --resume/--overwrite; --overwrite replaces it", async () => {
    const again = await rejection(
      pretrain(tinyConfig(finished, { epochs: 1, linearProbe: false }), { worker, datasets: data }),
    );
    expect(again.code).toBe("RUN_DIR_NOT_EMPTY");
    expect(again.message).toMatch(
      /it holds a finished run[\s\S]*replace it with --overwrite, or choose another --run-dir/,
    );
    expect(lines(join(finished, "metrics.jsonl"))).toBe(8); // untouched

    const copy = mkdtempSync(join(tmpdir(), "mixmask-overwrite-"));
    await pretrain(tinyConfig(copy, { epochs: 2, linearProbe: false }), { worker, datasets: data });
    await pretrain(tinyConfig(copy, { epochs: 1, linearProbe: false }), { worker, datasets: data, overwrite: true });
    expect(lines(join(copy, "metrics.jsonl"))).toBe(4);
    expect(readdirSync(join(copy, "checkpoints")).sort()).toEqual([
      "latest.json",
      "step-0000004.json",
      "step-0000004.pt",
    ]); // no step 8 of the old run
  });

  it("the CLI says which flag: --resume and --overwrite together are refused", () => {
    const r = spawnSync(
      process.execPath,
      [
        "--import",
        "tsx",
        "src/cli.ts",
        "pretrain",
        "--run-dir",
        finished,
        "--resume",
        "--overwrite",
        "--device",
        "cpu",
        "--threads",
        "1",
        "--train-images",
        "128",
        "--test-images",
        "64",
        "--knn-k",
        "20",
      ],
      { encoding: "utf8" },
    );
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("--resume continues the run in --run-dir, --overwrite replaces it: choose one");
  }, 120_000);

  it("evaluate with another k measures the untrained row at that k too, and leaves the curve in its own protocol", async () => {
    const before = JSON.parse(readFileSync(join(finished, "summary.json"), "utf8")) as PretrainSummary;
    const cli = spawnSync(
      process.execPath,
      ["--import", "tsx", "src/cli.ts", "evaluate", "--run-dir", finished, "--knn-k", "10", "--linear-probe", "false"],
      { encoding: "utf8" },
    );
    expect(cli.status, cli.stderr).toBe(0);
    expect(cli.stdout).toMatch(/k-NN top-1 \(k=10, T=0\.1\), untrained/);
    expect(cli.stdout).toMatch(/k-NN top-1 \(k=10, T=0\.1\), trained/);
    const after = JSON.parse(readFileSync(join(finished, "summary.json"), "utf8")) as PretrainSummary;
    expect([after.knnInit.k, after.evaluations.knnInit.k, after.evaluations.knnFinal.k]).toEqual([10, 10, 10]);
    expect(after.evaluations.knnCurve).toEqual(before.evaluations.knnCurve); // measured at k = 20, kept as measured
    expect(after.evaluations.knnCurveProtocol).toEqual({ k: 20, temperature: 0.1 });

    // Back at the training's k: the untrained encoder measured again is the one measured before training.
    const back = await evaluateRun(finished, { knnK: 20, linearProbe: false }, { worker });
    expect(back.knnInit.top1).toBe(summary.knnInit.top1);
    expect(back.knnFinal.top1).toBe(summary.knnFinal.top1);
  }, 180_000);
});
