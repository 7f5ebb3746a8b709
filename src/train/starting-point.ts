import { join } from "node:path";
import type { PretrainConfig } from "../config/pretrain-config.js";
import { MixmaskError } from "../errors.js";
import type { KnnResult } from "../eval/knn.js";
import type { LinearProbeResult } from "../eval/linear-probe.js";
import type { evaluationOptions, RunEvaluator } from "../eval/run-evaluator.js";
import type { CheckpointManifest } from "./checkpoint-manifest.js";
import type { ProgressReporter } from "./progress.js";
import type { RunDirectory } from "./run-directory.js";
import type { RunWorkers } from "./run-workers.js";
import type { StepPlanner } from "./step-planner.js";
import { captureTrainerState, verifyTrainerState } from "./trainer-state.js";

/** Where a run starts: its first step, and the evaluations of the encoder before training. */
export interface StartingPoint {
  firstStep: number;
  knnInit: KnnResult;
  linearProbeInit?: LinearProbeResult;
}

export interface StartingPointOptions {
  config: PretrainConfig;
  planner: StepPlanner;
  workers: Pick<RunWorkers, "loadCheckpoint">;
  runId: string;
  runDir: RunDirectory;
  /** The dataset's content hash the trainer state records. */
  trainedContentId: string;
  trainCount: number;
  progress: ProgressReporter;
  /** The checkpoint to resume from (latest.json), or none for a fresh run. */
  manifest: CheckpointManifest | undefined;
  evaluator: RunEvaluator;
  wanted: ReturnType<typeof evaluationOptions>;
}

/**
 * A fresh run measures the untrained encoder (k-NN, and the linear probe when asked) and starts metrics.jsonl
 * afresh; a resumed one checks that the checkpoint belongs to this planner, loads it on every worker, keeps the
 * evaluations it recorded and cuts the per-step files back to its step.
 */
export async function startingPoint(o: StartingPointOptions): Promise<StartingPoint> {
  const { config, planner, runDir, manifest } = o;
  if (!manifest) {
    const knnInit = await o.evaluator.knn();
    const linearProbeInit = o.wanted.linearProbe ? await o.evaluator.linearProbe() : undefined;
    runDir.resetMetrics();
    runDir.resetKnnMonitor();
    return { firstStep: 0, knnInit, ...(linearProbeInit ? { linearProbeInit } : {}) };
  }
  const state = captureTrainerState(config, planner, manifest.step, o.trainedContentId, o.trainCount);
  verifyTrainerState(manifest.trainer, state, runDir.file("checkpoints/latest.json"));
  const file = join(runDir.checkpointsDir, manifest.worker.file);
  const loaded = await o.workers.loadCheckpoint(o.runId, file, manifest.worker.sha256);
  if (Number(loaded.step) !== manifest.step) {
    throw new MixmaskError({
      code: "INVALID_FILE",
      path: file,
      message: `holds step ${loaded.step}, but latest.json says step ${manifest.step}`,
      fix: "the checkpoint files were mixed up; start a new run directory or restore the matching pair",
    });
  }
  const torn = runDir.truncateMetrics(manifest.step);
  if (torn > 0)
    o.progress.log(`metrics.jsonl: dropped ${torn} torn line(s) (a crash or a full disk cut a write short)`);
  runDir.truncateKnnMonitor(manifest.step);
  o.progress.log(`resumed from ${manifest.worker.file} at step ${manifest.step}`);
  return {
    firstStep: manifest.step,
    knnInit: manifest.knnInit,
    ...(manifest.linearProbeInit ? { linearProbeInit: manifest.linearProbeInit } : {}),
  };
}
