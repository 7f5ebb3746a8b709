// The record of long CPU training runs (docs/CPU_LONG_RECIPE.md): one table row and one k-NN curve per run directory,
// beside the centred pixels and the untrained encoder those runs measured themselves (baselines in summary.json).
// Finished runs are read from summary.json; a run still going (or stopped) from knn-monitor.jsonl, its row marked so.
// Each run's small result files are copied under --out so the record survives the run directories.
//
//   npx tsx bench/long-runs.ts --out bench/results/cpu-long --title "…" name=runs/dir name2=runs/dir2 …
import { copyFileSync, existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { lineChart } from "../src/report/charts/chart-spec.js";
import { writeChartPng } from "../src/report/charts/render-chart.js";
import { type RunFiles, readRunFiles } from "../src/report/charts/run-files.js";
import type { RunBaselines } from "../src/eval/pixel-baseline.js";
import type { PretrainSummary } from "../src/train/pretrain-summary.js";

interface RunRecord {
  name: string;
  dir: string;
  config: Record<string, unknown>;
  summary?: PretrainSummary;
  /** summary.json's, else baselines.json's (written before the first step). */
  baselines?: RunBaselines;
  curve: { epoch: number; top1: number; minutes?: number }[];
}

/**
 * Training minutes at the end of each step (metrics.jsonl's elapsedS); a resumed run's clock restarts, so each
 * restart continues from the time already trained.
 */
function minutesAtStep(metrics: RunFiles["metrics"]): Map<number, number> {
  const out = new Map<number, number>();
  let offset = 0;
  let last = 0;
  for (const m of metrics) {
    if (m.elapsedS === undefined) continue;
    if (m.elapsedS < last) offset += last;
    last = m.elapsedS;
    out.set(m.step, (offset + m.elapsedS) / 60);
  }
  return out;
}

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    out: { type: "string" },
    title: { type: "string", default: "k-NN top-1 per epoch" },
    // Paired differences (same seed, same plans): each other run minus this one, in points, per epoch.
    "paired-against": { type: "string" },
  },
});
if (!values.out || positionals.length === 0) {
  console.error("usage: npx tsx bench/long-runs.ts --out DIR [--title T] name=runDir [name=runDir …]");
  process.exit(2);
}
const out = values.out;

const runs: RunRecord[] = positionals.map((arg) => {
  const at = arg.indexOf("=");
  if (at < 1) throw new Error(`"${arg}": give each run as name=runDir`);
  const name = arg.slice(0, at);
  const dir = arg.slice(at + 1);
  const files = readRunFiles(dir);
  if (!files.config) throw new Error(`${join(dir, "config.json")} does not exist: is ${dir} a run directory?`);
  const config = files.config;
  const summary = files.summary as PretrainSummary | undefined;
  const monitored = summary ? summary.evaluations.knnCurve : files.knn;
  // summary.json's, else baselines.json's (written before the first step).
  const baselines = summary?.baselines ?? (files.baselines as RunBaselines | undefined);
  // Epoch 0 is the untrained encoder: summary.json's knnInit, or the same number in baselines.json while unfinished.
  const untrained = summary?.knnInit.top1 ?? baselines?.untrained.knn.top1;
  const initial = untrained === undefined ? [] : [{ epoch: 0, top1: untrained }];
  const minutes = minutesAtStep(files.metrics);
  const curve: RunRecord["curve"] = [
    ...initial.map((p) => ({ ...p, minutes: 0 })),
    // A monitor point's step is the count of steps done: the time is that of step `step - 1`.
    ...monitored.map((p) => ({
      epoch: p.epoch,
      top1: p.top1,
      minutes: p.step === undefined ? undefined : minutes.get(p.step - 1),
    })),
  ];
  if (summary && curve.at(-1)?.epoch !== summary.epochs)
    curve.push({ epoch: summary.epochs, top1: summary.knnFinal.top1, minutes: summary.trainSeconds / 60 });
  return { name, dir, config, summary, baselines, curve };
});

const fixed = (x: number | undefined, digits = 4): string => (x === undefined ? "—" : x.toFixed(digits));
const points = (x: number, base: number | undefined): string =>
  base === undefined ? "" : ` (${x >= base ? "+" : ""}${((x - base) * 100).toFixed(1)})`;

