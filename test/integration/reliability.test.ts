import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadFashionMnist } from "../../src/data/fashion-mnist.js";
import type { ImageDataset } from "../../src/data/image-dataset.js";
import { MixmaskError } from "../../src/errors.js";
import { pretrain } from "../../src/train/pretrain.js";
import { silentProgress } from "../../src/train/progress.js";
import { pretrainWithRestarts } from "../../src/train/restarting-pretrain.js";
import { Worker } from "../../src/worker/worker.js";
import { stepLosses, tinyConfig } from "../helpers/tiny-run.js";

/**
 * Faults injected into real runs (a real worker, real checkpoints, 4 steps per epoch, a checkpoint per epoch), each
 * followed by the recovery a user would do; every recovered run must reproduce the uninterrupted run's per-step
 * losses exactly. Faults: a non-finite loss, a full disk, a crashed worker (automatic restart), a stalled worker.
 */
describe("runs survive faults (real worker)", () => {
  let worker: Worker;
  let data: { train: ImageDataset; test: ImageDataset };
  let straightDir: string;
  const newRunDir = (): string => mkdtempSync(join(tmpdir(), "mixmask-rel-"));
  const faulty = (faults: string): Promise<Worker> =>
    Worker.spawn({ device: "cpu", threads: 1, env: { MIXMASK_WORKER_FAULTS: faults } });
  const latest = (dir: string): { step: number; worker: { file: string; sha256: string } } =>
    JSON.parse(readFileSync(join(dir, "checkpoints/latest.json"), "utf8"));
  const sha256 = (file: string): string => createHash("sha256").update(readFileSync(file)).digest("hex");

  beforeAll(async () => {
    worker = await Worker.spawn({ device: "cpu", threads: 1 });
    data = await loadFashionMnist({ trainImages: 128, testImages: 64 });
    straightDir = newRunDir();
    await pretrain(tinyConfig(straightDir, { epochs: 3 }), { worker, datasets: data });
  });
  afterAll(async () => {
    await worker.close();
  });

  it("a NaN loss stops the run with step, term and lr, keeps the last good checkpoint, and the run resumes", async () => {
    const dir = newRunDir();
    const poisoned = await faulty("nan-loss@6:1");
    const error = await pretrain(tinyConfig(dir, { epochs: 3 }), { worker: poisoned, datasets: data }).then(
      () => undefined,
      (e: unknown) => e,
    );
    await poisoned.close();
    expect(error).toBeInstanceOf(MixmaskError);
    const e = error as MixmaskError;
    expect(e.code).toBe("NON_FINITE_LOSS");
    const plannedLr = JSON.parse(readFileSync(join(straightDir, "metrics.jsonl"), "utf8").split("\n")[6]!).lr as number;
    expect(e.diagnostics).toMatchObject({ step: 6, term: 1, value: "nan", lr: plannedLr, lastGoodCheckpointStep: 4 });
    expect(e.message).toMatch(
      /step 6 in loss term 1 \(info_nce_queue online\(masked0\) vs momentum\(view1\), weight 0\.\d+, T=0\.2\)/,
    );
    expect(e.message).toContain("step 4 (checkpoints/step-0000004.pt), is kept");
    const report = JSON.parse(readFileSync(join(dir, "divergence.json"), "utf8"));
    expect(report.recentSteps.map((m: { step: number }) => m.step)).toEqual([1, 2, 3, 4, 5]);
    // Nothing after the divergence reached the disk: no later checkpoint, no metrics of step 6 or later.
    expect(latest(dir).step).toBe(4);
    expect(sha256(join(dir, "checkpoints/step-0000004.pt"))).toBe(latest(dir).worker.sha256);
    expect(existsSync(join(dir, "checkpoints/step-0000008.pt"))).toBe(false);
    expect(stepLosses(dir).map(([s]) => s)).toEqual([0, 1, 2, 3, 4, 5]);

    // A damaged worker file is refused on resume with the reason, before any weights are loaded.
    const pt = join(dir, "checkpoints/step-0000004.pt");
    const good = readFileSync(pt);
    const damaged = Buffer.from(good);
    const middle = damaged.length >> 1;
    damaged[middle] = damaged[middle]! ^ 0xff;
    writeFileSync(pt, damaged);
    await expect(
      pretrain(tinyConfig(dir, { epochs: 3 }), { worker, datasets: data, resume: true }),
    ).rejects.toMatchObject({
      workerCode: "CHECKPOINT_INVALID",
      message: expect.stringMatching(/step-0000004\.pt' is corrupt or was replaced: sha256 expected/),
    });
    writeFileSync(pt, good);

    await pretrain(tinyConfig(dir, { epochs: 3 }), { worker, datasets: data, resume: true });
    expect(stepLosses(dir)).toEqual(stepLosses(straightDir));
  });

  it("a full disk at a checkpoint keeps the previous checkpoint, and the run resumes from it", async () => {
    const dir = newRunDir();
    // Every write to /dev/full fails with ENOSPC: the worker's temporary file for step 8 becomes a window onto it,
    // laid once the run has started (a run directory must be empty for a new run) and step 4 is checkpointed.
    const progress = {
      ...silentProgress,
      log: (line: string) => {
        if (line.startsWith("checkpoint step-0000004.pt"))
          symlinkSync("/dev/full", join(dir, "checkpoints/step-0000008.pt.tmp"));
      },
    };
    const error = await pretrain(tinyConfig(dir, { epochs: 3 }), { worker, datasets: data, progress }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ code: "DISK_FULL", workerCode: "DISK_FULL" });
    expect((error as Error).message).toMatch(/the disk is full: checkpoint step-0000008\.pt needs about/);
    expect(latest(dir).step).toBe(4);
    expect(sha256(join(dir, "checkpoints/step-0000004.pt"))).toBe(latest(dir).worker.sha256);
    expect(existsSync(join(dir, "checkpoints/step-0000008.pt.tmp"))).toBe(false);

    await pretrain(tinyConfig(dir, { epochs: 3 }), { worker, datasets: data, resume: true });
    expect(stepLosses(dir)).toEqual(stepLosses(straightDir));
  });

  it("a worker that crashes mid-run is reported with its last stderr lines, replaced and resumed (restarts on)", async () => {
    const dir = newRunDir();
    const crashing = await faulty("exit@6");
    let spawned = 0;
    const log: string[] = [];
    const summary = await pretrainWithRestarts(tinyConfig(dir, { epochs: 3 }), {
      worker: crashing,
      datasets: data,
      progress: { ...silentProgress, log: (line) => log.push(line) },
      maxRestarts: 1,
      spawnWorker: () => {
        spawned++;
        return Worker.spawn({ device: "cpu", threads: 1 });
      },
    });
    await crashing.close();
    expect(spawned).toBe(1);
    const restart = log.find((l) => l.includes("restart 1 of 1"));
    expect(restart).toMatch(/worker failure \(WORKER_DIED\); restart 1 of 1 from the checkpoint of step 4/);
    // The crash report names how the worker died and quotes its last stderr lines.
    expect(restart).toMatch(/exited with code 70 during Train/);
    expect(restart).toContain("injected crash at step 6");
    expect(summary.resumedFromStep).toBe(4);
    expect(stepLosses(dir)).toEqual(stepLosses(straightDir));
  });

  it("a stalled worker hits the stream's idle timeout and the calls' deadlines", async () => {
    const stalled = await Worker.spawn({
      device: "cpu",
      threads: 1,
      env: { MIXMASK_WORKER_FAULTS: "stall@1:20" },
      deadlinesMs: { checkpoint: 500 },
    });
    try {
      const error = await pretrain(tinyConfig(newRunDir(), { epochs: 3 }), {
        worker: stalled,
        datasets: data,
        stepIdleTimeoutMs: 1_500,
      }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toMatchObject({ code: "WORKER_TIMEOUT" });
      expect((error as Error).message).toMatch(/no training result for 1500 ms/);
      // The compute thread is still asleep: a checkpoint call queued behind it exceeds its 500 ms deadline.
      const started = Date.now();
      await expect(stalled.saveCheckpoint("pretrain", join(newRunDir(), "x.pt"), 1)).rejects.toMatchObject({
        code: "WORKER_TIMEOUT",
      });
      expect(Date.now() - started).toBeLessThan(5_000);
    } finally {
      stalled.kill();
      await stalled.close();
    }
  });
});
