import { labelPercent } from "../eval/labelled-subset.js";
import { basename, join } from "node:path";
import type { ComparisonConfiguration, ComparisonResults } from "../compare/comparison-results.js";
import { formatMeanStd, meanStd, type MeanStd } from "../compare/stats.js";
import type { RunEvaluations } from "../eval/run-evaluator.js";
import { writeFileAtomic } from "../io/atomic-write.js";
import { histogram, lineChart, type ChartSpec, type LineSeries, type ReferenceLine } from "./charts/chart-spec.js";
import { writeChartPng } from "./charts/render-chart.js";
import { smoothingNote, smoothingWindow } from "./charts/run-charts.js";
import { describeRun, numberAt, readRunFiles, type RunFiles } from "./charts/run-files.js";
import { movingAverage } from "./run-metrics.js";

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
      semiSupervised: fractions.map((fraction) => ({
        fraction,
        top1: meanStd(e.map((x) => x.semiSupervised.find((s) => s.fraction === fraction)?.top1 ?? NaN)),
      })),
      lossLastEpoch: meanStd(c.runs.map((r) => r.lossLastEpoch)),
      stepsPerSecond: meanStd(c.runs.map((r) => r.stepsPerSecond)),
    };
  });
}

/** The centred pixels (one per seed: the probe's seed is the run's), from the first configuration's runs. */
function pixels(results: ComparisonResults): { knn: MeanStd; linearLast: MeanStd; linearBest: MeanStd } | undefined {
  const runs = results.configurations[0]?.runs ?? [];
  const b = runs.map((r) => r.baselines?.pixels);
  if (!b.length || b.some((x) => !x)) return undefined;
  return {
    knn: meanStd(b.map((x) => x!.knn.top1)),
    linearLast: meanStd(b.map((x) => x!.linearProbe?.lastTop1 ?? NaN)),
    linearBest: meanStd(b.map((x) => x!.linearProbe?.bestTop1 ?? NaN)),
  };
}

