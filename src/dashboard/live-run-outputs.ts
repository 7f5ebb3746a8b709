import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import { join } from "node:path";
import { PNG } from "pngjs";
import type { PretrainConfig } from "../config/pretrain-config.js";
import { writeFileAtomic } from "../io/atomic-write.js";
import { previewOfPlan } from "../preview/preview-batch.js";
import { renderPreviewPng } from "../preview/render-grid.js";
import type { MetricRow } from "../report/charts/run-charts.js";
import { numberAt, readJsonLines, readRunFiles } from "../report/charts/run-files.js";
import { describeTerms } from "../train/describe-method.js";
import type { StepPlan } from "../train/step-plan.js";
import { histogramOf } from "../tensorboard/event-encoding.js";
import { EventFileWriter } from "../tensorboard/event-file-writer.js";
import { stepScalars } from "../tensorboard/metric-events.js";
import type { Worker } from "../worker/worker.js";

export interface LiveOutputsOptions {
  runDir: string;
  config: PretrainConfig;
  /** The worker training the run: asked for one preview per epoch, between steps (its compute thread orders them). */
  worker: Worker;
  runId: string;
  /** The run's planner: the preview shows exactly the batch that step trains on. */
  plan: (step: number) => StepPlan;
  stepsPerEpoch: number;
  /** The first step this process trains (a resumed run's earlier steps are in the earlier event files). */
  firstStep: number;
  log: (line: string) => void;
  /** How often metrics.jsonl is read for new lines. Default 1000 ms. */
  intervalMs?: number;
  /** Samples (rows) of the preview. Default 6. */
  previewSamples?: number;
}

export interface LiveOutputs {
  /**
   * Writes what is left (the end-of-run k-NN from summary.json) and stops. A preview in flight is waited for at most
   * PREVIEW_CLOSE_WAIT_MS: on a stalled or failed run it is queued behind the step that hangs, and the run's own error
   * must not wait for it.
   */
  close(): Promise<void>;
}

/** How long close() waits for a preview still in flight (a healthy one takes well under a second on a CPU). */
export const PREVIEW_CLOSE_WAIT_MS = 5_000;

/**
 * What a run writes beside its own files while it trains, read off metrics.jsonl on a timer rather than from the
 * training loop (so the loop's hot path is unchanged): TensorBoard events in `tensorboard/` (every metric, the k-NN
 * curve, a λ histogram and the preview image per epoch) and `preview.png` + `preview.json`, the batch the worker
 * trains on at the start of each epoch, which the dashboard page shows.
 */
