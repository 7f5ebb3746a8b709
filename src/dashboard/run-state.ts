import { basename, dirname, join } from "node:path";
import type { RunEvaluations } from "../eval/run-evaluator.js";
import type { ChartSpec } from "../report/charts/chart-spec.js";
import { lineChart, type LineSeries } from "../report/charts/chart-spec.js";
import { runCharts, smoothingNote, smoothingWindow, RUN_CHARTS } from "../report/charts/run-charts.js";
import {
  chartInputOf,
  describeRun,
  mtimeOf,
  numberAt,
  readJsonLines,
  readRunFiles,
  type HealthWarning,
  type RunFiles,
} from "../report/charts/run-files.js";
import { evaluationRows } from "../report/evaluation-rows.js";
import { meanStd } from "../compare/stats.js";
import { movingAverage } from "../report/run-metrics.js";

/** Where a run stands, as its files (and, in `pretrain --dashboard`, the training process) tell it. */
export type RunPhase = "starting" | "training" | "resumed" | "finished" | "crashed" | "stopped";

export interface RunStatus {
  phase: RunPhase;
  /** One sentence for the page: "training, step 40 of 120", "stopped: no new step for 95 s …". */
  text: string;
}

/** What the training process itself reports (pretrain --dashboard): it knows a crash before the files do. */
export interface OwnerOutcome {
  phase: "crashed" | "finished";
  text: string;
  /** ms since the epoch; a file that changes later (a `--resume` elsewhere) overrides this outcome. */
  atMs: number;
}

export interface RunProgress {
  step: number;
  totalSteps?: number;
  epoch?: number;
  epochs?: number;
  loss?: number;
  lr?: number;
  lambda?: number;
  unmixLambda?: number;
  positiveTop1?: number;
  spread?: number;
  stepsPerSecond?: number;
  etaSeconds?: number;
}

export interface RunView {
  id: number;
  name: string;
  dir: string;
  method: string;
  status: RunStatus;
  progress: RunProgress;
  health: HealthWarning[];
  /** Resolved options (config.json minus the worker facts), versions and the device. */
  config?: Record<string, unknown>;
  facts: [string, string][];
  evaluations: { protocol: string; untrained: string; trained: string; how: string }[];
  /** Changes whenever preview.png is rewritten (its mtime), so the page reloads the image; 0: none yet. */
  previewVersion: number;
  preview?: Record<string, unknown>;
  missing: string[];
}

export interface DashboardState {
  kind: "run" | "folder";
  title: string;
  runs: RunView[];
  charts: Record<string, ChartSpec>;
  /** Chart names in display order. */
  order: string[];
  updatedAt: string;
}

/** A step older than this many mean step intervals (at least 60 s) without a newer one: the run is not training. */
const STALE_STEPS = 30;
const STALE_MIN_MS = 60_000;

/**
 * One run directory as the dashboard follows it: re-reads the files when they change and remembers what only a
 * watcher can see — config.json rewritten under existing steps means the run was resumed.
 */
export class RunWatcher {
  private configMtime = 0;
  private resumedAt: number | undefined;
  private seenSteps = false;
  owner: OwnerOutcome | undefined;

  constructor(
    readonly id: number,
    readonly dir: string,
    readonly name: string,
  ) {}

  /** The modification times of the files the page shows: the state is rebuilt when any of them changes. */
  fingerprint(): string {
    return [
      "config.json",
      "metrics.jsonl",
      "knn-monitor.jsonl",
      "summary.json",
      "baselines.json",
      "health.jsonl",
      "preview.png",
      "checkpoints/latest.json",
    ]
      .map((f) => mtimeOf(join(this.dir, f)))
      .join(",");
  }

