import { mkdtempSync, readFileSync } from "node:fs";
import { rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { validatePretrainConfig, type PretrainConfig } from "../../src/config/pretrain-config.js";
import { CPU_PRESET } from "../../src/config/presets.js";
import type { ImageSource } from "../../src/data/image-source.js";
import { syntheticDataset } from "../../src/data/synthetic.js";
import { MixmaskError } from "../../src/errors.js";
import { pretrain, type PretrainSummary } from "../../src/train/pretrain.js";
import { Worker } from "../../src/worker/worker.js";

const TRAIN = 256;
const BATCH = 16;
const SIDE = 16;
const BUFFER = 2;
const BATCH_BYTES = BATCH * SIDE * SIDE * 3;

function config(runDir: string, overrides: Partial<PretrainConfig> = {}): PretrainConfig {
  return validatePretrainConfig({
    ...CPU_PRESET,
    dataset: "synthetic",
    trainImages: TRAIN,
    testImages: 32,
    imageSize: SIDE,
    baseWidth: 8,
    headHiddenDim: 32,
    headOutDim: 16,
    batchSize: BATCH,
    epochs: 1,
    queueSize: 64,
    knnK: 10,
    threads: 1,
    checkpointEvery: 0,
    streamBufferBatches: BUFFER,
    runDir,
    ...overrides,
  });
}

const losses = (runDir: string): number[] =>
  readFileSync(join(runDir, "metrics.jsonl"), "utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l).loss as number);

describe("streaming mode: batches pushed ahead of the plans, in a bounded buffer (real worker)", () => {
  let worker: Worker;
  let root = "";
  const data = syntheticDataset({ trainImages: TRAIN, testImages: 32, size: SIDE, seed: 9 });
  const runs: Record<string, { dir: string; summary: PretrainSummary }> = {};
  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), "mixmask-stream-"));
    worker = await Worker.spawn({ device: "cpu", threads: 1, datasetCacheDir: false });
    const dir = join(root, "resident");
    runs.resident = { dir, summary: await pretrain(config(dir), { worker, datasets: data }) };
  });
  afterAll(async () => {
    await worker?.close();
    await rm(root, { recursive: true, force: true });
  });

  it.each(["zmq", "grpc"] as const)(
    "on the %s lane trains exactly as the resident run, within its buffer",
    async (lane) => {
      const dir = join(root, lane);
      const summary = await pretrain(config(dir, { streaming: true, lane }), { worker, datasets: data });
      runs[lane] = { dir, summary };
      // Same plans, same pixels: every step's loss is bit-identical to the resident run's.
      expect(losses(dir)).toEqual(losses(runs.resident!.dir));
      expect(losses(dir)).toHaveLength(TRAIN / BATCH);
      const s = summary.streaming!;
      expect([s.lane, s.capacityBatches]).toEqual([lane, BUFFER]);
      expect(s.worker.batchesReceived).toBe(TRAIN / BATCH);
      expect(s.worker.batchesConsumed).toBe(TRAIN / BATCH);
      // The bound: never more than BUFFER batches held, on either side, for a dataset 8× larger than the buffer.
      expect(s.worker.peakBufferedBatches).toBeGreaterThanOrEqual(1);
      expect(s.worker.peakBufferedBatches).toBeLessThanOrEqual(BUFFER);
      expect(s.worker.peakBufferedBytes).toBeLessThanOrEqual(BUFFER * BATCH_BYTES);
      expect(s.feeder.peakPendingBatches).toBeLessThanOrEqual(BUFFER);
      expect(s.feeder.peakPendingBytes).toBeLessThanOrEqual(BUFFER * BATCH_BYTES);
      expect(s.feeder.batchesPushed).toBe(TRAIN / BATCH);
      expect(TRAIN * SIDE * SIDE * 3).toBeGreaterThanOrEqual(8 * BUFFER * BATCH_BYTES);
      expect(summary.knnFinal.top1).toBeCloseTo(runs.resident!.summary.knnFinal.top1, 6);
    },
  );

  it("a batch that cannot be read stops training at once with the reader's error, and the worker stays usable", async () => {
    // A user-supplied source whose files go bad after the run started: the 4th read (3rd training batch) fails.
    let reads = 0;
    const failing: ImageSource = {
      ...data.train,
      async read(indices) {
        if (++reads === 4) {
          throw new MixmaskError({
            code: "INVALID_FILE",
            path: "/data/batch-3.bin@4096",
            message: "truncated file",
            expected: "4096 more bytes",
            received: "0",
          });
        }
        return data.train.read(indices);
      },
    };
    const t0 = performance.now();
    const error = await pretrain(config(join(root, "failing"), { streaming: true }), {
      worker,
      datasets: { train: failing, test: data.test },
      stepIdleTimeoutMs: 120_000,
    }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(MixmaskError);
    expect((error as MixmaskError).path).toBe("/data/batch-3.bin@4096");
    expect(performance.now() - t0).toBeLessThan(60_000); // not the worker's 120 s batch timeout
    // The worker's compute thread is free again: a resident run completes.
    const after = await pretrain(config(join(root, "after")), { worker, datasets: data });
    expect(after.steps).toBe(TRAIN / BATCH);
  });
});
