import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { truncate } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { writeCifar10 } from "./fixtures/cifar-files.js";

const cli = (...args: string[]) =>
  spawnSync(process.execPath, ["bin/mixmask.js", ...args], { encoding: "utf8", timeout: 300_000 });

describe("mixmask pretrain --dataset", () => {
  it("names the accepted datasets, and asks for --data-dir where one is needed, before starting a worker", () => {
    const bad = cli("pretrain", "--dataset", "imagenet");
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(
      /--dataset: .*"fashion-mnist", "cifar10", "cifar100", "tiny-imagenet", "image-folder", "synthetic"/,
    );
    const noDir = cli("pretrain", "--dataset", "cifar10");
    expect(noDir.status).toBe(2);
    expect(noDir.stderr).toContain("--data-dir: is required with --dataset cifar10");
  });

  it("reports a missing dataset with its fix and a truncated file with its byte offset, before starting a worker", async () => {
    const root = mkdtempSync(join(tmpdir(), "mixmask-cli-cifar-bad-"));
    const missing = cli("pretrain", "--dataset", "cifar10", "--data-dir", root);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain("DATASET_MISSING");
    expect(missing.stderr).toContain("cifar-10-binary.tar.gz");
    const folder = await writeCifar10(root);
    await truncate(join(folder, "data_batch_5.bin"), 3073 + 10);
    const cut = cli("pretrain", "--dataset", "cifar10", "--data-dir", root);
    expect(cut.status).toBe(2);
    expect(cut.stderr).toContain(`[INVALID_FILE] ${join(folder, "data_batch_5.bin")}@3073: truncated file`);
    expect(cut.stderr).not.toContain("worker pid");
  });

  it("pretrains on CIFAR-10 files streamed over the gRPC lane, with views at the images' own 32 px", async () => {
    const root = mkdtempSync(join(tmpdir(), "mixmask-cli-cifar-"));
    await writeCifar10(root, [20, 20, 20, 20, 20], 20);
    const runDir = join(root, "run");
    const r = cli(
      "pretrain",
      "--preset",
      "cpu",
      "--dataset",
      "cifar10",
      "--data-dir",
      root,
      "--run-dir",
      runDir,
      "--train-images",
      "64",
      "--test-images",
      "20",
      "--epochs",
      "1",
      "--batch-size",
      "16",
      "--base-width",
      "8",
      "--queue-size",
      "64",
      "--knn-k",
      "10",
      "--threads",
      "1",
      "--streaming",
      "true",
      "--stream-buffer-batches",
      "2",
      "--lane",
      "grpc",
    );
    expect(r.stderr + r.stdout).toContain("streamed on the grpc lane, at most 2 batches buffered");
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/streaming\s+grpc lane, at most [12] of 2 batches buffered/);
    const summary = JSON.parse(readFileSync(join(runDir, "summary.json"), "utf8"));
    expect([summary.steps, summary.trainImages, summary.streaming.worker.batchesConsumed]).toEqual([4, 64, 4]);
    expect(JSON.parse(readFileSync(join(runDir, "config.json"), "utf8")).imageSize).toBe(32);
  });
});