  read(nowMs = Date.now()): { view: RunView; files: RunFiles } {
    const files = readRunFiles(this.dir);
    const configMtime = mtimeOf(join(this.dir, "config.json"));
    if (this.configMtime && configMtime !== this.configMtime && this.seenSteps)
      this.resumedAt = files.checkpoint?.step ?? files.metrics[0]?.step ?? 0;
    this.configMtime = configMtime;
    if (files.metrics.length) this.seenSteps = true;
    const resumedFrom = this.resumedAt ?? numberAt(files.summary, "resumedFromStep");
    const { method } = describeRun(files.config);
    const progress = progressOf(files);
    const view: RunView = {
      id: this.id,
      name: this.name,
      dir: this.dir,
      method,
      status: this.status(files, progress, resumedFrom, configMtime, nowMs),
      progress,
      health: files.health,
      ...(files.config ? { config: withoutWorker(files.config) } : {}),
      facts: factsOf(files),
      evaluations: evaluationsOf(files.summary),
      previewVersion: mtimeOf(join(this.dir, "preview.png")),
      ...previewAbout(this.dir),
      missing: files.missing,
    };
    return { view, files };
  }

  private status(
    files: RunFiles,
    p: RunProgress,
    resumedFrom: number | undefined,
    configMtime: number,
    nowMs: number,
  ): RunStatus {
    const summaryMtime = mtimeOf(join(this.dir, "summary.json"));
    const lastWrite = Math.max(
      mtimeOf(join(this.dir, "metrics.jsonl")),
      mtimeOf(join(this.dir, "knn-monitor.jsonl")),
      configMtime,
    );
    const resumed = resumedFrom !== undefined ? `, resumed at step ${resumedFrom}` : "";
    const of = p.totalSteps ? ` of ${p.totalSteps}` : "";
    if (files.summary && summaryMtime >= configMtime)
      return { phase: "finished", text: `finished: ${p.step}${of} steps${resumed}` };
    if (this.owner && lastWrite <= this.owner.atMs) return { phase: this.owner.phase, text: this.owner.text };
    if (!files.config) return { phase: "starting", text: "waiting for the run to start (no config.json yet)" };
    const interval = p.stepsPerSecond ? 1000 / p.stepsPerSecond : 0;
    const staleMs = Math.max(STALE_MIN_MS, STALE_STEPS * interval);
    const idle = nowMs - lastWrite;
    if (idle > staleMs) {
      return {
        phase: "stopped",
        text: `stopped at step ${p.step}${of}: nothing written for ${Math.round(idle / 1000)} s (crashed or interrupted? continue with --resume)`,
      };
    }
    if (files.metrics.length === 0)
      return { phase: "starting", text: "starting: measuring the untrained encoder before the first step" };
    return {
      phase: resumedFrom !== undefined ? "resumed" : "training",
      text: `training: step ${p.step}${of}${resumed}`,
    };
  }
}

function withoutWorker(config: Record<string, unknown>): Record<string, unknown> {
  const { worker: _worker, ...rest } = config;
  return rest;
}

/** The newest numbers of the run, and the throughput over its last steps of one process (elapsedS restarts on resume). */
function progressOf(files: RunFiles): RunProgress {
  const m = files.metrics;
  const last = m.at(-1);
  const c = files.config;
  const epochs = numberAt(c, "epochs");
  const perEpoch =
    numberAt(c, "trainImages") !== undefined && numberAt(c, "batchSize")
      ? Math.floor(numberAt(c, "trainImages")! / numberAt(c, "batchSize")!)
      : undefined;
  const totalSteps =
    numberAt(files.summary, "steps") !== undefined && numberAt(files.summary, "resumedFromStep") === undefined && last
      ? Math.max(last.step + 1, numberAt(files.summary, "steps")!)
      : perEpoch && epochs
        ? perEpoch * epochs
        : undefined;
  let stepsPerSecond: number | undefined;
  const window = m.slice(-50);
  let restart = 0; // the first row of the last process (elapsedS starts again from 0 on resume)
  window.forEach((r, i) => {
    if (i > 0 && (r.elapsedS ?? 0) < (window[i - 1]!.elapsedS ?? 0)) restart = i;
  });
  const segment = window.slice(restart);
  const [a, b] = [segment[0], segment.at(-1)];
  if (a && b && a !== b && a.elapsedS !== undefined && b.elapsedS !== undefined && b.elapsedS > a.elapsedS)
    stepsPerSecond = (b.step - a.step) / (b.elapsedS - a.elapsedS);
  const step = last ? last.step + 1 : 0;
  return {
    step,
    ...(totalSteps !== undefined ? { totalSteps } : {}),
    ...(last?.epoch !== undefined ? { epoch: last.epoch } : {}),
    ...(epochs !== undefined ? { epochs } : {}),
    ...(last ? { loss: last.loss } : {}),
    ...(last?.lr !== undefined ? { lr: last.lr } : {}),
    ...(last?.lambda !== undefined ? { lambda: last.lambda } : {}),
    ...(last?.unmixLambda !== undefined ? { unmixLambda: last.unmixLambda } : {}),
    ...(last?.positiveTop1 !== undefined ? { positiveTop1: last.positiveTop1 } : {}),
    ...(last?.embeddingStd !== undefined ? { spread: last.embeddingStd } : {}),
    ...(stepsPerSecond !== undefined ? { stepsPerSecond } : {}),
    ...(stepsPerSecond && totalSteps !== undefined && !files.summary
      ? { etaSeconds: Math.max(0, (totalSteps - step) / stepsPerSecond) }
      : {}),
  };
}

