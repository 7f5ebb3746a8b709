import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { loadFashionMnist } from "../../src/data/fashion-mnist.js";
import { firstImages } from "../../src/data/image-dataset.js";
import { CPU_PRESET, pretrain, Worker, type PretrainConfig } from "../../src/index.js";

// The per-step losses that a restructuring must leave bit-identical: the CPU preset for 20 steps and every
// framework × masker for 2 steps, each on the same real worker (one torch thread). Recorded by
// scripts/record-loss-fixture.ts into test/fixtures/step-losses.json; compared by test/integration/loss-identity.test.ts.

export const FRAMEWORKS = ["mocov2", "simclr", "byol", "simsiam"] as const;
export const MASKERS = ["none", "mixmask", "unmix", "both", "erase"] as const;
export const FIXTURE_FILE = new URL("../fixtures/step-losses.json", import.meta.url);

/** One step's total loss and its per-term losses, as metrics.jsonl holds them. */
export interface StepLosses {
  loss: number;
  termLosses: number[];
}

export interface LossFixture {
  /** `os.cpus()[0].model` of the machine that recorded it: bit identity holds only on the same CPU model. */
  cpuModel: string;
  torchVersion: string;
  recordedAt: string;
  runs: Record<string, StepLosses[]>;
}

/** The cases by name: "cpu-preset" and "<framework>+<masker>". */
export function lossCases(): Record<string, Partial<PretrainConfig>> {
  const cases: Record<string, Partial<PretrainConfig>> = {
    // The CPU preset as `npm start` runs it, on 1 280 images for 2 epochs: 20 steps of batch 128.
    "cpu-preset": { trainImages: 1280, testImages: 10, epochs: 2, knnK: 5 },
  };
  for (const framework of FRAMEWORKS) {
    for (const masker of MASKERS) {
      cases[`${framework}+${masker}`] = {
        framework,
        masker,
        trainImages: 32,
        testImages: 10,
        epochs: 1,
        batchSize: 16,
        baseWidth: 4,
        headHiddenDim: 32,
        predictorHiddenDim: 32,
        headOutDim: 16,
        queueSize: 64,
        knnK: 5,
      };
    }
  }
  return cases;
}

/** Runs every case on one spawned worker and returns the per-step losses with the machine facts. */
export async function recordLosses(): Promise<LossFixture> {
  const worker = await Worker.spawn({ device: "cpu", threads: 1 });
  try {
    const data = await loadFashionMnist({ trainImages: 1280, testImages: 10 });
    const runs: Record<string, StepLosses[]> = {};
    for (const [name, overrides] of Object.entries(lossCases())) {
      const runDir = mkdtempSync(join(tmpdir(), `mixmask-losses-${name}-`));
      const config = {
        ...CPU_PRESET,
        threads: 1,
        device: "cpu",
        linearProbe: false,
        knnEvery: 0,
        checkpointEvery: 0,
        runDir,
        ...overrides,
      } as PretrainConfig;
      const datasets = { train: firstImages(data.train, config.trainImages), test: data.test };
      await pretrain(config, { worker, datasets });
      runs[name] = readFileSync(join(runDir, "metrics.jsonl"), "utf8")
        .trim()
        .split("\n")
        .map((line) => {
          const m = JSON.parse(line) as StepLosses;
          return { loss: m.loss, termLosses: m.termLosses };
        });
      rmSync(runDir, { recursive: true, force: true });
    }
    return {
      cpuModel: cpus()[0]?.model ?? "unknown",
      torchVersion: worker.info.torchVersion,
      recordedAt: new Date().toISOString(),
      runs,
    };
  } finally {
    await worker.close();
  }
}