/** The configurations whose mean k-NN or probe top-1 does not beat the centred pixels, in words. */
function belowPixelLines(rows: ComparisonRow[], base: ReturnType<typeof pixels>): string[] {
  if (!base) return [];
  const out: string[] = [];
  for (const r of rows) {
    const knn = r.knnTop1.mean <= base.knn.mean;
    const probe = r.linearLastTop1.mean <= base.linearLast.mean;
    if (knn || probe) {
      const what = [
        knn ? `k-NN ${r.knnTop1.mean.toFixed(4)} ≤ ${base.knn.mean.toFixed(4)}` : "",
        probe ? `linear probe ${r.linearLastTop1.mean.toFixed(4)} ≤ ${base.linearLast.mean.toFixed(4)}` : "",
      ].filter(Boolean);
      out.push(`- **${r.name} does not beat the centred pixels**: ${what.join(", ")} (means over seeds).`);
    }
  }
  return out;
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

/** Writes report.md and plots/{loss,loss-term0,knn,lambda}.png for a comparison (term 0 from the runs' metrics). */
export async function writeComparisonReport(out: string, results: ComparisonResults): Promise<string[]> {
  const rows = comparisonRows(results);
  const base = untrained(results);
  const pix = pixels(results);
  const fractions = rows[0]?.semiSupervised.map((s) => s.fraction) ?? [];
  const header = [
    "configuration",
    "method",
    "k-NN top-1",
    "linear probe top-1 (last epoch)",
    "linear probe top-1 (best epoch)",
    ...fractions.map((f) => `fine-tune ${labelPercent(f)} labels top-1`),
    "loss, last epoch",
    "steps/s",
  ];
  const f = (m: MeanStd): string => formatMeanStd(m);
  const table = [
    cells(header),
    cells(header.map(() => "---")),
    ...(pix
      ? [
          cells([
            "centred pixels",
            "(pixels / 255 minus the bank's mean image; same protocols)",
            f(pix.knn),
            f(pix.linearLast),
            f(pix.linearBest),
            ...fractions.map(() => "—"),
            "—",
            "—",
          ]),
        ]
      : []),
    cells([
      "untrained encoder",
      "(same initial weights for every configuration of a seed)",
      f(base.knn),
      f(base.linearLast),
      f(base.linearBest),
      ...fractions.map(() => "—"),
      "—",
      "—",
    ]),
    ...rows.map((r) =>
      cells([
        r.name,
        r.method,
        f(r.knnTop1),
        f(r.linearLastTop1),
        f(r.linearBestTop1),
        ...r.semiSupervised.map((x) => f(x.top1)),
        formatMeanStd(r.lossLastEpoch, 3),
        formatMeanStd(r.stepsPerSecond, 2),
      ]),
    ),
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
    ...(() => {
      const below = belowPixelLines(rows, pix);
      return below.length ? [...below, ""] : [];
    })(),
    "How each number was measured:",
    ...(first
      ? [
          `- k-NN: weighted k-NN (Wu et al. 2018), k = ${first.knnFinal.k}, T = ${first.knnFinal.temperature}, ${first.knnFinal.trainCount} bank / ${first.knnFinal.testCount} test images, backbone features, no augmentation.`,
        ]
      : []),
    ...(first?.linearProbe
      ? [
          `- Linear probe: ${first.linearProbe.description}. "Best epoch" is chosen on the test set, as the release reports it; "last epoch" involves no such choice.`,
        ]
      : []),
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
  for (const [name, chart] of Object.entries(comparisonCharts(results))) {
    if (chart.rows === 0) continue;
    written.push(`plots/${basename(await writeChartPng(chart, join(out, "plots", `${name}.png`)))}`);
  }
  return written;
}

/**
 * The comparison's charts (the dashboard draws the same for a folder of runs): loss and k-NN as mean ± std bands per
 * configuration, and λ. Totals of configurations with different numbers of loss terms are not comparable, so the
 * loss plot says so and a plot of term 0 alone, which every configuration has, is added.
 */
export function comparisonCharts(results: ComparisonResults): Record<string, ChartSpec> {
  const configs = results.configurations;
  const termCounts = configs.map((c) => termNamesOf(results, c).length);
  const mixed = new Set(termCounts).size > 1;
  const mixedNote = mixed
    ? `totals sum different numbers of terms (${configs.map((c, i) => `${c.name}: ${termCounts[i]}`).join(", ")}) and do not compare; see term 0`
    : undefined;
  const base = untrained(results);
  const lambdas = configs
    .map((c, colour) => ({ name: c.name, values: c.runs.flatMap((r) => r.lambdaPerStep), colour }))
    .filter((s) => s.values.length > 0);
  const term0 = configs.map((c, i) => ({
    ...bandSeries(
      c.name,
      c.runs.map((r) => termLossOf(r.runDir, 0)),
    ),
    colour: i,
  }));
  const term0Name = termNamesOf(results, configs[0])[0] ?? "term 0";
  return {
    loss: lineChart({
      title: "Training loss, total (mean ± std over seeds)",
      subtitle: [
        smoothingNote(smoothingWindow(Math.min(...configs.flatMap((c) => c.runs.map((r) => r.lossPerStep.length))))),
        mixedNote,
      ]
        .filter(Boolean)
        .join("; "),
      xLabel: "step",
      yLabel: "loss",
      series: configs.map((c, i) => ({
        ...bandSeries(
          c.name,
          c.runs.map((r) => r.lossPerStep),
        ),
        colour: i,
      })),
    }),
    ...(mixed && term0.some((s) => s.points.length > 0)
      ? {
          "loss-term0": lineChart({
            title: `Term 0 alone: ${term0Name} (mean ± std over seeds)`,
            subtitle: "the term every configuration has, so these compare",
            xLabel: "step",
            yLabel: "term 0 loss",
            series: term0,
          }),
        }
      : {}),
    knn: lineChart({
      title: "k-NN top-1 during pretraining (mean ± std over seeds)",
      subtitle: "epoch 0: the untrained encoder; dashed: what needs no training",
      xLabel: "epoch",
      yLabel: "k-NN top-1",
      integerX: true,
      series: configs.map((c, i) => ({ ...knnSeries(c), colour: i })),
      references: [
        { y: base.knn.mean, label: `untrained encoder ${base.knn.mean.toFixed(4)}` },
        ...pixelReference(results),
      ],
    }),
    lambda: histogram({
      title: "λ per step: fraction of each masked view kept from its own image",
      xLabel: "λ",
      range: [0, 1],
      bins: 40,
      series: lambdas,
    }),
  };
}

/** The pixel baseline's k-NN top-1 (summary.json's `baselines`, written by runs that measure it), when present. */
function pixelReference(results: ComparisonResults): ReferenceLine[] {
  const values = results.configurations
    .flatMap((c) =>
      c.runs.map(
        (r) =>
          numberAt(r, "baselines", "pixels", "knn", "top1") ??
          numberAt(readRunFiles(r.runDir).baselines, "pixels", "knn", "top1"),
      ),
    )
    .filter((v): v is number => v !== undefined);
  if (values.length === 0) return [];
  const m = meanStd(values).mean;
  return [{ y: m, label: `pixels (no network) ${m.toFixed(4)}` }];
}

function termNamesOf(results: ComparisonResults, c: ComparisonConfiguration | undefined): string[] {
  if (!c) return [];
  return describeRun({ ...results.shared, ...c.overrides } as RunFiles["config"]).termNames;
}

/** Term i's loss per step of a run, read from its metrics.jsonl (empty when the run directory is gone). */
function termLossOf(runDir: string, i: number): number[] {
  return readRunFiles(runDir).metrics.map((r) => r.termLosses?.[i] ?? NaN);
}

/** Mean ± std over seeds of the smoothed per-step values, over the steps every seed has. */
function bandSeries(name: string, perRun: number[][]): LineSeries {
  const length = Math.min(...perRun.map((v) => v.length));
  if (!(length > 0) || !Number.isFinite(length)) return { name, points: [] };
  const window = smoothingWindow(length);
  const smoothed = perRun.map((v) => movingAverage(v.slice(0, length), window));
  const stats = Array.from({ length }, (_, s) => meanStd(smoothed.map((v) => v[s]!)));
  return {
    name,
    points: stats.map((m, s) => [s, m.mean]),
    band: stats.map((m, s) => [s, m.mean - m.std, m.mean + m.std]),
  };
}

function knnSeries(c: ComparisonConfiguration): LineSeries {
  const epochs = [...new Set(c.runs.flatMap((r) => r.evaluations.knnCurve.map((p) => p.epoch)))].sort((a, b) => a - b);
  const stats = epochs.map((epoch) => ({
    epoch,
    m: meanStd(c.runs.map((r) => r.evaluations.knnCurve.find((p) => p.epoch === epoch)?.top1 ?? NaN)),
  }));
  return {
    name: c.name,
    points: stats.map(({ epoch, m }) => [epoch, m.mean]),
    band: stats.map(({ epoch, m }) => [epoch, m.mean - m.std, m.mean + m.std]),
  };
}