function factsOf(files: RunFiles): [string, string][] {
  const c = files.config ?? {};
  const w = (c.worker ?? {}) as Record<string, unknown>;
  const facts: [string, string | undefined][] = [
    ["SDK", c.sdkVersion as string | undefined],
    ["worker", w.workerVersion as string | undefined],
    ["python", w.pythonVersion as string | undefined],
    ["torch", w.torchVersion as string | undefined],
    [
      "device",
      w.device !== undefined ? `${String(w.device)}${w.deviceName ? ` (${String(w.deviceName)})` : ""}` : undefined,
    ],
    ["torch threads", w.torchThreads !== undefined ? String(w.torchThreads) : undefined],
    // How the worker's threads waited and its malloc kept memory: both move steps/s on a CPU (bench/RESULTS.md).
    ["thread wait", (w.threadWait as string | undefined) || undefined],
    ["malloc", (w.mallocPolicy as string | undefined) || undefined],
  ];
  return facts.map(([k, v]) => [k, v ?? "not recorded (config.json lacks it)"]);
}

function evaluationsOf(summary: Record<string, unknown> | undefined): RunView["evaluations"] {
  const e = summary?.evaluations as RunEvaluations | undefined;
  if (!e) return [];
  try {
    return evaluationRows(e);
  } catch {
    return []; // a summary.json from a version whose evaluations read differently
  }
}

function previewAbout(dir: string): { preview?: Record<string, unknown> } {
  const about = readJsonLines<Record<string, unknown>>(join(dir, "preview.json"))[0];
  return about ? { preview: about } : {};
}

/** The page of one run: its charts, from the same specifications as its report.md. */
export function runState(watcher: RunWatcher): DashboardState {
  const { view, files } = watcher.read();
  return {
    kind: "run",
    title: view.method,
    runs: [view],
    charts: runCharts(chartInputOf(files)),
    order: [...RUN_CHARTS],
    updatedAt: new Date().toISOString(),
  };
}

/** A configuration of a folder of runs: `compare` puts each seed in runs/<configuration>/seed-<n>/. */
export function configurationOf(runDir: string): string {
  return /^seed-\d+$/.test(basename(runDir)) ? basename(dirname(runDir)) : basename(runDir);
}

