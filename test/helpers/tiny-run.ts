import { readFileSync } from "node:fs";
import { join } from "node:path";
import { validatePretrainConfig, type PretrainConfig } from "../../src/config/pretrain-config.js";
import { CPU_PRESET } from "../../src/config/presets.js";

/** A run small enough for CI's two cores: real Fashion-MNIST images, a narrow ResNet-18, a real worker. */
export function tinyConfig(runDir: string, overrides: Partial<PretrainConfig> = {}): PretrainConfig {
  return validatePretrainConfig({
    ...CPU_PRESET,
    trainImages: 128,
    testImages: 64,
    baseWidth: 8,
    headHiddenDim: 32,
    headOutDim: 16,
    batchSize: 32,
    epochs: 2,
    queueSize: 64,
    knnK: 20,
    threads: 1,
    runDir,
    ...overrides,
  });
}

/** [step, loss] of every line of a run's metrics.jsonl, in file order. */
export function stepLosses(runDir: string): [number, number][] {
  return readFileSync(join(runDir, "metrics.jsonl"), "utf8")
    .trim()
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { step: number; loss: number })
    .map((m) => [m.step, m.loss]);
}

/**
 * CLI flags of a tiny CPU run (128 images, batch 32: 4 steps an epoch) for tests that start the real `mixmask pretrain`;
 * `extra` flags follow (a later flag wins).
 */
export function tinyCliFlags(epochs: number, extra: string[] = []): string[] {
  return [
    ...["--preset", "cpu", "--device", "cpu", "--threads", "1", "--train-images", "128", "--test-images", "64"],
    ...["--base-width", "8", "--head-hidden-dim", "32", "--head-out-dim", "16", "--batch-size", "32"],
    ...["--queue-size", "64", "--knn-k", "20", "--epochs", String(epochs), ...extra],
  ];
}
