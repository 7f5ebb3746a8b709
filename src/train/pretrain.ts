import { rmSync } from "node:fs";
import { join } from "node:path";
import type { ImageDataset } from "../data/image-dataset.js";
import type { ImageSource } from "../data/image-source.js";
import { openDataset } from "../data/open-dataset.js";
import { validatePretrainConfig, type PretrainConfig } from "../config/pretrain-config.js";
import type { KnnResult } from "../eval/knn.js";
import type { LinearProbeResult } from "../eval/linear-probe.js";
import { describeProbe, evaluationOptions, RunEvaluator, type RunEvaluations } from "../eval/run-evaluator.js";
import { writeRunReport } from "../report/run-report.js";
import { MixmaskError } from "../errors.js";
import { onFirstInterrupt } from "../worker/interrupt-hooks.js";
import { PROTOCOL_VERSION, SDK_VERSION } from "../worker/protocol-version.js";
import { Worker, type WorkerInfo, type WorkerOptions } from "../worker/worker.js";
import { checkpointFileName, pruneCheckpoints, readCheckpointManifest, signManifest, WORKER_STATE_PARTS, writeCheckpointManifest, type CheckpointManifest } from "./checkpoint-manifest.js";
import { describeTerm, divergenceError, type PlannedStep } from "./divergence-report.js";
import { silentProgress, type ProgressReporter } from "./progress.js";
import { RunDirectory } from "./run-directory.js";
import type { StepPlan } from "./step-plan.js";
import { StepPlanner } from "./step-planner.js";
import { describeMethod } from "./describe-method.js";
import { assertWorkerCompiles, runRequest } from "./run-request.js";
import { assertResumableConfig } from "./resume-options.js";
import type { StepResult } from "./step-stream.js";
import type { BatchFeeder } from "./batch-feeder.js";
import { captureTrainerState, verifyTrainerState } from "./trainer-state.js";
import type { StreamingSummary } from "./training-data.js";
import { oneWorker, type RunWorkers, type StepSink } from "./run-workers.js";
import { startLiveOutputs, type LiveOutputs } from "../dashboard/live-run-outputs.js";
import { groupRunWorkers } from "../distributed/group-run-workers.js";
import { WorkerGroup } from "../distributed/worker-group.js";

export interface PretrainOptions {
  /** Train on this worker instead of spawning one (it is left open). */
  worker?: Worker;
  /**
   * Train on these torchrun ranks (left open); their world size must equal `config.ranks` (docs/DISTRIBUTED.md).
   * Without it, `ranks` > 1 spawns a local launch; with `worker` instead, the run planned for `ranks` ranks executes
   * on that one worker, which emulates the ranks' BatchNorm with its `bnSplits` groups.
   */
  group?: WorkerGroup;
  /** Options of the spawned worker (ignored with `worker`). */
  workerOptions?: WorkerOptions;
  progress?: ProgressReporter;
  /** Use these datasets instead of opening `config.dataset` from disk (sources are read on demand). */
  datasets?: { train: ImageDataset | ImageSource; test: ImageDataset | ImageSource };
  /** Continue from the run directory's last checkpoint (its config must match). */
  resume?: boolean;
  /** Abort when no step result arrives for this long. Default 600 000 ms. */
  stepIdleTimeoutMs?: number;
}

export interface PretrainSummary {
  sdkVersion: string;
  runDir: string;
  device: string;
  deviceName: string;
  knnInit: KnnResult;
  knnFinal: KnnResult;
  /** Every evaluation, each with its protocol: k-NN before, during (knnEvery) and after, linear probe, fine-tuning. */
  evaluations: RunEvaluations;
  /** Contrastive top-1 of the positive key among the queue (term 0), the training's own progress signal. */
  positiveTop1FirstEpoch: number;
  positiveTop1LastEpoch: number;
  lossFirstEpoch: number;
  lossLastEpoch: number;
  steps: number;
  epochs: number;
  trainImages: number;
  testImages: number;
  trainSeconds: number;
  stepsPerSecond: number;
  samplesPerSecond: number;
  wallSeconds: number;
  resumedFromStep: number | null;
  /** Streaming mode only: the lane and the peak occupancy of the batch buffers (docs/DATASETS.md). */
  streaming?: StreamingSummary;
}

