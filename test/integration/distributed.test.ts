import { copyFileSync, cpSync, mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadFashionMnist } from "../../src/data/fashion-mnist.js";
import type { ImageDataset } from "../../src/data/image-dataset.js";
import { groupRunWorkers } from "../../src/distributed/group-run-workers.js";
import { WorkerGroup } from "../../src/distributed/worker-group.js";
import { MixmaskError } from "../../src/errors.js";
import { pretrain } from "../../src/train/pretrain.js";
import { silentProgress, type ProgressReporter } from "../../src/train/progress.js";
import { runRequest } from "../../src/train/run-request.js";
import { oneWorker } from "../../src/train/run-workers.js";
import { StepPlanner } from "../../src/train/step-planner.js";
import type { TrainingDataOptions } from "../../src/train/training-data.js";
import { Worker } from "../../src/worker/worker.js";
import { processAlive } from "../helpers/process-alive.js";
import { stepLosses, tinyConfig } from "../helpers/tiny-run.js";

/**
 * Scale-out on torch.distributed, for real: a local torchrun launch of 2 CPU ranks on gloo, driven by the SDK,
 * against one worker executing the same global plans.
 *
 * Why the two compute the same step: the run is planned for 2 ranks (config.ranks = 2: MixMask partners inside each
 * rank's shard), rank r takes the samples r, r+2, r+4… of each global batch, and each rank normalises bnSplits / 2
 * BatchNorm groups of its shard — the very groups (i mod bnSplits) that one process's SplitBatchNorm forms over the
 * whole batch. Shuffle-BN uses the plan's permutation across ranks, the queue receives every rank's keys in the
 * global batch's order, and DDP averages the ranks' gradients of their per-shard mean losses: the gradient of the
 * global mean loss. Same arithmetic, other float summation orders (gloo's all-reduce adds two partial gradients where
 * one convolution backward sums all samples; BatchNorm reduces over other memory layouts), so values agree to
 * float32 rounding.
 *
 * STEP_TOLERANCE, absolute, per step from the same state (losses of about 2 to 9, where a float32 ulp is 2.4e-7 to
 * 9.5e-7): the difference of one step's arithmetic only. Measured: at most 9.5e-7 (two ulps) over 12 steps of 3 maskers.
 *
 * Free-running, the two trajectories part slowly: this tiny run (batch 16, a queue of two batches, BatchNorm over 8
 * samples) amplifies any rounding difference about tenfold per step. Measured with one worker alone: changing the
 * learning rate by a relative 1e-6 moves its losses by up to 2.7e-3 within 12 steps; 2 ranks against 1 process differ
 * by 0 and 2.4e-7 at steps 0 and 1, and by up to 4.6e-3 by step 11. TRAJECTORY_TOLERANCE bounds that drift.
 */
const STEP_TOLERANCE = 1e-5;
const dataOptions: TrainingDataOptions = {
  streaming: false,
  streamBufferBatches: 8,
  lane: "auto",
  progress: silentProgress,
  batchTimeoutMs: 60_000,
};
const TRAJECTORY_TOLERANCE = 5e-2;