export function startLiveOutputs(options: LiveOutputsOptions): LiveOutputs {
  const { runDir, config } = options;
  const events = new EventFileWriter(join(runDir, "tensorboard"));
  const termNames = describeTerms(config);
  const tail = new LineTail(join(runDir, "metrics.jsonl"));
  let previewEpoch = -1;
  // A streamed run's worker holds only the batches the SDK pushed for the steps in flight: a preview of another step
  // would wait on the compute thread for a batch that never comes, and the training with it. No preview there.
  let previewFailed = config.streaming === true;
  let knnWritten = 0;
  let lastStep = 0;
  let epochLambdas: { epoch: number; values: number[] } = { epoch: -1, values: [] };
  let rate: { step: number; elapsedS: number } | undefined;
  let preview: Promise<void> = Promise.resolve();

  const writePreview = async (step: number, epoch: number): Promise<void> => {
    try {
      const batch = await previewOfPlan(
        options.worker,
        options.runId,
        config,
        options.plan(step),
        options.previewSamples ?? 6,
      );
      const png = renderPreviewPng(batch);
      writeFileAtomic(join(runDir, "preview.png"), png);
      const about = {
        step,
        epoch,
        method: batch.method,
        columns: batch.columns.map((c) => c.name),
        lambda: batch.keptFractions,
        ...(batch.unmixLambda !== undefined ? { unmixLambda: batch.unmixLambda } : {}),
      };
      writeFileAtomic(join(runDir, "preview.json"), `${JSON.stringify(about)}\n`);
      const { width, height } = PNG.sync.read(png);
      events.add(step, [{ tag: "preview", png: { bytes: png, width, height } }]);
      events.flush();
    } catch (error) {
      // Streamed data, or a worker that went away: the run goes on; the page says no preview was written.
      if (!previewFailed) options.log(`preview not written (${(error as Error).message}); training goes on`);
      previewFailed = true;
    }
  };

  const lambdaHistogram = (step: number): void => {
    if (epochLambdas.values.length)
      events.add(step, [{ tag: "train/lambda_histogram", histogram: histogramOf(epochLambdas.values, 0, 1, 40) }]);
  };

  const tick = (): void => {
    try {
      for (const row of tail.read<MetricRow>()) {
        if (row.step < options.firstStep) continue;
        const epoch = row.epoch ?? Math.floor(row.step / options.stepsPerEpoch);
        let sps: number | undefined;
        if (row.elapsedS !== undefined) {
          if (rate && row.elapsedS > rate.elapsedS) sps = (row.step - rate.step) / (row.elapsedS - rate.elapsedS);
          if (!rate || row.step - rate.step >= 10 || row.elapsedS < rate.elapsedS)
            rate = { step: row.step, elapsedS: row.elapsedS };
        }
        events.add(row.step, stepScalars(row, termNames, sps));
        if (epoch !== epochLambdas.epoch) {
          lambdaHistogram(row.step);
          epochLambdas = { epoch, values: [] };
        }
        if (row.lambda !== undefined) epochLambdas.values.push(row.lambda);
        if (epoch > previewEpoch && !previewFailed) {
          previewEpoch = epoch;
          preview = preview.then(() => writePreview(row.step, epoch));
        }
        lastStep = row.step;
      }
      const knn = readJsonLines<{ step: number; top1: number }>(join(runDir, "knn-monitor.jsonl"));
      if (knn.length < knnWritten) knnWritten = 0; // truncated by a resume
      for (const p of knn.slice(knnWritten))
        if (p.step > options.firstStep) events.add(p.step, [{ tag: "knn/top1", scalar: p.top1 }]);
      knnWritten = knn.length;
      events.flush();
    } catch (error) {
      options.log(`TensorBoard events not written (${(error as Error).message})`);
    }
  };

  const timer = setInterval(tick, options.intervalMs ?? 1000);
  timer.unref();
  return {
    async close() {
      clearInterval(timer);
      let waited: NodeJS.Timeout | undefined;
      await Promise.race([
        preview,
        new Promise<void>((done) => {
          waited = setTimeout(done, PREVIEW_CLOSE_WAIT_MS);
          waited.unref();
        }),
      ]);
      clearTimeout(waited);
      tick();
      const files = readRunFiles(runDir);
      const s = files.summary;
      lambdaHistogram(lastStep);
      const finalTop1 = numberAt(s, "knnFinal", "top1");
      const untrained = numberAt(files.baselines, "untrained", "knn", "top1") ?? numberAt(s, "knnInit", "top1");
      const pixels = numberAt(files.baselines, "pixels", "knn", "top1");
      if (finalTop1 !== undefined) events.add(lastStep + 1, [{ tag: "knn/top1", scalar: finalTop1 }]);
      if (untrained !== undefined) events.add(0, [{ tag: "knn/untrained_encoder", scalar: untrained }]);
      if (pixels !== undefined) events.add(0, [{ tag: "knn/pixels", scalar: pixels }]);
      events.flush();
    },
  };
}

/** Reads the lines appended to a file since the last call; a file that shrank (a resume truncated it) is re-read. */
export class LineTail {
  private offset = 0;
  private carry = "";

  constructor(private readonly file: string) {}

  read<T>(): T[] {
    let fd: number;
    try {
      fd = openSync(this.file, "r");
    } catch {
      return [];
    }
    try {
      const size = fstatSync(fd).size;
      if (size < this.offset) [this.offset, this.carry] = [0, ""];
      if (size === this.offset) return [];
      const bytes = Buffer.alloc(size - this.offset);
      readSync(fd, bytes, 0, bytes.length, this.offset);
      this.offset = size;
      const text = this.carry + bytes.toString("utf8");
      const cut = text.lastIndexOf("\n");
      this.carry = text.slice(cut + 1);
      return text
        .slice(0, cut + 1)
        .split("\n")
        .flatMap((line) => {
          if (line.trim() === "") return [];
          try {
            return [JSON.parse(line) as T];
          } catch {
            return []; // a torn line: the rest is still worth reading
          }
        });
    } finally {
      closeSync(fd);
    }
  }
}