const RUN_ID = "pretrain";
/** Worker checkpoints kept on disk: the latest (named by latest.json) and the one before it. */
const KEEP_CHECKPOINTS = 2;

/**
 * MoCo v2 (+ MixMask) pretraining driven from TypeScript: plans every step, keeps several in flight on the worker's
 * `Train` stream, writes metrics and checkpoints, and measures weighted k-NN before and after.
 */
export async function pretrain(input: PretrainConfig, options: PretrainOptions = {}): Promise<PretrainSummary> {
  const config = validatePretrainConfig(input);
  const t0 = performance.now();
  const progress = options.progress ?? silentProgress;
  const runDir = new RunDirectory(config.runDir);
  const manifest = options.resume ? readCheckpointManifest(runDir) : undefined;
  if (options.resume && !manifest) {
    throw new MixmaskError({ code: "INVALID_OPTION", path: "--resume", message: `no checkpoint in ${runDir.checkpointsDir}`, fix: "start without --resume, or point --run-dir at the run to continue" });
  }
  if (manifest) assertResumableConfig(manifest.config, config, runDir.dir);

  const { train, test } = options.datasets ?? (await openDataset({ ...config, log: (line) => progress.log(line) }));
  const ranks = config.ranks ?? 1;
  if (options.group && options.group.worldSize !== ranks) {
    throw new MixmaskError({ code: "INVALID_OPTION", path: "--ranks", message: `the run plans for ${ranks} rank(s) but the group has ${options.group.worldSize}`, expected: String(options.group.worldSize), received: String(ranks), fix: `set --ranks ${options.group.worldSize}` });
  }
  const owned = !options.worker && !options.group;
  const spawnOptions = { device: config.device, ...(config.threads > 0 ? { threads: config.threads } : {}), ...options.workerOptions };
  const group = options.group ?? (owned && ranks > 1 ? await WorkerGroup.spawn({ ...spawnOptions, ranks }) : undefined);
  const workers: RunWorkers = group ? groupRunWorkers(group, config.syncBatchNorm ?? false) : oneWorker(options.worker ?? (await Worker.spawn(spawnOptions)));
  const worker = workers.lead;
  let live: LiveOutputs | undefined; // TensorBoard events and the per-epoch preview (src/dashboard/)
  try {
    progress.log(`${describeWorker(worker.info)}${group ? `; ${workers.description}` : ""}`);
    assertWorkerCompiles(config, worker.info.capabilities);
    runDir.writeJson("config.json", { ...config, sdkVersion: SDK_VERSION, worker: worker.info });
    const data = await workers.prepareData(train, test, {
      streaming: config.streaming ?? false,
      streamBufferBatches: config.streamBufferBatches ?? 8,
      lane: config.lane ?? "auto",
      progress,
      batchTimeoutMs: options.stepIdleTimeoutMs ?? 600_000,
    });
    const created = await workers.createRun(runRequest(RUN_ID, config, data.trainId, data));
    progress.log(`${config.arch} (base width ${config.baseWidth}) + ${describeMethod(config)}: ${(Number(created.parameters) / 1e6).toFixed(2)} M parameters${config.compile && config.compile !== "off" ? `, torch.compile "${config.compile}" (the first steps compile)` : ""}`);

    const evaluator = RunEvaluator.forTrainingData(worker, RUN_ID, config, data, train);
    const wanted = evaluationOptions(config);
    let knnInit: KnnResult;
    let linearProbeInit: LinearProbeResult | undefined;
    let firstStep = 0;
    const planner = new StepPlanner(config, train);
    // What the trainer state records as the dataset: its content hash (streamed runs: that of the uploaded k-NN bank,
    // the first images of the training set, since a stream's id is new every time).
    const trainedContentId = data.streaming ? data.bankId : data.trainId;
    if (manifest) {
      verifyTrainerState(manifest.trainer, captureTrainerState(config, planner, manifest.step, trainedContentId, train.count), runDir.file("checkpoints/latest.json"));
      const loaded = await workers.loadCheckpoint(RUN_ID, join(runDir.checkpointsDir, manifest.worker.file), manifest.worker.sha256);
      if (Number(loaded.step) !== manifest.step) {
        throw new MixmaskError({
          code: "INVALID_FILE",
          path: join(runDir.checkpointsDir, manifest.worker.file),
          message: `holds step ${loaded.step}, but latest.json says step ${manifest.step}`,
          fix: "the checkpoint files were mixed up; start a new run directory or restore the matching pair",
        });
      }
      knnInit = manifest.knnInit;
      linearProbeInit = manifest.linearProbeInit;
      firstStep = manifest.step;
      runDir.truncateMetrics(firstStep);
      runDir.truncateKnnMonitor(firstStep);
      progress.log(`resumed from ${manifest.worker.file} at step ${firstStep}`);
    } else {
      knnInit = await evaluator.knn();
      if (wanted.linearProbe) linearProbeInit = await evaluator.linearProbe();
      runDir.resetMetrics();
      runDir.resetKnnMonitor();
    }
    if (firstStep >= planner.totalSteps) {
      throw new MixmaskError({
        code: "INVALID_OPTION",
        path: "--resume",
        message: `the run in ${runDir.dir} is already complete (step ${firstStep} of ${planner.totalSteps}); its results are in summary.json`,
        fix: "start a new run directory, or raise --epochs in a new run",
      });
    }
    progress.log(`k-NN top-1 before training: ${knnInit.top1.toFixed(4)} (k=${knnInit.k}, T=${knnInit.temperature}, ${knnInit.trainCount} bank / ${knnInit.testCount} test images)`);
    if (linearProbeInit) progress.log(`linear probe before training: ${describeProbe(linearProbeInit)}`);

    const checkpoints: Checkpoints = {
      last: manifest ? { step: manifest.step, file: manifest.worker.file } : null,
      write: async (step) => {
        const file = checkpointFileName(step, "pt");
        const saved = await worker.client.saveCheckpoint(RUN_ID, join(runDir.checkpointsDir, file), step);
        const signed = signManifest({
          sdkVersion: SDK_VERSION,
          protocolVersion: PROTOCOL_VERSION,
          writtenAt: new Date().toISOString(),
          step,
          config,
          trainer: captureTrainerState(config, planner, step, trainedContentId, train.count),
          worker: { file, bytes: Number(saved.bytes), sha256: saved.sha256, holds: WORKER_STATE_PARTS },
          knnInit,
          ...(linearProbeInit ? { linearProbeInit } : {}),
        });
        try {
          writeCheckpointManifest(runDir, signed);
        } catch (error) {
          // latest.json still names the previous checkpoint; the new worker file is unreferenced: free its space.
          rmSync(join(runDir.checkpointsDir, file), { force: true });
          rmSync(join(runDir.checkpointsDir, checkpointFileName(step, "json")), { force: true });
          throw new MixmaskError({
            code: "CHECKPOINT_FAILED",
            path: runDir.file("checkpoints/latest.json"),
            message: `cannot write the checkpoint manifest of step ${step} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); the previous checkpoint${checkpoints.last ? ` (step ${checkpoints.last.step})` : ""} is intact`,
            fix: "free disk space or choose a writable --run-dir, then continue with --resume",
            cause: error,
          });
        }
        checkpoints.last = { step, file };
        pruneCheckpoints(runDir, KEEP_CHECKPOINTS, file);
        progress.log(`checkpoint ${file} (${(Number(saved.bytes) / 1e6).toFixed(1)} MB) at step ${step}`);
      },
    };
    live = startLiveOutputs({ runDir: runDir.dir, config, worker, runId: RUN_ID, plan: (step) => planner.plan(step), stepsPerEpoch: planner.stepsPerEpoch, firstStep, log: (line) => progress.log(line) });
    const feeder = data.startFeeding((step) => planner.plan(step).indices, firstStep, planner.totalSteps);
    const monitor: KnnMonitor = {
      every: wanted.knnEvery,
      measure: async (epoch, step) => {
        const r = await evaluator.knn();
        runDir.appendKnnPoint({ epoch, step, top1: r.top1, top5: r.top5 });
        progress.log(`k-NN top-1 after epoch ${epoch}: ${r.top1.toFixed(4)}`);
      },
    };
    const openSteps = (): StepSink => workers.openSteps(RUN_ID, options.stepIdleTimeoutMs ?? 600_000);
    const totals = await trainLoop(config, planner, openSteps, runDir, progress, firstStep, feeder, checkpoints, monitor).catch(async (error: unknown) => {
      await data.abort();
      throw error;
    });
    const streaming = await data.finish();

    const evaluations = await evaluator.afterTraining({ knnInit, linearProbeInit, monitored: runDir.knnMonitor(), totalSteps: planner.totalSteps }, progress);
    const { knnFinal } = evaluations;
    const summary: PretrainSummary = {
      sdkVersion: SDK_VERSION,
      runDir: runDir.dir,
      device: worker.info.device,
      deviceName: worker.info.deviceName,
      knnInit,
      knnFinal,
      evaluations,
      ...totals,
      epochs: config.epochs,
      trainImages: train.count,
      testImages: test.count,
      wallSeconds: (performance.now() - t0) / 1000,
      resumedFromStep: manifest ? manifest.step : null,
      ...(streaming ? { streaming } : {}),
    };
    runDir.writeJson("summary.json", summary);
    await writeRunReport(runDir.dir, summary, config);
    return summary;
  } finally {
    await live?.close();
    if (owned) await (group ?? worker).close();
  }
}