/** The page of a folder of runs: every run's status, and the configurations overlaid as mean ± std over seeds. */
export function folderState(title: string, watchers: RunWatcher[]): DashboardState {
  const read = watchers.map((w) => w.read());
  const groups = new Map<string, RunFiles[]>();
  for (const { files } of read) {
    const name = configurationOf(files.dir);
    groups.set(name, [...(groups.get(name) ?? []), files]);
  }
  const configs = [...groups.entries()];
  const band = (pick: (f: RunFiles) => number[]): LineSeries[] =>
    configs.map(([name, runs], colour) => ({ ...bandOver(name, runs.map(pick)), colour }));
  const minSteps = Math.min(...read.map((r) => r.files.metrics.length).filter((n) => n > 0));
  const note = `${smoothingNote(smoothingWindow(Number.isFinite(minSteps) ? minSteps : 0))}; mean ± std over each configuration's seeds`;
  const termCounts = configs.map(([, runs]) => describeRun(runs[0]?.config).termNames.length);
  const mixed =
    new Set(termCounts).size > 1
      ? `; totals sum different numbers of terms (${configs.map(([n], i) => `${n}: ${termCounts[i]}`).join(", ")}) and do not compare — see term 0`
      : "";
  const knnBand = configs.map(([name, runs], colour) => ({ ...knnOver(name, runs), colour }));
  const untrained = read
    .map((r) => chartInputOf(r.files).references.untrained)
    .filter((v): v is number => v !== undefined);
  const pixels = read.map((r) => chartInputOf(r.files).references.pixels).filter((v): v is number => v !== undefined);
  const refs = [
    ...(untrained.length
      ? [{ y: meanStd(untrained).mean, label: `untrained encoder ${meanStd(untrained).mean.toFixed(4)}` }]
      : []),
    ...(pixels.length
      ? [{ y: meanStd(pixels).mean, label: `pixels (no network) ${meanStd(pixels).mean.toFixed(4)}` }]
      : []),
  ];
  const charts: Record<string, ChartSpec> = {
    loss: lineChart({
      title: "Training loss, total",
      subtitle: `${note}${mixed}`,
      xLabel: "step",
      yLabel: "loss",
      series: band((f) => f.metrics.map((r) => r.loss)),
    }),
    term0: lineChart({
      title: "Term 0 alone (the term every configuration has)",
      subtitle: note,
      xLabel: "step",
      yLabel: "term 0 loss",
      series: band((f) => f.metrics.map((r) => r.termLosses?.[0] ?? NaN)),
    }),
    knn: lineChart({
      title: "k-NN top-1 during pretraining",
      subtitle: "mean ± std over seeds; epoch 0: the untrained encoder; dashed: what needs no training",
      xLabel: "epoch",
      yLabel: "k-NN top-1",
      integerX: true,
      series: knnBand,
      references: refs,
    }),
    positiveTop1: lineChart({
      title: "Positive top-1 (term 0)",
      subtitle: note,
      xLabel: "step",
      yLabel: "positive top-1",
      series: band((f) => f.metrics.map((r) => r.positiveTop1 ?? NaN)),
    }),
    spread: lineChart({
      title: "Embedding spread (std × √D)",
      subtitle: `${note}; towards 0 when the embeddings collapse`,
      xLabel: "step",
      yLabel: "spread",
      series: band((f) => f.metrics.map((r) => r.embeddingStd ?? NaN)),
    }),
  };
  return {
    kind: "folder",
    title,
    runs: read.map((r) => r.view),
    charts,
    order: Object.keys(charts),
    updatedAt: new Date().toISOString(),
  };
}

/** Mean ± std over runs of the smoothed per-step values, over the steps every run has so far. */
export function bandOver(name: string, perRun: number[][]): LineSeries {
  const length = Math.min(...perRun.map((v) => v.length));
  if (!(length > 0 && Number.isFinite(length))) return { name, points: [] };
  const window = smoothingWindow(length);
  const smoothed = perRun.map((v) => movingAverage(v.slice(0, length), window));
  const stats = Array.from({ length }, (_, s) => meanStd(smoothed.map((v) => v[s]!)));
  const single = perRun.length === 1;
  return {
    name: `${name} (${perRun.length} run${single ? "" : "s"})`,
    points: stats.map((m, s) => [s, m.mean]),
    ...(single ? {} : { band: stats.map((m, s) => [s, m.mean - m.std, m.mean + m.std] as [number, number, number]) }),
  };
}

function knnOver(name: string, runs: RunFiles[]): LineSeries {
  const curves = runs.map((f) => {
    const input = chartInputOf(f);
    const points = new Map<number, number>(
      input.references.untrained !== undefined ? [[0, input.references.untrained]] : [],
    );
    for (const p of f.knn) points.set(p.epoch, p.top1);
    if (input.references.final) points.set(input.references.final.epoch, input.references.final.top1);
    return points;
  });
  const epochs = [...new Set(curves.flatMap((c) => [...c.keys()]))]
    .sort((a, b) => a - b)
    .filter((e) => curves.every((c) => c.has(e)));
  const stats = epochs.map((e) => ({ e, m: meanStd(curves.map((c) => c.get(e)!)) }));
  return {
    name,
    points: stats.map(({ e, m }) => [e, m.mean]),
    ...(runs.length > 1
      ? { band: stats.map(({ e, m }) => [e, m.mean - m.std, m.mean + m.std] as [number, number, number]) }
      : {}),
  };
}