const pixels = runs.find((r) => r.baselines)?.baselines;
const header = [
  "| run | masker | epochs | steps | k-NN trained (vs pixels, points) | probe last (vs pixels) | probe best | steps/s | train min |",
  "|---|---|---|---|---|---|---|---|---|",
];
const rows = runs.map((r) => {
  const s = r.summary;
  const knn = s?.knnFinal.top1 ?? r.curve.at(-1)?.top1;
  const probe = s?.evaluations.linearProbe;
  const base = r.baselines?.pixels;
  return [
    s ? r.name : `${r.name} (unfinished: epoch ${r.curve.at(-1)?.epoch ?? 0} of ${String(r.config.epochs)})`,
    String(r.config.masker),
    String(r.config.epochs),
    s ? String(s.steps) : "—",
    knn === undefined ? "—" : `${fixed(knn)}${points(knn, base?.knn.top1)}`,
    probe ? `${fixed(probe.lastTop1)}${points(probe.lastTop1, base?.linearProbe?.lastTop1)}` : "—",
    fixed(probe?.bestTop1),
    s ? s.stepsPerSecond.toFixed(2) : "—",
    s ? (s.trainSeconds / 60).toFixed(1) : "—",
  ];
});
const table = [...header, ...rows.map((cells) => `| ${cells.join(" | ")} |`)];
const baselineLine = pixels
  ? `Baselines measured by the runs (same protocols): centred pixels k-NN ${fixed(pixels.pixels.knn.top1)}, probe ${fixed(
      pixels.pixels.linearProbe?.lastTop1,
    )} (last epoch); untrained encoder k-NN ${fixed(pixels.untrained.knn.top1)}, probe ${fixed(
      pixels.untrained.linearProbe?.lastTop1,
    )}.`
  : "No run has measured its baselines yet.";
const epochs = [...new Set(runs.flatMap((r) => r.curve.map((p) => p.epoch)))].sort((a, b) => a - b);
const curveTable = [
  `| k-NN top-1 at epoch | ${epochs.join(" | ")} |`,
  `|---|${epochs.map(() => "---").join("|")}|`,
  ...runs.flatMap((r) => [
    `| ${r.name} | ${epochs.map((e) => fixed(r.curve.find((p) => p.epoch === e)?.top1)).join(" | ")} |`,
    `| ${r.name}, training minutes | ${epochs.map((e) => fixed(r.curve.find((p) => p.epoch === e)?.minutes, 1)).join(" | ")} |`,
  ]),
];

const against = values["paired-against"] ? runs.find((r) => r.name === values["paired-against"]) : undefined;
if (values["paired-against"] && !against)
  throw new Error(`--paired-against ${values["paired-against"]}: no run of that name`);
const difference = (r: RunRecord, e: number): string => {
  const a = r.curve.find((p) => p.epoch === e)?.top1;
  const b = against?.curve.find((p) => p.epoch === e)?.top1;
  return a === undefined || b === undefined ? "—" : `${a >= b ? "+" : ""}${((a - b) * 100).toFixed(1)}`;
};
const pairedTable = against
  ? [
      `| k-NN points at epoch, paired by seed | ${epochs.join(" | ")} |`,
      `|---|${epochs.map(() => "---").join("|")}|`,
      ...runs
        .filter((r) => r !== against)
        .map((r) => `| ${r.name} − ${against.name} | ${epochs.map((e) => difference(r, e)).join(" | ")} |`),
      "",
    ]
  : [];

mkdirSync(out, { recursive: true });
const markdown = [...table, "", baselineLine, "", ...curveTable, "", ...pairedTable].join("\n");
writeFileSync(join(out, "table.md"), markdown);
const chart = lineChart({
  title: values.title!,
  subtitle: "weighted k-NN (k = 200, T = 0.1) of the backbone; dashed: the runs' own baselines",
  xLabel: "epoch",
  yLabel: "k-NN top-1",
  series: runs.map((r) => ({ name: r.name, points: r.curve.map((p) => [p.epoch, p.top1] as [number, number]) })),
  references: pixels
    ? [
        { y: pixels.pixels.knn.top1, label: "centred pixels" },
        { y: pixels.untrained.knn.top1, label: "untrained encoder" },
      ]
    : [],
});
const written = await writeChartPng(chart, join(out, "knn-per-epoch.png"));
// Equal wall time: the same points against the training minutes they took (MixMask and erase cost more per step).
const byTime = lineChart({
  title: `${values.title!}, against training time`,
  subtitle:
    "training minutes from metrics.jsonl (evaluations excluded); runs that shared the machine ran on one core each",
  xLabel: "training minutes",
  yLabel: "k-NN top-1",
  integerX: false,
  series: runs.map((r) => ({
    name: r.name,
    points: r.curve.flatMap((p) => (p.minutes === undefined ? [] : [[p.minutes, p.top1] as [number, number]])),
  })),
  references: pixels ? [{ y: pixels.pixels.knn.top1, label: "centred pixels" }] : [],
});
const writtenByTime = await writeChartPng(byTime, join(out, "knn-per-minute.png"));
for (const r of runs) {
  const into = join(out, r.name);
  mkdirSync(into, { recursive: true });
  for (const file of ["config.json", "summary.json", "knn-monitor.jsonl", "health.jsonl"])
    if (existsSync(join(r.dir, file))) copyFileSync(join(r.dir, file), join(into, file));
}
console.log(markdown);
console.log(`wrote ${join(out, "table.md")}, ${written}, ${writtenByTime} and each run's results under ${out}/`);