interface TrainTotals {
  positiveTop1FirstEpoch: number;
  positiveTop1LastEpoch: number;
  lossFirstEpoch: number;
  lossLastEpoch: number;
  steps: number;
  trainSeconds: number;
  stepsPerSecond: number;
  samplesPerSecond: number;
}

/** The k-NN monitor: every `every` epochs (0: never), measured between epochs with no step in flight. */
interface KnnMonitor {
  every: number;
  measure(epoch: number, step: number): Promise<void>;
}

/** The run's checkpoints: the last one written (kept through any later failure) and how to write one. */
interface Checkpoints {
  last: { step: number; file: string } | null;
  write(step: number): Promise<void>;
}

async function trainLoop(
  config: PretrainConfig,
  planner: StepPlanner,
  openSteps: () => StepSink,
  runDir: RunDirectory,
  progress: ProgressReporter,
  firstStep: number,
  feeder: BatchFeeder | undefined,
  checkpoints: Checkpoints,
  monitor: KnnMonitor,
): Promise<TrainTotals> {
  const total = planner.totalSteps;
  const perEpoch = planner.stepsPerEpoch;
  const stream = openSteps();
  const planned = new Map<number, PlannedStep>();
  const t0 = performance.now();
  let evalMs = 0; // k-NN monitor time, left out of the throughput
  let done = firstStep;
  const checkpoint = async (step: number): Promise<void> => {
    if (checkpoints.last?.step !== step) await checkpoints.write(step);
  };
  // Ctrl-C (or SIGTERM) stops planning, lets the steps in flight finish and writes a checkpoint; a second one
  // ends the process at once (the previous checkpoint stays intact either way).
  let interrupted: NodeJS.Signals | undefined;
  const stopListening = onFirstInterrupt((signal) => {
    interrupted = signal;
    progress.log(`${signal}: finishing the steps in flight and writing a checkpoint (press Ctrl-C again to stop at once)`);
  });

  const take = async (): Promise<void> => {
    let r: StepResult;
    try {
      // Streaming: a failed decode or push ends training at once, with the reader's error.
      r = await (feeder ? Promise.race([stream.next(), feeder.failed]) : stream.next());
    } catch (error) {
      // A non-finite loss: the worker's weights are unusable, so nothing is checkpointed from here on.
      if (error instanceof MixmaskError && error.workerCode === "NON_FINITE_LOSS") throw divergenceError(error, planned, runDir, checkpoints.last);
      throw error;
    }
    feeder?.release(r.step);
    const meta = planned.get(r.step);
    planned.delete(r.step);
    const epoch = Math.floor(r.step / perEpoch);
    const mixing = { ...(meta?.lambda !== undefined ? { lambda: meta.lambda } : {}), ...(meta?.unmixLambda !== undefined ? { unmixLambda: meta.unmixLambda } : {}) };
    runDir.appendMetrics({ ...r, epoch, lr: meta?.lr ?? NaN, ...mixing, elapsedS: (performance.now() - t0) / 1000 });
    done = r.step + 1;
    const sps = (done - firstStep) / ((performance.now() - t0) / 1000);
    progress.update({ step: done, totalSteps: total, epoch, loss: r.loss, positiveTop1: r.positiveTop1, stepsPerSecond: sps });
  };

  progress.start(total, firstStep);
  let finished = false;
  try {
    for (let step = firstStep; step < total && !interrupted; step++) {
      while (stream.inFlight >= config.plansInFlight) await take();
      if (interrupted) break;
      const plan = planner.plan(step);
      planned.set(step, { lr: plan.lr, terms: plan.terms.map(describeTerm), ...lambdas(plan) });
      stream.submit(plan);
      const endOfEpoch = (step + 1) % perEpoch === 0;
      const epochNumber = (step + 1) / perEpoch;
      if (endOfEpoch && monitor.every > 0 && epochNumber % monitor.every === 0 && step + 1 < total) {
        while (stream.inFlight > 0) await take();
        const e0 = performance.now();
        await monitor.measure(epochNumber, step + 1);
        evalMs += performance.now() - e0;
      }
      if (endOfEpoch && config.checkpointEvery > 0 && epochNumber % config.checkpointEvery === 0 && step + 1 < total) {
        while (stream.inFlight > 0) await take();
        await checkpoint(step + 1);
      }
    }
    while (stream.inFlight > 0) await take();
    finished = true;
  } finally {
    stopListening();
    progress.stop();
    if (finished) stream.close();
    else stream.abort();
  }
  if (interrupted) {
    await checkpoint(done);
    throw new MixmaskError({
      code: "INTERRUPTED",
      message: `stopped by ${interrupted} after step ${done} of ${total}; checkpoint ${checkpointFileName(done, "pt")} written`,
      fix: "continue with the same options and --resume",
      diagnostics: { signal: interrupted, step: done },
    });
  }
  await checkpoint(total);
  const seconds = (performance.now() - t0 - evalMs) / 1000;
  // From metrics.jsonl, so a resumed run reports its whole history, not only the part this process trained.
  const epochMeans = runDir.epochMeans();
  const first = epochMeans[0] ?? { loss: NaN, top1: NaN };
  const last = epochMeans[epochMeans.length - 1] ?? first;
  const steps = total - firstStep;
  return {
    positiveTop1FirstEpoch: first.top1,
    positiveTop1LastEpoch: last.top1,
    lossFirstEpoch: first.loss,
    lossLastEpoch: last.loss,
    steps,
    trainSeconds: seconds,
    stepsPerSecond: steps / seconds,
    samplesPerSecond: (steps * config.batchSize) / seconds,
  };
}

/** λ of the step for metrics.jsonl: the mean kept fraction of its mask(s), and Un-Mix's λ_u. */
function lambdas(plan: StepPlan): { lambda?: number; unmixLambda?: number } {
  const kept = plan.mask?.keptFractions;
  return {
    ...(kept ? { lambda: kept.reduce((a, b) => a + b, 0) / kept.length } : {}),
    ...(plan.unmix ? { unmixLambda: plan.unmix.lambda } : {}),
  };
}

function describeWorker(info: WorkerInfo): string {
  return `worker pid ${info.pid}: python ${info.pythonVersion}, torch ${info.torchVersion}, device ${info.device} (${info.deviceName}), ${info.torchThreads} threads${info.capabilities.length ? `, ${info.capabilities.join(", ")}` : ""}`;
}

export type { CheckpointManifest };
