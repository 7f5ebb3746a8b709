import { appendFileSync, existsSync, mkdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { writeFileAtomic } from "../io/atomic-write.js";
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
    mkdirSync(this.checkpointsDir, { recursive: true });
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

  /** Drops the lines of steps ≥ `step` (written after the checkpoint a resumed run starts from). */
  truncateMetrics(step: number): void {
    const file = this.file("metrics.jsonl");
    const kept = existsSync(file)
      ? readFileSync(file, "utf8").split("\n").filter((line) => line.trim() !== "" && (JSON.parse(line) as { step: number }).step < step)
      : [];
    writeFileAtomic(file, kept.map((l) => `${l}\n`).join(""));
  }

  /** Mean loss and positive-key top-1 of each epoch found in metrics.jsonl, in epoch order. */
  epochMeans(): { epoch: number; loss: number; top1: number; n: number }[] {
    const byEpoch = new Map<number, { epoch: number; loss: number; top1: number; n: number }>();
    for (const line of readFileSync(this.file("metrics.jsonl"), "utf8").split("\n")) {
      if (line.trim() === "") continue;
      const r = JSON.parse(line) as { epoch: number; loss: number; positiveTop1: number };
      const m = byEpoch.get(r.epoch) ?? { epoch: r.epoch, loss: 0, top1: 0, n: 0 };
      m.loss += r.loss;
      m.top1 += r.positiveTop1;
      m.n += 1;
      byEpoch.set(r.epoch, m);
    }
    return [...byEpoch.values()].sort((a, b) => a.epoch - b.epoch).map((m) => ({ ...m, loss: m.loss / m.n, top1: m.top1 / m.n }));
  }

  /** Starts knn-monitor.jsonl afresh (a new run). */
  resetKnnMonitor(): void {
    writeFileAtomic(this.file("knn-monitor.jsonl"), "");
  }

  /** Drops monitor points measured after `step` (a resumed run measures them again). */
  truncateKnnMonitor(step: number): void {
    writeFileAtomic(this.file("knn-monitor.jsonl"), this.knnMonitor().filter((p) => p.step <= step).map((p) => `${JSON.stringify(p)}\n`).join(""));
  }

  appendKnnPoint(point: KnnPoint): void {
    appendFileSync(this.file("knn-monitor.jsonl"), `${JSON.stringify(point)}\n`);
  }

  /** The k-NN monitor's points in knn-monitor.jsonl, in the order measured. */
  knnMonitor(): KnnPoint[] {
    const file = this.file("knn-monitor.jsonl");
    if (!existsSync(file)) return [];
    return readFileSync(file, "utf8").split("\n").filter((l) => l.trim() !== "").map((l) => JSON.parse(l) as KnnPoint);
  }

  appendMetrics(result: StepResult & { epoch: number; lr: number; lambda?: number; elapsedS: number }): void {
    appendFileSync(this.file("metrics.jsonl"), `${JSON.stringify(result)}\n`);
  }
}
