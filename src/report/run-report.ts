import { basename, join } from "node:path";
import type { PretrainConfig } from "../config/pretrain-config.js";
import { writeFileAtomic } from "../io/atomic-write.js";
import type { PretrainSummary } from "../train/pretrain-summary.js";
import { describeMethod } from "../train/describe-method.js";
import { evaluationRows } from "./evaluation-rows.js";
import { writeChartPng } from "./charts/render-chart.js";
import { runCharts, type RunChartName } from "./charts/run-charts.js";
import { chartInputOf, readRunFiles } from "./charts/run-files.js";

/** The plots report.md embeds, in order, and their files in plots/ (the names earlier versions wrote are kept). */
const REPORTED: RunChartName[] = ["loss", "terms", "knn", "positiveTop1", "spread", "lambdaHistogram"];
const PLOT_FILES: Record<RunChartName, string> = {
  loss: "loss.png",
  terms: "loss-terms.png",
  knn: "knn.png",
  positiveTop1: "positive-top1.png",
  spread: "spread.png",
  lr: "lr.png",
  lambda: "lambda-per-step.png",
  lambdaHistogram: "lambda.png",
};
const ALT: Record<RunChartName, string> = {
  loss: "loss",
  terms: "loss per term",
  knn: "k-NN",
  positiveTop1: "positive top-1",
  spread: "embedding spread",
  lr: "learning rate",
  lambda: "λ per step",
  lambdaHistogram: "λ",
};

/**
 * Writes `report.md` into a finished run's directory with its plots in `plots/` — the charts of the dashboard page,
 * from the same specifications (charts/run-charts.ts), skipping those with no data. Everything is read back from the files the run wrote, so a report can be redrawn later.
 */
export async function writeRunReport(
  runDir: string,
  summary: PretrainSummary,
  config: PretrainConfig,
): Promise<string[]> {
  const e = summary.evaluations;
  const written: string[] = [];
  const charts = runCharts(chartInputOf(readRunFiles(runDir)));
  const plot = async (name: RunChartName): Promise<string> => {
    const file = `plots/${basename(await writeChartPng(charts[name], join(runDir, "plots", PLOT_FILES[name])))}`;
    written.push(file);
    return file;
  };
  const shown = REPORTED.filter((name) => charts[name].rows > 0);
  const plots: string[] = [];
  for (const name of shown) plots.push(`![${ALT[name]}](${await plot(name)})`);
  const lines = [
    `# Run report: ${describeMethod(config)}`,
    "",
    `${config.arch} (base width ${config.baseWidth}) on ${config.dataset} (${summary.trainImages} training / ${summary.testImages} test images), ${summary.steps} steps of batch ${config.batchSize} (${config.epochs} epochs), seed ${config.seed}; ${summary.device} (${summary.deviceName}); ${summary.stepsPerSecond.toFixed(2)} steps/s, ${summary.wallSeconds.toFixed(0)} s in all.`,
    "",
    "## Evaluations",
    "",
    "| protocol | centred pixels | untrained encoder | trained encoder | how it was measured |",
    "|---|---|---|---|---|",
    ...evaluationRows(e, summary.baselines).map(
      (r) => `| ${r.protocol} | ${r.pixels} | ${r.untrained} | ${r.trained} | ${r.how} |`,
    ),
    "",
    ...pixelLines(summary),
    ...healthLines(summary),
    "## Plots",
    "",
    ...plots.flatMap((p) => [p, ""]),
    "",
    `Loss: first epoch ${summary.lossFirstEpoch.toFixed(3)}, last epoch ${summary.lossLastEpoch.toFixed(3)}. Per-step values: metrics.jsonl; every number above: summary.json.`,
    "",
  ];
  writeFileAtomic(join(runDir, "report.md"), lines.join("\n"));
  return ["report.md", ...written];
}

/** The pixel baseline's definition, and the trained encoder's shortfalls against it in words. */
function pixelLines(summary: PretrainSummary): string[] {
  const pixels = summary.baselines?.pixels;
  if (!pixels) return [];
  const shortfalls = summary.belowPixels ?? [];
  return [
    `Centred pixels: ${pixels.description}; the same k-NN and probe protocols, split and seed as the encoders.`,
    "",
    ...(shortfalls.length
      ? [
          "**Not better than the pixels.** " + shortfalls.map((s) => `${s[0]!.toUpperCase()}${s.slice(1)}.`).join(" "),
          "",
        ]
      : ["The trained encoder beats the centred pixels on every protocol measured on both.", ""]),
  ];
}

/** The learning-health monitor's warnings (health.jsonl), each with what to change; nothing for older runs. */
function healthLines(summary: PretrainSummary): string[] {
  if (!summary.health) return [];
  if (!summary.health.length)
    return [
      "## Learning health",
      "",
      "No warnings: loss below its uniform value, embeddings spread, positive-key top-1 not pinned, k-NN not stuck below the pixels (health.jsonl).",
      "",
    ];
  return [
    "## Learning health",
    "",
    "| step | epoch | check | value | threshold | what it means | what to change |",
    "|---|---|---|---|---|---|---|",
    ...summary.health.map(
      (w) =>
        `| ${w.step} | ${w.epoch} | ${w.check} | ${w.value.toFixed(4)} | ${w.threshold.toFixed(4)} | ${w.message} | ${w.fix} |`,
    ),
    "",
  ];
}
