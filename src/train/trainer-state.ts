import type { PretrainConfig } from "../config/pretrain-config.js";
import { MixmaskError } from "../errors.js";
import { planFingerprint } from "../worker/plan-encoding.js";
import { StepPlanner } from "./step-planner.js";

/**
 * The TypeScript half of a checkpoint: where the run stands and everything that decides the plans from here on.
 *
 * Plans are drawn from (seed, step) alone, so no generator has hidden state to save: each random stream is
 * `Rng.stream(seed, name, key)` with the key an epoch or a step. What a resume must check instead is that the
 * planner would draw the same streams: the stream names, the seed, the sampler's geometry, the schedule, the
 * dataset, and — the end-to-end proof — the fingerprint of the last plan the interrupted run sent.
 */
export interface TrainerState {
  /** Steps done = the step the run continues with. */
  step: number;
  epoch: number;
  stepInEpoch: number;
  stepsPerEpoch: number;
  totalSteps: number;
  sampler: {
    kind: "epoch-permutation";
    seed: number;
    datasetCount: number;
    batchSize: number;
    dropLast: true;
    epoch: number;
    batchInEpoch: number;
  };
  rng: {
    generator: "xoshiro128** seeded by a SplitMix64 hash of (seed, name, key)";
    seed: number;
    streams: { name: string; keyedBy: "epoch" | "step" }[];
  };
  schedule: {
    kind: "linear warm-up, cosine to 0, per step";
    baseLr: number;
    warmupSteps: number;
    totalSteps: number;
    lastLr: number | null;
    nextLr: number | null;
  };
  /** Content hash of the training dataset (the id the worker holds it under). */
  datasetId: string;
  /** planFingerprint of the plan of step − 1, the last one run (null at step 0). */
  lastPlanSha256: string | null;
}

export function captureTrainerState(
  config: PretrainConfig,
  planner: StepPlanner,
  step: number,
  datasetId: string,
  datasetCount: number,
): TrainerState {
  const perEpoch = planner.stepsPerEpoch;
  const last = step > 0 ? planner.plan(step - 1) : undefined;
  const next = step < planner.totalSteps ? planner.plan(step) : undefined;
  const epoch = Math.floor(step / perEpoch);
  return {
    step,
    epoch,
    stepInEpoch: step % perEpoch,
    stepsPerEpoch: perEpoch,
    totalSteps: planner.totalSteps,
    sampler: {
      kind: "epoch-permutation",
      seed: config.seed,
      datasetCount,
      batchSize: config.batchSize,
      dropLast: true,
      epoch,
      batchInEpoch: step % perEpoch,
    },
    rng: {
      generator: "xoshiro128** seeded by a SplitMix64 hash of (seed, name, key)",
      seed: config.seed,
      streams: StepPlanner.RNG_STREAMS.map((s) => ({ ...s })),
    },
    schedule: {
      kind: "linear warm-up, cosine to 0, per step",
      baseLr: config.lr,
      warmupSteps: config.warmupEpochs * perEpoch,
      totalSteps: planner.totalSteps,
      lastLr: last?.lr ?? null,
      nextLr: next?.lr ?? null,
    },
    datasetId,
    lastPlanSha256: last ? planFingerprint(last) : null,
  };
}

/**
 * Refuses to resume when the planner of this process would not continue the saved run exactly: lists every field
 * that differs (the same seed and options with another SDK version can still draw other plans).
 */
export function verifyTrainerState(saved: TrainerState, now: TrainerState, manifestPath: string): void {
  const issues: { path: string; message: string; expected: string; received: string }[] = [];
  const compare = (path: string, a: unknown, b: unknown): void => {
    if (JSON.stringify(a) !== JSON.stringify(b))
      issues.push({
        path: `trainer.${path}`,
        message: "differs from the checkpoint",
        expected: JSON.stringify(a),
        received: JSON.stringify(b),
      });
  };
  compare("rng", saved.rng, now.rng);
  compare("sampler", saved.sampler, now.sampler);
  compare("stepsPerEpoch", saved.stepsPerEpoch, now.stepsPerEpoch);
  compare("totalSteps", saved.totalSteps, now.totalSteps);
  compare("schedule", saved.schedule, now.schedule);
  compare("datasetId", saved.datasetId, now.datasetId);
  compare("lastPlanSha256", saved.lastPlanSha256, now.lastPlanSha256);
  if (issues.length === 0) return;
  throw new MixmaskError({
    code: "INVALID_FILE",
    path: manifestPath,
    message: `this checkpoint does not match the run this SDK would continue (${issues.map((i) => i.path).join(", ")}): a resume would not reproduce the interrupted run`,
    issues,
    fix: "resume with the SDK version, dataset and options that wrote the checkpoint (see its config and sdkVersion), or start a new run directory",
  });
}
