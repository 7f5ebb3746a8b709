import { validatePretrainConfig, type PretrainConfig } from "../config/pretrain-config.js";
import type { ImageDataset } from "../data/image-dataset.js";
import type { ImageSource } from "../data/image-source.js";
import { openDataset } from "../data/open-dataset.js";
import { startLiveOutputs, type LiveOutputs } from "../dashboard/live-run-outputs.js";
import { groupRunWorkers } from "../distributed/group-run-workers.js";
import { WorkerGroup } from "../distributed/worker-group.js";
import { MixmaskError } from "../errors.js";
import { describeProbe, evaluationOptions, RunEvaluator } from "../eval/run-evaluator.js";
import { belowPixels, describePixelBaseline } from "../eval/pixel-baseline.js";
import { RunHealth } from "./run-health.js";
import { writeRunReport } from "../report/run-report.js";
import { SDK_VERSION } from "../worker/protocol-version.js";
import { Worker, type WorkerInfo, type WorkerOptions } from "../worker/worker.js";
import { readCheckpointManifest, type CheckpointManifest } from "./checkpoint-manifest.js";
import { CheckpointWriter } from "./checkpoint-writer.js";
import { describeMethod } from "./describe-method.js";
import { knnMonitor } from "./knn-monitor.js";
import type { PretrainSummary } from "./pretrain-summary.js";
import { silentProgress, type ProgressReporter } from "./progress.js";
import { assertResumableConfig } from "./resume-options.js";
import { RunDirectory } from "./run-directory.js";
import { prepareRunDir } from "./run-dir-guard.js";
import { RunLock } from "./run-lock.js";
import { assertWorkerCompiles, runRequest } from "./run-request.js";
import { oneWorker, type RunWorkers } from "./run-workers.js";
import { startingPoint } from "./starting-point.js";
import { StepPlanner } from "./step-planner.js";
import { trainLoop, type TrainObserver } from "./train-loop.js";

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
  /**
   * Replace the run `config.runDir` holds: its files are removed first (src/train/run-dir-guard.ts). Without it (or
   * `resume`) a non-empty run directory is refused with RUN_DIR_NOT_EMPTY. Default false.
   */
  overwrite?: boolean;
  /** Abort when no step result arrives for this long. Default 600 000 ms. */
  stepIdleTimeoutMs?: number;
}

const RUN_ID = "pretrain";

/**
 * MoCo v2 (+ MixMask) pretraining driven from TypeScript: plans every step, keeps several in flight on the worker's
 * `Train` stream, writes metrics and checkpoints, and measures weighted k-NN before and after. The run directory is
 * locked (`run.lock`) while it trains, and one holding another run is refused unless resumed or overwritten.
 */
export async function pretrain(input: PretrainConfig, options: PretrainOptions = {}): Promise<PretrainSummary> {
  const config = validatePretrainConfig(input, { names: "keys" });
  const log = (line: string): void => (options.progress ?? silentProgress).log(line);
  const lock = RunLock.acquire(new RunDirectory(config.runDir).dir, log);
  try {
    const note = prepareRunDir(lock.dir, options);
    if (note) log(note);
    return await trainInRunDir(config, options);
  } finally {
    lock.release();
  }
}

