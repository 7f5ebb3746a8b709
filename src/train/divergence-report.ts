import { existsSync, readFileSync } from "node:fs";
import { MixmaskError } from "../errors.js";
import type { LossTerm } from "../frameworks/loss-term.js";
import type { RunDirectory } from "./run-directory.js";

/** What the trainer remembers of each plan in flight, to explain a failure of its step. */
export interface PlannedStep {
  lr: number;
  /** Mean kept fraction of the step's mask(s), and Un-Mix's λ_u. */
  lambda?: number;
  unmixLambda?: number;
  /** One description per loss term, in plan order. */
  terms: string[];
}

export function describeTerm(term: LossTerm): string {
  const branch = (b: LossTerm["anchor"]): string => `${b.encoder}(${b.input})`;
  const temperature = term.temperature > 0 ? `, T=${term.temperature}` : "";
  return `${term.kind} ${branch(term.anchor)}${term.anchorOrder ? "[partner⁻¹]" : ""} vs ${branch(term.positive)}, weight ${+term.weight.toFixed(6)}${term.sampleWeights ? " × per-sample λ" : ""}${temperature}`;
}

/**
 * Turns the worker's NON_FINITE_LOSS into the user's error: which step, which term (named as TypeScript planned
 * it), the learning rate of that step, the last good checkpoint (kept: nothing is written after a divergence) and the
 * last finite losses, also written to divergence.json in the run directory.
 */
export function divergenceError(
  error: MixmaskError,
  planned: ReadonlyMap<number, PlannedStep>,
  runDir: RunDirectory,
  lastCheckpoint: { step: number; file: string } | null,
): MixmaskError {
  const d = error.diagnostics ?? {};
  const step = typeof d.step === "number" ? d.step : null;
  const termIndex = typeof d.term === "number" ? d.term : null;
  const plan = step === null ? undefined : planned.get(step);
  const term =
    termIndex === null
      ? "the weighted total loss"
      : `loss term ${termIndex} (${plan?.terms[termIndex] ?? "unknown term"})`;
  const lr = plan?.lr ?? (typeof d.lr === "number" ? d.lr : null);
  const value = String(d.value ?? "non-finite");
  const report = {
    step,
    term: termIndex,
    termDescription: term,
    value,
    lr,
    lambda: plan?.lambda ?? null,
    lastGoodCheckpoint: lastCheckpoint,
    recentSteps: recentMetrics(runDir, 5),
    workerMessage: error.message,
  };
  runDir.writeJson("divergence.json", report);
  const kept = lastCheckpoint
    ? `the last good checkpoint, step ${lastCheckpoint.step} (checkpoints/${lastCheckpoint.file}), is kept`
    : "no checkpoint was written before it";
  return new MixmaskError({
    code: "NON_FINITE_LOSS",
    workerCode: error.workerCode,
    message: `the loss became ${value} at step ${step ?? "?"} in ${term} at lr ${lr ?? "?"}: the run stopped and wrote nothing after it; ${kept}. Details: ${runDir.file("divergence.json")}`,
    diagnostics: {
      step,
      term: termIndex,
      termDescription: term,
      value,
      lr,
      lastGoodCheckpointStep: lastCheckpoint?.step ?? null,
    },
    fix: "start again with a lower --lr or longer --warmup-epochs (a resume with the same options diverges at the same step again)",
    cause: error,
  });
}

function recentMetrics(runDir: RunDirectory, count: number): unknown[] {
  const file = runDir.file("metrics.jsonl");
  if (!existsSync(file)) return [];
  return readFileSync(file, "utf8")
    .trim()
    .split("\n")
    .filter(Boolean)
    .slice(-count)
    .map((line) => JSON.parse(line) as unknown);
}
