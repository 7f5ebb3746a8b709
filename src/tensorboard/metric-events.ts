import type { MetricRow } from "../report/charts/run-charts.js";
import type { SummaryValue } from "./event-encoding.js";

/** Tag of a loss term in TensorBoard: "loss/term0 InfoNCE(q, k)" (the index keeps terms apart and in order). */
export function termTag(i: number, name: string | undefined): string {
  return `loss/term${i}${name ? ` ${name}` : ""}`;
}

/**
 * The scalars of one metrics.jsonl row, under the names the dashboard shows: total and per-term loss, learning rate,
 * λ and λ_u, positive top-1, embedding spread and throughput. Fields an older row lacks are left out.
 */
export function stepScalars(row: MetricRow, termNames: string[], stepsPerSecond: number | undefined): SummaryValue[] {
  const out: SummaryValue[] = [{ tag: "loss/total", scalar: row.loss }];
  row.termLosses?.forEach((v, i) => out.push({ tag: termTag(i, termNames[i]), scalar: v }));
  const optional: [string, number | undefined][] = [
    ["train/lr", row.lr],
    ["train/lambda", row.lambda],
    ["train/lambda_u", row.unmixLambda],
    ["train/positive_top1", row.positiveTop1],
    ["train/embedding_spread", row.embeddingStd],
    ["train/steps_per_second", stepsPerSecond],
  ];
  for (const [tag, v] of optional) if (v !== undefined && Number.isFinite(v)) out.push({ tag, scalar: v });
  return out;
}
