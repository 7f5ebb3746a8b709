import type { PretrainConfig } from "../config/pretrain-config.js";
import { MixmaskError } from "../errors.js";
import { onFirstInterrupt } from "../worker/interrupt-hooks.js";
import type { StepResult } from "../worker/step-stream.js";
import type { BatchFeeder } from "./batch-feeder.js";
import { checkpointFileName } from "./checkpoint-manifest.js";
import type { CheckpointWriter } from "./checkpoint-writer.js";
import { describeTerm, divergenceError, type PlannedStep } from "./divergence-report.js";
import type { ProgressReporter } from "./progress.js";
import type { RunDirectory } from "./run-directory.js";
import type { RunWorkers, StepSink } from "./run-workers.js";
import type { StepPlan } from "./step-plan.js";
import type { StepPlanner } from "./step-planner.js";

/**
 * Something that watches training from inside the loop (the k-NN monitor; a learning-health check; a per-epoch
 * preview). Observers run in the order given.
 */
export interface TrainObserver {
  /**
   * Each step's result, in step order, after metrics.jsonl has it, with the plan's learning rate and λ. Runs on the
   * hot path: it must not wait on the worker (no device sync per step).
   */
  step?(result: StepResult, step: PlannedStep & { epoch: number }): void;
  /** Whether `epochEnd` runs after `epoch` (1-based: the number of finished epochs). Default: every epoch. */
  wantsEpochEnd?(epoch: number): boolean;
  /**
   * Between two epochs (never after the last: the final evaluation follows), with no step in flight; its time is
   * left out of the throughput. Runs before that epoch's checkpoint.
   */
  epochEnd?(epoch: number, step: number): Promise<void>;
  /** Each plan as it is submitted (the learning-health monitor reads its terms' uniform loss). */
  planned?(plan: StepPlan): void;
  /** An error to end the run with after a checkpoint (`--on-collapse stop`), once the observer asks to stop. */
  stop?(step: number, total: number): MixmaskError | undefined;
  /** A word for the progress line (the latest health warning's check). */
  status?(): string | undefined;
}

/** Everything the loop needs, by name (see pretrain.ts for how a run builds each). */
export interface TrainLoopOptions {
  config: PretrainConfig;
  planner: StepPlanner;
  workers: Pick<RunWorkers, "openSteps">;
  runId: string;
  /** Abort when no step result arrives for this long. */
  stepIdleTimeoutMs: number;
  runDir: RunDirectory;
  progress: ProgressReporter;
  /** The first step to train (a resumed run's checkpoint step; 0 otherwise). */
  firstStep: number;
  /** Streaming mode: the batches pushed ahead of the plans, whose failure ends training at once. */
  feeder?: BatchFeeder;
  checkpoints: CheckpointWriter;
  observers: readonly TrainObserver[];
}

export interface TrainTotals {
  positiveTop1FirstEpoch: number;
  positiveTop1LastEpoch: number;
  lossFirstEpoch: number;
  lossLastEpoch: number;
  steps: number;
  trainSeconds: number;
  stepsPerSecond: number;
  samplesPerSecond: number;
}

/**
 * Plans every step from `firstStep` on and keeps `plansInFlight` of them on the worker's stream, writing each result
 * to metrics.jsonl; between epochs runs the observers and writes checkpoints; on Ctrl-C finishes the steps in flight
 * and checkpoints. Returns the run's totals, read from metrics.jsonl so a resumed run reports its whole history.
 */
