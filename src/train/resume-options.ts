import { basename } from "node:path";
import type { PretrainConfig } from "../config/pretrain-config.js";
import { MixmaskError } from "../errors.js";

/** Options that change only what is measured, never what is trained: a resumed run may change them. */
export const EVALUATION_OPTIONS: readonly string[] = [
  "knnK",
  "knnTemperature",
  "knnEvery",
  "linearProbe",
  "linearProbeEpochs",
  "semiSupervised",
];

/**
 * Options that change where and how fast the run executes, not the method: a resumed run may change them. `compile`
 * is one: a compiled run's weights, optimizer state and checkpoint keys are the eager run's, so a run trained
 * compiled resumes eagerly and vice versa (its losses then agree with an uninterrupted run's to float32 rounding, not
 * bit for bit: python_worker/tests/training/test_compiled_run.py).
 */
export const EXECUTION_OPTIONS: readonly string[] = [
  "runDir",
  "device",
  "threads",
  "plansInFlight",
  "checkpointEvery",
  "lane",
  "streaming",
  "streamBufferBatches",
  "compile",
  "onCollapse",
];

/** Refuses to resume a checkpoint made with other method options than `now`, naming each option that differs. */
export function assertResumableConfig(saved: PretrainConfig, now: PretrainConfig, dir: string): void {
  const free = new Set([...EXECUTION_OPTIONS, ...EVALUATION_OPTIONS]);
  const differing = (Object.keys(now) as (keyof PretrainConfig)[]).filter(
    (k) => !free.has(k) && JSON.stringify(saved[k]) !== JSON.stringify(now[k]),
  );
  if (differing.length > 0) {
    throw new MixmaskError({
      code: "INVALID_OPTION",
      path: "--resume",
      message: `the checkpoint in ${basename(dir)} was made with other options: ${differing.map((k) => `${k} ${JSON.stringify(saved[k])} → ${JSON.stringify(now[k])}`).join(", ")}`,
      fix: "resume with the run's original options (see its config.json), or start a new run directory",
    });
  }
}
