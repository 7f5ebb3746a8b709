import { labelPercent } from "../eval/labelled-subset.js";
import { join } from "node:path";
import type { ComparisonConfiguration, ComparisonResults } from "../compare/comparison-results.js";
import { formatMeanStd, meanStd, type MeanStd } from "../compare/stats.js";
import type { RunEvaluations } from "../eval/run-evaluator.js";
import { writeFileAtomic } from "../io/atomic-write.js";
import { writeSvgAsPng } from "./png-file.js";
import { movingAverage } from "./run-metrics.js";
import { histogramSvg, lineChartSvg, type LineSeries } from "./svg-chart.js";

/** The numbers a comparison table shows for one configuration, each over its seeds. */
export interface ComparisonRow {
  name: string;
  method: string;
  knnTop1: MeanStd;
  linearLastTop1: MeanStd;
  linearBestTop1: MeanStd;
  semiSupervised: { fraction: number; top1: MeanStd }[];
  lossLastEpoch: MeanStd;
  stepsPerSecond: MeanStd;
}

export function comparisonRows(results: ComparisonResults): ComparisonRow[] {
  return results.configurations.map((c) => {
    const e = c.runs.map((r) => r.evaluations);
    const fractions = [...new Set(e.flatMap((x) => x.semiSupervised.map((s) => s.fraction)))].sort((a, b) => a - b);
    return {
      name: c.name,
      method: c.method,
      knnTop1: meanStd(e.map((x) => x.knnFinal.top1)),
      linearLastTop1: meanStd(e.map((x) => x.linearProbe?.lastTop1 ?? NaN)),
      linearBestTop1: meanStd(e.map((x) => x.linearProbe?.bestTop1 ?? NaN)),
      semiSupervised: fractions.map((fraction) => ({ fraction, top1: meanStd(e.map((x) => x.semiSupervised.find((s) => s.fraction === fraction)?.top1 ?? NaN)) })),
      lossLastEpoch: meanStd(c.runs.map((r) => r.lossLastEpoch)),
      stepsPerSecond: meanStd(c.runs.map((r) => r.stepsPerSecond)),
    };
  });
}

/** The untrained encoders (one per seed; the same for every configuration that shares architecture and seed). */
function untrained(results: ComparisonResults): { knn: MeanStd; linearLast: MeanStd; linearBest: MeanStd } {
  const e: RunEvaluations[] = results.configurations[0]?.runs.map((r) => r.evaluations) ?? [];
  return {
    knn: meanStd(e.map((x) => x.knnInit.top1)),
    linearLast: meanStd(e.map((x) => x.linearProbeInit?.lastTop1 ?? NaN)),
    linearBest: meanStd(e.map((x) => x.linearProbeInit?.bestTop1 ?? NaN)),
  };
}

/** Writes report.md and plots/{loss,knn,lambda}.png for a comparison; everything comes from `results`. */
export async function writeComparisonReport(out: string, results: ComparisonResults): Promise<string[]> {
  const rows = comparisonRows(results);
  const base = untrained(results);
  const fractions = rows[0]?.semiSupervised.map((s) => s.fraction) ?? [];
  const header = ["configuration", "method", "k-NN top-1", "linear probe top-1 (last epoch)", "linear probe top-1 (best epoch)", ...fractions.map((f) => `fine-tune ${labelPercent(f)} labels top-1`), "loss, last epoch", "steps/s"];
  const f = (m: MeanStd): string => formatMeanStd(m);
  const table = [
    cells(header),
    cells(header.map(() => "---")),
    cells(["untrained encoder", "(same initial weights for every configuration of a seed)", f(base.knn), f(base.linearLast), f(base.linearBest), ...fractions.map(() => "—"), "—", "—"]),
    ...rows.map((r) => cells([r.name, r.method, f(r.knnTop1), f(r.linearLastTop1), f(r.linearBestTop1), ...r.semiSupervised.map((x) => f(x.top1)), formatMeanStd(r.lossLastEpoch, 3), formatMeanStd(r.stepsPerSecond, 2)])),
  ];
  const plots = await writeComparisonPlots(out, results);
  const first = results.configurations[0]?.runs[0]?.evaluations;
  const lines = [
    "# Comparison",
    "",
    `Command: \`${results.command}\``,
    "",
    describeSetting(results),
    "",
    ...table,
    "",
    "How each number was measured:",
    ...(first ? [`- k-NN: weighted k-NN (Wu et al. 2018), k = ${first.knnFinal.k}, T = ${first.knnFinal.temperature}, ${first.knnFinal.trainCount} bank / ${first.knnFinal.testCount} test images, backbone features, no augmentation.`] : []),
    ...(first?.linearProbe ? [`- Linear probe: ${first.linearProbe.description}. "Best epoch" is chosen on the test set, as the release reports it; "last epoch" involves no such choice.`] : []),
    ...(first?.semiSupervised.length ? first.semiSupervised.map((s) => `- Fine-tuning: ${s.description}.`) : []),
    "",
    ...plots.map((p) => `![${p}](${p})\n`),
  ];
  writeFileAtomic(join(out, "report.md"), lines.join("\n"));
  return ["report.md", ...plots];
}

