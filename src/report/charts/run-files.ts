import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import type { PretrainConfig } from "../../config/pretrain-config.js";
import { describeMethod, describeTerms } from "../../train/describe-method.js";
import type { KnnRow, MetricRow, RunChartInput } from "./run-charts.js";

/** One learning-health warning of health.jsonl (written by the learning-health monitor). */
export interface HealthWarning {
  step: number;
  epoch?: number;
  check: string;
  value?: number;
  threshold?: number;
  message: string;
  fix?: string;
}

/** What a run directory holds, read leniently: every file may be absent, half-written or from an older version. */
export interface RunFiles {
  dir: string;
  metrics: MetricRow[];
  knn: KnnRow[];
  config?: Partial<PretrainConfig> & Record<string, unknown>;
  summary?: Record<string, unknown>;
  baselines?: Record<string, unknown>;
  health: HealthWarning[];
  /** checkpoints/latest.json: the last checkpoint's step and the untrained k-NN it recorded. */
  checkpoint?: { step: number; knnInit?: { top1: number } };
  /** Files the page expected and did not find, so it can say so instead of drawing nothing silently. */
  missing: string[];
}

const LISTED = ["config.json", "metrics.jsonl", "knn-monitor.jsonl", "summary.json", "baselines.json", "health.jsonl"];

/** Lines of a JSON-lines file that parse; a line still being appended (no newline yet, or cut short) is skipped. */
export function readJsonLines<T>(file: string): T[] {
  if (!existsSync(file)) return [];
  const out: T[] = [];
  const text = readFileSync(file, "utf8");
  const complete = text.endsWith("\n") ? text : text.slice(0, text.lastIndexOf("\n") + 1);
  for (const line of complete.split("\n")) {
    if (line.trim() === "") continue;
    try {
      out.push(JSON.parse(line) as T);
    } catch {
      // A torn line (a crash mid-append): the rest of the file is still worth showing.
    }
  }
  return out;
}

function readJson<T>(file: string): T | undefined {
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, "utf8")) as T;
  } catch {
    return undefined;
  }
}

export function readRunFiles(dir: string): RunFiles {
  const config = readJson<RunFiles["config"]>(join(dir, "config.json"));
  const latest = readJson<{ step: number; knnInit?: { top1: number } }>(join(dir, "checkpoints", "latest.json"));
  return {
    dir,
    metrics: readJsonLines<MetricRow>(join(dir, "metrics.jsonl")),
    knn: readJsonLines<KnnRow>(join(dir, "knn-monitor.jsonl")),
    ...(config ? { config } : {}),
    ...optional("summary", readJson<Record<string, unknown>>(join(dir, "summary.json"))),
    ...optional("baselines", readJson<Record<string, unknown>>(join(dir, "baselines.json"))),
    health: readJsonLines<HealthWarning>(join(dir, "health.jsonl")),
    ...(latest ? { checkpoint: { step: latest.step, ...(latest.knnInit ? { knnInit: latest.knnInit } : {}) } } : {}),
    missing: LISTED.filter((f) => !existsSync(join(dir, f))),
  };
}

function optional<K extends string, V>(key: K, value: V | undefined): Partial<Record<K, V>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, V>);
}

/** A number at a path of nested objects, or undefined (older files lack fields; unknown ones are ignored). */
export function numberAt(value: unknown, ...path: string[]): number | undefined {
  let v = value;
  for (const key of path) v = v && typeof v === "object" ? (v as Record<string, unknown>)[key] : undefined;
  return typeof v === "number" && Number.isFinite(v) ? v : undefined;
}

/** The config's method title and term names, or neutral ones when config.json is missing or from another version. */
export function describeRun(config: RunFiles["config"]): { method: string; termNames: string[] } {
  try {
    return config
      ? { method: describeMethod(config as PretrainConfig), termNames: describeTerms(config as PretrainConfig) }
      : { method: "run", termNames: [] };
  } catch {
    return { method: String(config?.framework ?? "run"), termNames: [] };
  }
}

/** What the run charts need, from the files: the untrained k-NN from baselines.json, summary.json or the checkpoint. */
export function chartInputOf(files: RunFiles): RunChartInput {
  const { method, termNames } = describeRun(files.config);
  const s = files.summary;
  const untrained =
    numberAt(files.baselines, "untrained", "knn", "top1") ??
    numberAt(s, "knnInit", "top1") ??
    files.checkpoint?.knnInit?.top1;
  const pixels =
    numberAt(files.baselines, "pixels", "knn", "top1") ?? numberAt(s, "baselines", "pixels", "knn", "top1");
  const epochs = numberAt(s, "epochs") ?? numberAt(files.config, "epochs");
  // The curve's protocol is the training's (an `evaluate` with another k or T records it as knnCurveProtocol); an
  // end-of-run k-NN measured with another k or T is not a point of this curve.
  const k =
    numberAt(s, "evaluations", "knnCurveProtocol", "k") ??
    numberAt(files.config, "knnK") ??
    numberAt(s, "knnFinal", "k");
  const t =
    numberAt(s, "evaluations", "knnCurveProtocol", "temperature") ??
    numberAt(files.config, "knnTemperature") ??
    numberAt(s, "knnFinal", "temperature");
  const sameProtocol = numberAt(s, "knnFinal", "k") === k && numberAt(s, "knnFinal", "temperature") === t;
  const finalTop1 = sameProtocol ? numberAt(s, "knnFinal", "top1") : undefined;
  return {
    name: method,
    metrics: files.metrics,
    knn: files.knn,
    references: {
      ...(untrained !== undefined ? { untrained } : {}),
      ...(pixels !== undefined ? { pixels } : {}),
      ...(finalTop1 !== undefined && epochs !== undefined ? { final: { epoch: epochs, top1: finalTop1 } } : {}),
    },
    termNames,
    ...(k !== undefined ? { knnK: k } : {}),
    ...(t !== undefined ? { knnTemperature: t } : {}),
  };
}

/** Modification time of a file in ms, 0 when absent: what the dashboard watches to know a file changed. */
export function mtimeOf(file: string): number {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return 0;
  }
}
