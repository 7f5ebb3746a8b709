import { basename, join } from "node:path";
import type { PretrainConfig } from "../config/pretrain-config.js";
import { writeFileAtomic } from "../io/atomic-write.js";
import type { PretrainSummary } from "../train/pretrain-summary.js";
import { describeMethod } from "../train/describe-method.js";
import { evaluationRows } from "./evaluation-rows.js";
import { writeSvgAsPng } from "./png-file.js";
import { movingAverage, readRunMetrics } from "./run-metrics.js";
import { histogramSvg, lineChartSvg } from "./svg-chart.js";

/**
 * Writes `report.md` into a finished run's directory with its plots in `plots/`: the loss per step, the k-NN curve,
 * and the histogram of λ. Everything is read back from the files the run wrote, so a report can be redrawn later.
 */
export async function writeRunReport(runDir: string, summary: PretrainSummary, config: PretrainConfig): Promise<string[]> {
  const metrics = readRunMetrics(runDir);
  const written: string[] = [];
  const plot = async (name: string, svg: string): Promise<string> => {
    const file = `plots/${basename(await writeSvgAsPng(svg, join(runDir, "plots", name)))}`;
    written.push(file);
    return file;
  };
  const window = Math.max(1, Math.round(metrics.loss.length / 50));
  const lossPlot = await plot(
    "loss.png",
    lineChartSvg({
      title: "Training loss",
      xLabel: "step",
      yLabel: `loss (moving average of ${window} steps)`,
      series: [{ name: describeMethod(config), points: metrics.steps.map((s, i) => [s, movingAverage(metrics.loss, window)[i]!]) }],
    }),
  );
  const e = summary.evaluations;
  const knnPlot = await plot(
    "knn.png",
    lineChartSvg({
      title: `k-NN top-1 (k = ${e.knnCurveProtocol?.k ?? config.knnK}, T = ${e.knnCurveProtocol?.temperature ?? config.knnTemperature})`,
      xLabel: "epoch",
      yLabel: "top-1",
      series: [{ name: describeMethod(config), points: e.knnCurve.map((p) => [p.epoch, p.top1]) }],
      reference: { y: e.knnCurve[0]?.top1 ?? e.knnInit.top1, label: "untrained encoder" }, // the curve's own protocol
    }),
  );
  const lambdaPlot = metrics.lambda.length
    ? await plot("lambda.png", histogramSvg({ title: "λ: fraction of each masked view kept from its own image", xLabel: "λ", series: [{ name: describeMethod(config), values: metrics.lambda }], range: [0, 1], bins: 40 }))
    : undefined;

  const lines = [
    `# Run report: ${describeMethod(config)}`,
    "",
    `${config.arch} (base width ${config.baseWidth}) on ${config.dataset} (${summary.trainImages} training / ${summary.testImages} test images), ${summary.steps} steps of batch ${config.batchSize} (${config.epochs} epochs), seed ${config.seed}; ${summary.device} (${summary.deviceName}); ${summary.stepsPerSecond.toFixed(2)} steps/s, ${summary.wallSeconds.toFixed(0)} s in all.`,
    "",
    "## Evaluations",
    "",
    "| protocol | centred pixels | untrained encoder | trained encoder | how it was measured |",
    "|---|---|---|---|---|",
    ...evaluationRows(e, summary.baselines).map((r) => `| ${r.protocol} | ${r.pixels} | ${r.untrained} | ${r.trained} | ${r.how} |`),
    "",
    ...pixelLines(summary),
    ...healthLines(summary),
    "## Plots",
    "",
    `![loss](${lossPlot})`,
    "",
    `![k-NN](${knnPlot})`,
    ...(lambdaPlot ? ["", `![λ](${lambdaPlot})`] : []),
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
      ? ["**Not better than the pixels.** " + shortfalls.map((s) => `${s[0]!.toUpperCase()}${s.slice(1)}.`).join(" "), ""]
      : ["The trained encoder beats the centred pixels on every protocol measured on both.", ""]),
  ];
}

/** The learning-health monitor's warnings (health.jsonl), each with what to change; nothing for older runs. */
function healthLines(summary: PretrainSummary): string[] {
  if (!summary.health) return [];
  if (!summary.health.length) return ["## Learning health", "", "No warnings: loss below its uniform value, embeddings spread, positive-key top-1 not pinned, k-NN not stuck below the pixels (health.jsonl).", ""];
  return [
    "## Learning health",
    "",
    "| step | epoch | check | value | threshold | what it means | what to change |",
    "|---|---|---|---|---|---|---|",
    ...summary.health.map((w) => `| ${w.step} | ${w.epoch} | ${w.check} | ${w.value.toFixed(4)} | ${w.threshold.toFixed(4)} | ${w.message} | ${w.fix} |`),
    "",
  ];
}
