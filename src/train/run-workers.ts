import type { ImageDataset } from "../data/image-dataset.js";
import type { ImageSource } from "../data/image-source.js";
import type { CreateRunMessage } from "../worker/worker-client.js";
import type { CreateRunReply, LoadCheckpointReply, Worker } from "../worker/worker.js";
import type { StepPlan } from "./step-plan.js";
import { StepStream, type StepResult } from "../worker/step-stream.js";
import { TrainingData, type TrainingDataOptions } from "./training-data.js";

/** A bounded stream of step plans in, results out in step order (StepStream, or a group's GroupStepStream). */
export interface StepSink {
  readonly inFlight: number;
  submit(plan: StepPlan): void;
  next(): Promise<StepResult>;
  close(): void;
  abort(): void;
}

/**
 * The worker(s) a pretraining run trains on: one Worker, or the ranks of a torchrun launch (src/distributed/).
 * The rule for everything else (docs/DISTRIBUTED.md): `lead` — the only worker, or rank 0 — answers evaluation
 * (k-NN, and any later linear probe or fine-tuning) and writes checkpoints, because after every step each rank
 * holds the same state; only what changes that state goes to every worker.
 */
export interface RunWorkers {
  readonly lead: Worker;
  /** One line for the log: which worker(s). */
  readonly description: string;
  /** Uploads the datasets to every worker (each keeps them resident). */
  prepareData(
    train: ImageDataset | ImageSource,
    test: ImageDataset | ImageSource,
    options: TrainingDataOptions,
  ): Promise<TrainingData>;
  createRun(request: CreateRunMessage): Promise<CreateRunReply>;
  /** Every worker loads the same checkpoint file (a checkpoint loads into any number of ranks). */
  loadCheckpoint(runId: string, file: string, sha256: string): Promise<LoadCheckpointReply>;
  openSteps(runId: string, idleTimeoutMs: number): StepSink;
}

/** A run on one worker: every call goes to it. */
export function oneWorker(worker: Worker): RunWorkers {
  return {
    lead: worker,
    description: `worker pid ${worker.info.pid}`,
    prepareData: (train, test, options) => TrainingData.prepare(worker, train, test, options),
    createRun: (request) => worker.createRun(request),
    loadCheckpoint: (runId, file, sha256) => worker.loadCheckpoint(runId, file, sha256),
    openSteps: (runId, idleTimeoutMs) => new StepStream(worker, runId, idleTimeoutMs),
  };
}