const cells = (values: string[]): string => `| ${values.join(" | ")} |`;

/** Seeds, machine and wall time, in one sentence. */
function describeSetting(results: ComparisonResults): string {
  const m = results.machine;
  const runs = results.configurations.flatMap((c) => c.runs);
  const runMinutes = runs.reduce((a, r) => a + r.wallSeconds, 0) / 60;
  const reused = runs.some((r) => r.reused) ? " (some were reused from an earlier invocation)" : "";
  return (
    `Seeds ${results.seeds.join(", ")}; ${results.configurations.length} configurations; mean ± sample standard deviation over seeds. ` +
    `Machine: ${m.device} (${m.deviceName}), torch ${m.torchVersion}, torch threads ${m.torchThreads}, Node ${m.node}. ` +
    `Wall time: ${(results.wallSeconds / 60).toFixed(1)} min for this invocation; the runs themselves took ${runMinutes.toFixed(1)} min${reused}.`
  );
}

async function writeComparisonPlots(out: string, results: ComparisonResults): Promise<string[]> {
  const written: string[] = [];
  const plot = async (name: string, svg: string): Promise<void> => {
    await writeSvgAsPng(svg, join(out, "plots", name));
    written.push(`plots/${name}`);
  };
  const configs = results.configurations;
  await plot("loss.png", lineChartSvg({ title: "Training loss (mean ± std over seeds)", xLabel: "step", yLabel: "loss, moving average", series: configs.map((c, i) => ({ ...lossSeries(c), colour: i })) }));
  const base = untrained(results);
  await plot(
    "knn.png",
    lineChartSvg({
      title: "k-NN top-1 during pretraining (mean ± std over seeds)",
      xLabel: "epoch",
      yLabel: "k-NN top-1",
      series: configs.map((c, i) => ({ ...knnSeries(c), colour: i })),
      reference: { y: base.knn.mean, label: `untrained encoder ${base.knn.mean.toFixed(4)}` },
    }),
  );
  const mixed = configs.map((c, colour) => ({ name: c.name, values: c.runs.flatMap((r) => r.lambdaPerStep), colour })).filter((s) => s.values.length > 0);
  if (mixed.length) {
    await plot("lambda.png", histogramSvg({ title: "λ per step: fraction of each masked view kept from its own image", xLabel: "λ", range: [0, 1], bins: 40, series: mixed }));
  }
  return written;
}

function lossSeries(c: ComparisonConfiguration): LineSeries {
  const length = Math.min(...c.runs.map((r) => r.lossPerStep.length));
  const window = Math.max(1, Math.round(length / 50));
  const smoothed = c.runs.map((r) => movingAverage(r.lossPerStep.slice(0, length), window));
  const stats = Array.from({ length }, (_, s) => meanStd(smoothed.map((v) => v[s]!)));
  const every = Math.max(1, Math.floor(length / 300)); // at most ~300 points per line
  const at = stats.map((m, s) => ({ m, s })).filter(({ s }) => s % every === 0 || s === length - 1);
  return { name: c.name, points: at.map(({ m, s }) => [s, m.mean]), band: at.map(({ m, s }) => [s, m.mean - m.std, m.mean + m.std]) };
}

function knnSeries(c: ComparisonConfiguration): LineSeries {
  const epochs = [...new Set(c.runs.flatMap((r) => r.evaluations.knnCurve.map((p) => p.epoch)))].sort((a, b) => a - b);
  const stats = epochs.map((epoch) => ({ epoch, m: meanStd(c.runs.map((r) => r.evaluations.knnCurve.find((p) => p.epoch === epoch)?.top1 ?? NaN)) }));
  return { name: c.name, points: stats.map(({ epoch, m }) => [epoch, m.mean]), band: stats.map(({ epoch, m }) => [epoch, m.mean - m.std, m.mean + m.std]) };
}
