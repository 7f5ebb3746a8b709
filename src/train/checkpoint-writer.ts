import { rmSync } from "node:fs";
import { join } from "node:path";
import type { PretrainConfig } from "../config/pretrain-config.js";
import type { KnnResult } from "../eval/knn.js";
import type { LinearProbeResult } from "../eval/linear-probe.js";
import { MixmaskError } from "../errors.js";
import { isDiskFull } from "../io/disk-full.js";
import { PROTOCOL_VERSION, SDK_VERSION } from "../worker/protocol-version.js";
import type { Worker } from "../worker/worker.js";
import {
  checkpointFileName,
  pruneCheckpoints,
  signManifest,
  WORKER_STATE_PARTS,
  writeCheckpointManifest,
} from "./checkpoint-manifest.js";
import type { ProgressReporter } from "./progress.js";
import type { RunDirectory } from "./run-directory.js";
import type { StepPlanner } from "./step-planner.js";
import { captureTrainerState } from "./trainer-state.js";

/** Worker checkpoints kept on disk: the latest (named by latest.json) and the one before it. */
const KEEP_CHECKPOINTS = 2;

/** What a checkpoint records besides the worker's state (docs/RELIABILITY.md). */
export interface CheckpointWriterOptions {
  /** The worker that saves the training state (the lead of a group: every rank holds the same state). */
  worker: Worker;
  runId: string;
  runDir: RunDirectory;
  config: PretrainConfig;
  planner: StepPlanner;
  /** The dataset's content hash the trainer state records (streamed runs: that of the uploaded k-NN bank). */
  trainedContentId: string;
  trainCount: number;
  knnInit: KnnResult;
  linearProbeInit?: LinearProbeResult;
  progress: ProgressReporter;
  /** The checkpoint a resumed run started from. */
  last: { step: number; file: string } | null;
}

/**
 * The run's checkpoints: the worker's file plus a signed latest.json naming it, the newest two kept. `last` is the
 * last one written, kept through any later failure (a failed manifest write leaves the previous one intact).
 */
export class CheckpointWriter {
  last: { step: number; file: string } | null;

  constructor(private readonly options: CheckpointWriterOptions) {
    this.last = options.last;
  }

  /** Writes the checkpoint of `step` unless it is the last one written. */
  async writeOnce(step: number): Promise<void> {
    if (this.last?.step !== step) await this.write(step);
  }

  async write(step: number): Promise<void> {
    const { worker, runId, runDir, config, planner, trainedContentId, trainCount, knnInit, linearProbeInit, progress } =
      this.options;
    const file = checkpointFileName(step, "pt");
    const saved = await worker.saveCheckpoint(runId, join(runDir.checkpointsDir, file), step);
    const signed = signManifest({
      sdkVersion: SDK_VERSION,
      protocolVersion: PROTOCOL_VERSION,
      writtenAt: new Date().toISOString(),
      step,
      config,
      trainer: captureTrainerState(config, planner, step, trainedContentId, trainCount),
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
        code: isDiskFull(error) ? "DISK_FULL" : "CHECKPOINT_FAILED",
        path: runDir.file("checkpoints/latest.json"),
        message: `cannot write the checkpoint manifest of step ${step} (${isDiskFull(error) ? (error as Error).message.replace(/^\[DISK_FULL\] /, "").split("\n")[0] : ((error as NodeJS.ErrnoException).code ?? (error as Error).message)}); the previous checkpoint${this.last ? ` (step ${this.last.step})` : ""} is intact`,
        fix: "free disk space or choose a writable --run-dir, then continue with --resume",
        cause: error,
      });
    }
    this.last = { step, file };
    pruneCheckpoints(runDir, KEEP_CHECKPOINTS, file);
    progress.log(`checkpoint ${file} (${(Number(saved.bytes) / 1e6).toFixed(1)} MB) at step ${step}`);
  }
}
