import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";

/** The per-step series a report plots, read back from a run directory's metrics.jsonl. */
export interface RunMetrics {
  steps: number[];
  loss: number[];
  /** λ of every step that had a mask (mean kept fraction of its masks). */
  lambda: number[];
  /** Un-Mix's λ_u of every step that had an Un-Mix mixture. */
  unmixLambda: number[];
}

export function readRunMetrics(runDir: string): RunMetrics {
  const file = join(runDir, "metrics.jsonl");
  const out: RunMetrics = { steps: [], loss: [], lambda: [], unmixLambda: [] };
  if (!existsSync(file)) return out;
  for (const line of readFileSync(file, "utf8").split("\n")) {
    if (line.trim() === "") continue;
    const r = JSON.parse(line) as { step: number; loss: number; lambda?: number; unmixLambda?: number };
    out.steps.push(r.step);
    out.loss.push(r.loss);
    if (r.lambda !== undefined) out.lambda.push(r.lambda);
    if (r.unmixLambda !== undefined) out.unmixLambda.push(r.unmixLambda);
  }
  return out;
}

/** Trailing moving average over `window` values (shorter at the start), to read a noisy per-step loss. */
export function movingAverage(values: number[], window: number): number[] {
  const out: number[] = [];
  let sum = 0;
  for (let i = 0; i < values.length; i++) {
    sum += values[i]!;
    if (i >= window) sum -= values[i - window]!;
    out.push(sum / Math.min(i + 1, window));
  }
  return out;
}