describe("2 gloo ranks under torchrun, driven by one SDK", () => {
  let data: { train: ImageDataset; test: ImageDataset };
  let group: WorkerGroup;
  let single: Worker;
  const newRunDir = (): string => mkdtempSync(join(tmpdir(), "mixmask-dist-"));
  // 6 steps per epoch, 2 epochs, a checkpoint per epoch; bnSplits 2 = one BatchNorm group per rank (the release's).
  const config = (runDir: string, overrides = {}) =>
    tinyConfig(runDir, {
      ranks: 2,
      trainImages: 96,
      batchSize: 16,
      bnSplits: 2,
      queueSize: 32,
      knnK: 10,
      ...overrides,
    });
  const maxOf = (values: number[]): number => Math.max(...values);

  beforeAll(async () => {
    [group, single, data] = await Promise.all([
      WorkerGroup.spawn({ ranks: 2, device: "cpu", threads: 1, collectiveTimeoutS: 60 }),
      Worker.spawn({ device: "cpu", threads: 1 }),
      loadFashionMnist({ trainImages: 96, testImages: 64 }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([group?.close(), single?.close()]);
  });

  it("connects to every rank and checks they form one launch", () => {
    expect(group.worldSize).toBe(2);
    expect(group.ranks.map((r) => r.rank)).toEqual([0, 1]);
    expect(group.ranks.map((r) => r.endpoint)).toEqual([
      expect.stringMatching(/rank-0\.sock$/),
      expect.stringMatching(/rank-1\.sock$/),
    ]);
    expect(group.launchId).toMatch(/^[0-9a-f]{32}$/);
    expect(group.backend).toBe("gloo");
  });

  it("computes every step as one process does from the same state (rank 0's checkpoint loaded into one worker)", async () => {
    // bnSplits 4: each rank normalises 2 groups of its shard with SplitBatchNorm, one process 4 groups of the batch.
    // The maskers cover every batch-relative piece of a plan: reversed partners and their complementary term; random
    // partners, per-sample masks and Un-Mix's pairing; erase noise drawn for the global batch.
    const variants = [
      { steps: 6, options: { bnSplits: 4 } },
      { steps: 3, options: { masker: "both", maskPerSample: true } },
      { steps: 3, options: { masker: "erase", eraseFill: "noise" } },
    ] as const;
    const ranks = groupRunWorkers(group, false);
    const one = oneWorker(single);
    const [onRanks, onOne] = await Promise.all([
      ranks.prepareData(data.train, data.test, dataOptions),
      one.prepareData(data.train, data.test, dataOptions),
    ]);
    const differences: number[] = [];
    for (const [v, variant] of variants.entries()) {
      const cfg = config(newRunDir(), variant.options);
      const runId = `per-step-${v}`;
      await ranks.createRun(runRequest(runId, cfg, onRanks.trainId, onRanks));
      await one.createRun(runRequest(runId, cfg, onOne.trainId, onOne));
      const planner = new StepPlanner(cfg, data.train);
      const [twoRankSteps, oneSteps] = [ranks.openSteps(runId, 60_000), one.openSteps(runId, 60_000)];
      for (let step = 0; step < variant.steps; step++) {
        const file = join(cfg.runDir, `step-${step}.pt`);
        const saved = await group.lead.saveCheckpoint(runId, file, step); // 2 ranks → 1 worker
        await single.loadCheckpoint(runId, file, saved.sha256);
        const plan = planner.plan(step);
        twoRankSteps.submit(plan);
        oneSteps.submit(plan);
        const [a, b] = await Promise.all([twoRankSteps.next(), oneSteps.next()]);
        expect([a.step, b.step]).toEqual([step, step]);
        differences.push(Math.abs(a.loss - b.loss), ...a.termLosses.map((t, i) => Math.abs(t - b.termLosses[i]!)));
        expect(Math.abs(a.positiveTop1 - b.positiveTop1)).toBeLessThanOrEqual(1 / 16); // a near-tie may flip
      }
      twoRankSteps.close();
      oneSteps.close();
    }
    console.log(
      `distributed, per step from the same state: max |2 ranks − 1 process| = ${maxOf(differences).toExponential(2)} over ${differences.length} losses (tolerance ${STEP_TOLERANCE})`,
    );
    expect(maxOf(differences)).toBeLessThan(STEP_TOLERANCE);
  });

  it("pretrains on 2 ranks along the 1-process trajectory of the same plans, and its checkpoint continues on one worker", async () => {
    const twoRanksDir = newRunDir();
    const oneDir = newRunDir();
    const twoRanks = await pretrain(config(twoRanksDir), { group, datasets: data });
    // The same plans on one worker, which emulates the 2 ranks' BatchNorm with its bnSplits groups.
    const one = await pretrain(config(oneDir), { worker: single, datasets: data });
    const a = stepLosses(twoRanksDir);
    const b = stepLosses(oneDir);
    expect(a.map(([step]) => step)).toEqual([...Array(12).keys()]);
    const differences = a.map(([, loss], i) => Math.abs(loss - b[i]![1]));
    console.log(
      `distributed, free-running: |2 ranks − 1 process| per step = ${differences.map((d) => d.toExponential(1)).join(" ")}`,
    );
    expect(maxOf(differences.slice(0, 2))).toBeLessThan(STEP_TOLERANCE); // before training amplifies rounding
    expect(maxOf(differences)).toBeLessThan(TRAJECTORY_TOLERANCE);
    expect(twoRanks.steps).toBe(12);
    expect(Math.abs(twoRanks.knnInit.top1 - one.knnInit.top1)).toBeLessThanOrEqual(1 / 64); // one test image at most
    // Evaluation reads the run's state on rank 0: the linear probe of the same initial weights agrees.
    const probes = [twoRanks, one].map((s) => s.evaluations.linearProbeInit!);
    expect(Math.abs(probes[0]!.lastTop1 - probes[1]!.lastTop1)).toBeLessThanOrEqual(1 / 64);
    expect(twoRanks.evaluations.linearProbe?.trainCount).toBe(96);
    // Rank 0 wrote the checkpoints, with the unwrapped modules' keys.
    expect(readdirSync(join(twoRanksDir, "checkpoints")).filter((f) => f.endsWith(".pt"))).toEqual([
      "step-0000006.pt",
      "step-0000012.pt",
    ]);

    // 2 ranks → 1 worker: resume the 2-rank run from its checkpoint of step 6 on one worker.
    const movedDir = newRunDir();
    cpSync(twoRanksDir, movedDir, { recursive: true });
    copyFileSync(join(movedDir, "checkpoints/step-0000006.json"), join(movedDir, "checkpoints/latest.json"));
    const moved = await pretrain(config(movedDir), { worker: single, datasets: data, resume: true });
    expect(moved.resumedFromStep).toBe(6);
    const c = stepLosses(movedDir);
    expect(c.map(([step]) => step)).toEqual([...Array(12).keys()]);
    expect(Math.abs(c[6]![1] - a[6]![1])).toBeLessThan(STEP_TOLERANCE); // the same state, one step
    for (let i = 7; i < 12; i++) expect(Math.abs(c[i]![1] - a[i]![1])).toBeLessThan(TRAJECTORY_TOLERANCE);
  });

  it("names a killed rank (rank, pid, endpoint, signal) and stops every rank", async () => {
    const doomed = await WorkerGroup.spawn({ ranks: 2, device: "cpu", threads: 1, collectiveTimeoutS: 60 });
    const pids = doomed.ranks.map((r) => r.pid);
    const killRank1AtStep3: ProgressReporter = {
      ...silentProgress,
      update: (p) => {
        if (p.step === 3) doomed.kill(1);
      },
    };
    const started = performance.now();
    const error = await pretrain(config(newRunDir(), { epochs: 4 }), {
      group: doomed,
      datasets: data,
      progress: killRank1AtStep3,
    }).then(
      () => undefined,
      (e: unknown) => e,
    );
    const seconds = (performance.now() - started) / 1000;
    console.log(`distributed, killed rank reported after ${seconds.toFixed(1)} s:\n${(error as Error).message}`);
    await doomed.close();
    expect(error).toBeInstanceOf(MixmaskError);
    const failure = error as MixmaskError;
    expect(failure.code).toBe("WORKER_DIED");
    expect(failure.message).toMatch(
      new RegExp(
        `rank 1 of 2 \\(pid ${pids[1]}, unix:\\S+rank-1\\.sock on \\S+\\) was killed by SIGKILL during Train; torchrun stopped the other ranks`,
      ),
    );
    expect(failure.diagnostics).toMatchObject({ rank: 1, pid: pids[1], how: "was killed by SIGKILL" });
    expect(seconds).toBeLessThan(60);
    // Every rank is gone after close(): none left waiting in a collective.
    expect(pids.map(processAlive)).toEqual([false, false]);
  });

  it("refuses a plan made for another number of ranks, before any rank enters a collective", async () => {
    const dir = newRunDir();
    await expect(pretrain(config(dir, { ranks: 1 }), { group, datasets: data })).rejects.toThrow(
      /plans for 1 rank\(s\) but the group has 2/,
    );
  });
});