export async function trainLoop(options: TrainLoopOptions): Promise<TrainTotals> {
  const { config, planner, runDir, progress, firstStep, feeder, checkpoints, observers } = options;
  const total = planner.totalSteps;
  const perEpoch = planner.stepsPerEpoch;
  const stream: StepSink = options.workers.openSteps(options.runId, options.stepIdleTimeoutMs);
  const planned = new Map<number, PlannedStep>();
  const t0 = performance.now();
  let evalMs = 0; // observers' time between epochs, left out of the throughput
  let done = firstStep;
  // Ctrl-C (or SIGTERM) stops planning, lets the steps in flight finish and writes a checkpoint; a second one
  // ends the process at once (the previous checkpoint stays intact either way).
  let interrupted: NodeJS.Signals | undefined;
  const stopListening = onFirstInterrupt((signal) => {
    interrupted = signal;
    progress.log(
      `${signal}: finishing the steps in flight and writing a checkpoint (press Ctrl-C again to stop at once)`,
    );
  });

  const take = async (): Promise<void> => {
    let r: StepResult;
    try {
      // Streaming: a failed decode or push ends training at once, with the reader's error.
      r = await (feeder ? Promise.race([stream.next(), feeder.failed]) : stream.next());
    } catch (error) {
      // A non-finite loss: the worker's weights are unusable, so nothing is checkpointed from here on.
      if (error instanceof MixmaskError && error.workerCode === "NON_FINITE_LOSS")
        throw divergenceError(error, planned, runDir, checkpoints.last);
      throw error;
    }
    feeder?.release(r.step);
    const meta = planned.get(r.step);
    planned.delete(r.step);
    const epoch = Math.floor(r.step / perEpoch);
    const mixing = {
      ...(meta?.lambda !== undefined ? { lambda: meta.lambda } : {}),
      ...(meta?.unmixLambda !== undefined ? { unmixLambda: meta.unmixLambda } : {}),
    };
    runDir.appendMetrics({ ...r, epoch, lr: meta?.lr ?? NaN, ...mixing, elapsedS: (performance.now() - t0) / 1000 });
    for (const o of observers) o.step?.(r, { lr: meta?.lr ?? NaN, terms: meta?.terms ?? [], ...mixing, epoch });
    done = r.step + 1;
    const sps = (done - firstStep) / ((performance.now() - t0) / 1000);
    const health = observers.map((o) => o.status?.()).find((s) => s !== undefined);
    progress.update({
      step: done,
      totalSteps: total,
      epoch,
      loss: r.loss,
      positiveTop1: r.positiveTop1,
      stepsPerSecond: sps,
      ...(health ? { health } : {}),
    });
  };
  const drain = async (): Promise<void> => {
    while (stream.inFlight > 0) await take();
  };

  progress.start(total, firstStep);
  let finished = false;
  try {
    const stopping = (): boolean => observers.some((o) => o.stop?.(done, total) !== undefined);
    for (let step = firstStep; step < total && !interrupted && !stopping(); step++) {
      while (stream.inFlight >= config.plansInFlight) await take();
      if (interrupted || stopping()) break;
      const plan = planner.plan(step);
      for (const o of observers) o.planned?.(plan);
      planned.set(step, { lr: plan.lr, terms: plan.terms.map(describeTerm), ...lambdas(plan) });
      stream.submit(plan);
      const endOfEpoch = (step + 1) % perEpoch === 0;
      if (!endOfEpoch || step + 1 >= total) continue;
      const epochNumber = (step + 1) / perEpoch;
      const due = observers.filter((o) => o.epochEnd && (o.wantsEpochEnd?.(epochNumber) ?? true));
      if (due.length > 0) {
        await drain();
        const e0 = performance.now();
        for (const o of due) await o.epochEnd!(epochNumber, step + 1);
        evalMs += performance.now() - e0;
      }
      if (config.checkpointEvery > 0 && epochNumber % config.checkpointEvery === 0) {
        await drain();
        await checkpoints.writeOnce(step + 1);
      }
    }
    await drain();
    finished = true;
  } finally {
    stopListening();
    progress.stop();
    if (finished) stream.close();
    else stream.abort();
  }
  if (interrupted) {
    await checkpoints.writeOnce(done);
    throw new MixmaskError({
      code: "INTERRUPTED",
      message: `stopped by ${interrupted} after step ${done} of ${total}; checkpoint ${checkpointFileName(done, "pt")} written`,
      fix: "continue with the same options and --resume",
      diagnostics: { signal: interrupted, step: done },
    });
  }
  const stop = observers.map((o) => o.stop?.(done, total)).find((e) => e !== undefined);
  if (stop) {
    await checkpoints.writeOnce(done);
    throw stop;
  }
  await checkpoints.writeOnce(total);
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
