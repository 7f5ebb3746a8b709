import { movingAverage } from "../run-metrics.js";
import { histogram, lineChart, type ChartSpec, type ReferenceLine } from "./chart-spec.js";

/** One line of metrics.jsonl as a chart reads it: fields an older run lacks are optional. */
export interface MetricRow {
  step: number;
  epoch?: number;
  loss: number;
  termLosses?: number[];
  positiveTop1?: number;
  embeddingStd?: number;
  lr?: number;
  lambda?: number;
  unmixLambda?: number;
  elapsedS?: number;
}

export interface KnnRow {
  epoch: number;
  step?: number;
  top1: number;
}

/** The k-NN numbers a chart compares against: the untrained encoder and the pixel baseline (baselines.json). */
export interface KnnReferences {
  untrained?: number;
  pixels?: number;
  /** The end-of-run k-NN (summary.json), drawn as the curve's last point. */
  final?: { epoch: number; top1: number };
}

export interface RunChartInput {
  /** The line's name in every legend: the method ("MoCo v2 + MixMask (block g=4)"). */
  name: string;
  metrics: MetricRow[];
  knn: KnnRow[];
  references: KnnReferences;
  /** Names of the loss terms in termLosses order (describeTerms); missing names are "term i". */
  termNames: string[];
  knnK?: number;
  knnTemperature?: number;
}

/** The chart names every run page and run report draws, in reading order. */
export const RUN_CHARTS = [
  "loss",
  "terms",
  "knn",
  "positiveTop1",
  "spread",
  "lr",
  "lambda",
  "lambdaHistogram",
] as const;
export type RunChartName = (typeof RUN_CHARTS)[number];

/** Steps a moving average spans: about 1/50 of the run, at least 1. */
export function smoothingWindow(steps: number): number {
  return Math.max(1, Math.round(steps / 50));
}

export function smoothingNote(window: number): string {
  return window > 1 ? `moving average of ${window} steps` : "per step, not smoothed";
}

/**
 * Every chart of one run from the numbers in its files (metrics.jsonl, knn-monitor.jsonl, summary.json,
 * baselines.json): the page shows them all, report.md embeds them as PNGs.
 */
export function runCharts(input: RunChartInput): Record<RunChartName, ChartSpec> {
  const m = input.metrics;
  const steps = m.map((r) => r.step);
  const window = smoothingWindow(m.length);
  const smooth = (values: number[]): [number, number][] => movingAverage(values, window).map((v, i) => [steps[i]!, v]);
  const terms = Math.max(0, ...m.map((r) => r.termLosses?.length ?? 0));
  const termName = (i: number): string => input.termNames[i] ?? `term ${i}`;
  const refs: ReferenceLine[] = [
    ...(input.references.untrained !== undefined
      ? [{ y: input.references.untrained, label: `untrained encoder ${input.references.untrained.toFixed(4)}` }]
      : []),
    ...(input.references.pixels !== undefined
      ? [{ y: input.references.pixels, label: `pixels (no network) ${input.references.pixels.toFixed(4)}` }]
      : []),
  ];
  const knnPoints: [number, number][] = [
    ...(input.references.untrained !== undefined ? [[0, input.references.untrained] as [number, number]] : []),
    ...input.knn.map((p) => [p.epoch, p.top1] as [number, number]),
  ];
  const final = input.references.final;
  if (final && !knnPoints.some(([e]) => e === final.epoch)) knnPoints.push([final.epoch, final.top1]);
  const field = (pick: (r: MetricRow) => number | undefined): number[] => m.map((r) => pick(r) ?? NaN);
  const knnSetting =
    input.knnK !== undefined
      ? ` (k = ${input.knnK}${input.knnTemperature !== undefined ? `, T = ${input.knnTemperature}` : ""})`
      : "";
  const lambdas = m.filter((r) => r.lambda !== undefined);
  const unmix = m.filter((r) => r.unmixLambda !== undefined);
  return {
    loss: lineChart({
      title: "Training loss (total)",
      subtitle: smoothingNote(window),
      xLabel: "step",
      yLabel: "loss",
      series: [{ name: input.name, points: smooth(field((r) => r.loss)) }],
    }),
    terms: lineChart({
      title: "Loss per term",
      subtitle: `${smoothingNote(window)}; unweighted: the total is Σ weight · term (weights: λ, 1 − λ, …)`,
      xLabel: "step",
      yLabel: "term loss",
      series: Array.from({ length: terms }, (_, i) => ({
        name: termName(i),
        points: smooth(field((r) => r.termLosses?.[i])),
      })),
    }),
    knn: lineChart({
      title: `k-NN top-1 during pretraining${knnSetting}`,
      subtitle: "epoch 0: the untrained encoder; dashed: what needs no training",
      xLabel: "epoch",
      yLabel: "k-NN top-1",
      integerX: true,
      series: [{ name: input.name, points: knnPoints }],
      references: refs,
    }),
    positiveTop1: lineChart({
      title: "Positive top-1 (term 0)",
      subtitle: `${smoothingNote(window)}; how often the positive key scores highest among the negatives`,
      xLabel: "step",
      yLabel: "positive top-1",
      series: [{ name: input.name, points: smooth(field((r) => r.positiveTop1)) }],
    }),
    spread: lineChart({
      title: "Embedding spread (term 0's anchors, std × √D)",
      subtitle: `${smoothingNote(window)}; about 1 when healthy, towards 0 when the embeddings collapse`,
      xLabel: "step",
      yLabel: "spread",
      series: [{ name: input.name, points: smooth(field((r) => r.embeddingStd)) }],
    }),
    lr: lineChart({
      title: "Learning rate",
      xLabel: "step",
      yLabel: "learning rate",
      series: [{ name: input.name, points: m.map((r) => [r.step, r.lr ?? NaN]) }],
    }),
    lambda: lineChart({
      title: "λ per step",
      subtitle: "λ: mean fraction of each masked view kept from its own image; λ_u: Un-Mix's mixing weight",
      xLabel: "step",
      yLabel: "λ",
      yDomain: [0, 1],
      series: [
        ...(lambdas.length ? [{ name: "λ", points: lambdas.map((r) => [r.step, r.lambda!] as [number, number]) }] : []),
        ...(unmix.length
          ? [{ name: "λ_u", points: unmix.map((r) => [r.step, r.unmixLambda!] as [number, number]), colour: 1 }]
          : []),
      ],
    }),
    lambdaHistogram: histogram({
      title: "λ: fraction of each masked view kept from its own image",
      xLabel: "λ",
      range: [0, 1],
      bins: 40,
      series: lambdas.length ? [{ name: input.name, values: lambdas.map((r) => r.lambda!) }] : [],
    }),
  };
}