async function trainInRunDir(config: PretrainConfig, options: PretrainOptions): Promise<PretrainSummary> {
  const t0 = performance.now();
  const progress = options.progress ?? silentProgress;
  const runDir = new RunDirectory(config.runDir);
  const manifest = options.resume ? readCheckpointManifest(runDir) : undefined;
  if (options.resume && !manifest) {
    throw new MixmaskError({
      code: "INVALID_OPTION",
      path: "--resume",
      message: `no checkpoint in ${runDir.checkpointsDir}`,
      fix: "start without --resume, or point --run-dir at the run to continue",
    });
  }
  if (manifest) assertResumableConfig(manifest.config, config, runDir.dir);

  const { train, test } = options.datasets ?? (await openDataset({ ...config, log: (line) => progress.log(line) }));
  const ranks = config.ranks ?? 1;
  if (options.group && options.group.worldSize !== ranks) {
    throw new MixmaskError({
      code: "INVALID_OPTION",
      path: "--ranks",
      message: `the run plans for ${ranks} rank(s) but the group has ${options.group.worldSize}`,
      expected: String(options.group.worldSize),
      received: String(ranks),
      fix: `set --ranks ${options.group.worldSize}`,
    });
  }
  const owned = !options.worker && !options.group;
  const spawnOptions = {
    device: config.device,
    ...(config.threads > 0 ? { threads: config.threads } : {}),
    ...options.workerOptions,
  };
  const group = options.group ?? (owned && ranks > 1 ? await WorkerGroup.spawn({ ...spawnOptions, ranks }) : undefined);
  const workers: RunWorkers = group
    ? groupRunWorkers(group, config.syncBatchNorm ?? false)
    : oneWorker(options.worker ?? (await Worker.spawn(spawnOptions)));
  const worker = workers.lead;
  let live: LiveOutputs | undefined; // TensorBoard events and the per-epoch preview (src/dashboard/)
  try {
    progress.log(`${describeWorker(worker.info)}${group ? `; ${workers.description}` : ""}`);
    if (worker.info.threadsAdvice) progress.log(`note: ${worker.info.threadsAdvice}`);
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
    progress.log(
      `${config.arch} (base width ${config.baseWidth}) + ${describeMethod(config)}: ${(Number(created.parameters) / 1e6).toFixed(2)} M parameters${config.compile && config.compile !== "off" ? `, torch.compile "${config.compile}" (the first steps compile)` : ""}`,
    );

    const evaluator = RunEvaluator.forTrainingData(worker, RUN_ID, config, data, train);
    const wanted = evaluationOptions(config);
    const planner = new StepPlanner(config, train);
    // What the trainer state records as the dataset: its content hash (streamed runs: that of the uploaded k-NN bank,
    // the first images of the training set, since a stream's id is new every time).
    const trainedContentId = data.streaming ? data.bankId : data.trainId;
    const start = {
      config,
      planner,
      workers,
      runId: RUN_ID,
      runDir,
      trainedContentId,
      trainCount: train.count,
      progress,
    };
    const { firstStep, knnInit, linearProbeInit } = await startingPoint({ ...start, manifest, evaluator, wanted });
    if (firstStep >= planner.totalSteps) {
      throw new MixmaskError({
        code: "INVALID_OPTION",
        path: "--resume",
        message: `the run in ${runDir.dir} is already complete (step ${firstStep} of ${planner.totalSteps}); its results are in summary.json`,
        fix: "start a new run directory, or raise --epochs in a new run",
      });
    }
    progress.log(
      `k-NN top-1 before training: ${knnInit.top1.toFixed(4)} (k=${knnInit.k}, T=${knnInit.temperature}, ${knnInit.trainCount} bank / ${knnInit.testCount} test images)`,
    );
    if (linearProbeInit) progress.log(`linear probe before training: ${describeProbe(linearProbeInit)}`);
    const baselines = await evaluator.baselines({ knnInit, ...(linearProbeInit ? { linearProbeInit } : {}) }, progress);
    runDir.writeJson("baselines.json", baselines);
    progress.log(describePixelBaseline(baselines.pixels));
    const health = new RunHealth(config, planner.stepsPerEpoch, runDir, progress, {
      pixelKnn: baselines.pixels.knn.top1,
      firstStep,
    });

    const checkpoints = new CheckpointWriter({
      worker,
      runId: RUN_ID,
      runDir,
      config,
      planner,
      trainedContentId,
      trainCount: train.count,
      knnInit,
      ...(linearProbeInit ? { linearProbeInit } : {}),
      progress,
      last: manifest ? { step: manifest.step, file: manifest.worker.file } : null,
    });
    live = startLiveOutputs({
      runDir: runDir.dir,
      config,
      worker,
      runId: RUN_ID,
      plan: (step) => planner.plan(step),
      stepsPerEpoch: planner.stepsPerEpoch,
      firstStep,
      log: (line) => progress.log(line),
    });
    // The feeder only needs each step's indices: the planner gives them without planning the step.
    const feeder = data.startFeeding((step) => planner.indicesOf(step), firstStep, planner.totalSteps);
    const stepIdleTimeoutMs = options.stepIdleTimeoutMs ?? 600_000;
    const observers: TrainObserver[] = [
      knnMonitor(wanted.knnEvery, evaluator, runDir, progress, (p) => health.knn(p)),
      health,
    ];
    const loop = {
      config,
      planner,
      workers,
      runId: RUN_ID,
      stepIdleTimeoutMs,
      runDir,
      progress,
      firstStep,
      checkpoints,
      observers,
    };
    const totals = await trainLoop({ ...loop, ...(feeder ? { feeder } : {}) }).catch(async (error: unknown) => {
      await data.abort();
      throw error;
    });
    const streaming = await data.finish();

    const evaluations = await evaluator.afterTraining(
      { knnInit, linearProbeInit, monitored: runDir.knnMonitor(), totalSteps: planner.totalSteps },
      progress,
    );
    const { knnFinal } = evaluations;
    const summary: PretrainSummary = {
      sdkVersion: SDK_VERSION,
      runDir: runDir.dir,
      device: worker.info.device,
      deviceName: worker.info.deviceName,
      knnInit,
      knnFinal,
      evaluations,
      baselines,
      health: health.warnings(),
      belowPixels: belowPixels(baselines.pixels, {
        knn: knnFinal,
        ...(evaluations.linearProbe ? { linearProbe: evaluations.linearProbe } : {}),
      }),
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

/** The worker line of the progress log: what the run executes on, with the thread and memory policies the worker
 * chose (python_worker/mixmask_worker/service/thread_policy.py, malloc_policy.py), since both move steps/s. */
function describeWorker(info: WorkerInfo): string {
  const threads = `${info.torchThreads} threads${info.threadWait ? ` (OpenMP wait ${info.threadWait})` : ""}`;
  const malloc = info.mallocPolicy ? `, malloc ${info.mallocPolicy}` : "";
  const capabilities = info.capabilities.length ? `, ${info.capabilities.join(", ")}` : "";
  return `worker pid ${info.pid}: python ${info.pythonVersion}, torch ${info.torchVersion}, device ${info.device} (${info.deviceName}), ${threads}${malloc}${capabilities}`;
}

export type { CheckpointManifest, PretrainSummary };
