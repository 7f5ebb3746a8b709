import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { writeFileAtomic } from "../io/atomic-write.js";
import { appendWhole } from "../io/disk-full.js";
import { makeDirectory } from "../io/make-directory.js";
import type { KnnPoint } from "../eval/run-evaluator.js";
import type { StepResult } from "../worker/step-stream.js";

/**
 * The folder a run writes: config.json, metrics.jsonl (one line per step), knn-monitor.jsonl, checkpoints/,
 * summary.json, report.md and its plots.
 * Everything a person or a later tool needs to understand the run without the process that made it.
 */
export class RunDirectory {
  readonly dir: string;
  readonly checkpointsDir: string;

  constructor(dir: string) {
    this.dir = resolve(dir);
    this.checkpointsDir = join(this.dir, "checkpoints");
    makeDirectory(this.dir, "--run-dir");
    makeDirectory(this.checkpointsDir, "--run-dir");
  }

  file(name: string): string {
    return join(this.dir, name);
  }

  writeJson(name: string, value: unknown): void {
    writeFileAtomic(this.file(name), `${JSON.stringify(value, null, 2)}\n`);
  }

  readJson<T>(name: string): T | undefined {
    const f = this.file(name);
    return existsSync(f) ? (JSON.parse(readFileSync(f, "utf8")) as T) : undefined;
  }

  /** Starts metrics.jsonl afresh (a new run) — resumed runs append. */
  resetMetrics(): void {
    writeFileAtomic(this.file("metrics.jsonl"), "");
  }

  /**
   * Drops the lines of steps ≥ `step` (written after the checkpoint a resumed run starts from), and any torn line
   * (a crash or a full disk mid-write); returns how many torn lines were dropped, for the caller to say so.
   */
  truncateMetrics(step: number): number {
    const file = this.file("metrics.jsonl");
    const { records, torn } = jsonLines<{ step: number }>(file);
    writeFileAtomic(
      file,
      records
        .filter((r) => r.step < step)
        .map((r) => `${JSON.stringify(r)}\n`)
        .join(""),
    );
    return torn;
  }

  /** Mean loss and positive-key top-1 of each epoch found in metrics.jsonl, in epoch order. */
  epochMeans(): { epoch: number; loss: number; top1: number; n: number }[] {
    const byEpoch = new Map<number, { epoch: number; loss: number; top1: number; n: number }>();
    for (const r of jsonLines<{ epoch: number; loss: number; positiveTop1: number }>(this.file("metrics.jsonl"))
      .records) {
      const m = byEpoch.get(r.epoch) ?? { epoch: r.epoch, loss: 0, top1: 0, n: 0 };
      m.loss += r.loss;
      m.top1 += r.positiveTop1;
      m.n += 1;
      byEpoch.set(r.epoch, m);
    }
    return [...byEpoch.values()]
      .sort((a, b) => a.epoch - b.epoch)
      .map((m) => ({ ...m, loss: m.loss / m.n, top1: m.top1 / m.n }));
  }

  /** Starts knn-monitor.jsonl afresh (a new run). */
  resetKnnMonitor(): void {
    writeFileAtomic(this.file("knn-monitor.jsonl"), "");
  }

  /** Drops monitor points measured after `step` (a resumed run measures them again). */
  truncateKnnMonitor(step: number): void {
    writeFileAtomic(
      this.file("knn-monitor.jsonl"),
      this.knnMonitor()
        .filter((p) => p.step <= step)
        .map((p) => `${JSON.stringify(p)}\n`)
        .join(""),
    );
  }

  appendKnnPoint(point: KnnPoint): void {
    appendWhole(this.file("knn-monitor.jsonl"), `${JSON.stringify(point)}\n`, () => this.nextCheckpointBytes());
  }

  /** The k-NN monitor's points in knn-monitor.jsonl, in the order measured. */
  knnMonitor(): KnnPoint[] {
    return jsonLines<KnnPoint>(this.file("knn-monitor.jsonl")).records;
  }

  appendMetrics(result: StepResult & { epoch: number; lr: number; lambda?: number; elapsedS: number }): void {
    appendWhole(this.file("metrics.jsonl"), `${JSON.stringify(result)}\n`, () => this.nextCheckpointBytes());
  }

  /** What the run needs free to go on after a full disk: about one more checkpoint (the largest file kept). */
  nextCheckpointBytes(): number {
    if (!existsSync(this.checkpointsDir)) return 0;
    return Math.max(0, ...readdirSync(this.checkpointsDir).map((f) => statSync(join(this.checkpointsDir, f)).size));
  }
}

/**
 * The records of a JSON-lines file (none when it is absent) and how many lines could not be parsed: a torn last line
 * from a crash or a full disk must not make the whole run unreadable.
 */
function jsonLines<T>(file: string): { records: T[]; torn: number } {
  if (!existsSync(file)) return { records: [], torn: 0 };
  const records: T[] = [];
  let torn = 0;
  for (const line of readFileSync(file, "utf8").split("\n")) {
    if (line.trim() === "") continue;
    try {
      records.push(JSON.parse(line) as T);
    } catch {
      torn += 1;
    }
  }
  return { records, torn };
}
