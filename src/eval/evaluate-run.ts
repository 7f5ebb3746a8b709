import { join } from "node:path";
import { validatePretrainConfig, type PretrainConfig } from "../config/pretrain-config.js";
import { headOf } from "../data/image-source.js";
import { openDataset } from "../data/open-dataset.js";
import { MixmaskError } from "../errors.js";
import { writeRunReport } from "../report/run-report.js";
import { readCheckpointManifest } from "../train/checkpoint-manifest.js";
import type { PretrainSummary } from "../train/pretrain.js";
import { silentProgress, type ProgressReporter } from "../train/progress.js";
import { RunDirectory } from "../train/run-directory.js";
import { runRequest } from "../train/run-request.js";
import { TrainingData } from "../train/training-data.js";
import { Worker } from "../worker/worker.js";
import { describeProbe, evaluationOptions, RunEvaluator } from "./run-evaluator.js";
import { belowPixels, describePixelBaseline } from "./pixel-baseline.js";

/** Evaluation options that may differ from the ones the run was trained with. */
export type EvaluationOverrides = Partial<
  Pick<
    PretrainConfig,
    "knnK" | "knnTemperature" | "linearProbe" | "linearProbeEpochs" | "semiSupervised" | "device" | "threads"
  >
>;

const RUN_ID = "evaluate";

/**
 * Evaluates a finished (or checkpointed) run again with other protocols or settings: loads its latest checkpoint into
 * a worker, measures k-NN, the linear probe and the requested semi-supervised fractions, and updates summary.json
 * (each protocol's entry is replaced, fine-tuning results are kept per fraction) and report.md.
 */
export async function evaluateRun(
  runDirPath: string,
  overrides: EvaluationOverrides,
  options: { worker?: Worker; progress?: ProgressReporter } = {},
): Promise<PretrainSummary> {
  const progress = options.progress ?? silentProgress;
  const runDir = new RunDirectory(runDirPath);
  const manifest = readCheckpointManifest(runDir);
  const summary = runDir.readJson<PretrainSummary>("summary.json");
  if (!manifest || !summary?.evaluations) {
    throw new MixmaskError({
      code: "INVALID_OPTION",
      path: "--run-dir",
      message: `${runDir.dir} holds no finished run (it needs checkpoints/latest.json and summary.json)`,
      fix: "point --run-dir at a run that `mixmask pretrain` finished, or finish it with --resume",
    });
  }
  const config = validatePretrainConfig({ ...manifest.config, ...overrides, runDir: runDir.dir });
  const splits = await openDataset({ ...config, log: (line) => progress.log(line) });
  const train = headOf(splits.train, config.trainImages);
  const ownWorker = !options.worker;
  const worker =
    options.worker ??
    (await Worker.spawn({ device: config.device, ...(config.threads > 0 ? { threads: config.threads } : {}) }));
  try {
    const data = await TrainingData.prepare(worker, train, headOf(splits.test, config.testImages), {
      streaming: config.streaming ?? false,
      streamBufferBatches: config.streamBufferBatches ?? 8,
      lane: config.lane ?? "auto",
      progress,
      batchTimeoutMs: 600_000,
    });
    try {
      // Evaluation never steps the run's networks (it reads the eager backbone): compiling them would only ask for a toolchain.
      await worker.createRun(runRequest(RUN_ID, { ...config, compile: "off" }, data.trainId, data));
      const evaluator = RunEvaluator.forTrainingData(worker, RUN_ID, config, data, train);
      const e = { ...summary.evaluations };
      // The untrained row must be measured as the trained one is: with another k or T, the freshly created run (the
      // seed's initial weights, before the checkpoint is loaded) is measured again rather than the old number relabelled.
      if (!sameKnnProtocol(e.knnInit, config)) {
        e.knnInit = await evaluator.knn();
        progress.log(
          `untrained k-NN top-1 at k=${e.knnInit.k}, T=${e.knnInit.temperature}: ${e.knnInit.top1.toFixed(4)}`,
        );
      }
      await worker.loadCheckpoint(RUN_ID, join(runDir.checkpointsDir, manifest.worker.file), manifest.worker.sha256);
      progress.log(`loaded ${manifest.worker.file} (step ${manifest.step})`);
      const wanted = evaluationOptions(config);
      e.knnFinal = await evaluator.knn();
      progress.log(`k-NN top-1: ${e.knnFinal.top1.toFixed(4)} (k=${e.knnFinal.k}, T=${e.knnFinal.temperature})`);
      // The curve's points were measured during training with the training's k and T: only a final point of that same
      // protocol may replace its last one; with another protocol the curve stays as measured (knnCurveProtocol says which).
      const curve = e.knnCurveProtocol ?? { k: manifest.config.knnK, temperature: manifest.config.knnTemperature };
      e.knnCurveProtocol = curve;
      if (e.knnCurve.length && sameKnnProtocol(curve, config))
        e.knnCurve = [
          ...e.knnCurve.slice(0, -1),
          { ...e.knnCurve[e.knnCurve.length - 1]!, top1: e.knnFinal.top1, top5: e.knnFinal.top5 },
        ];
      if (wanted.linearProbe) {
        e.linearProbe = await evaluator.linearProbe();
        progress.log(`linear probe: ${describeProbe(e.linearProbe)}`);
      }
      for (const fraction of wanted.semiSupervised) {
        const r = await evaluator.semiSupervised(fraction);
        progress.log(`semi-supervised, ${r.description}: top-1 ${r.top1.toFixed(4)}`);
        e.semiSupervised = [...e.semiSupervised.filter((s) => s.fraction !== fraction), r].sort(
          (a, b) => a.fraction - b.fraction,
        );
      }
      // The pixel baseline follows the protocol of this evaluation (its k and T), like the untrained row above.
      const measured = await evaluator.baselines(
        { knnInit: e.knnInit, ...(e.linearProbeInit ? { linearProbeInit: e.linearProbeInit } : {}) },
        progress,
      );
      // Without a new probe (--linear-probe false) the run keeps its earlier probe, so it keeps the pixels' probe too.
      const baselines = {
        ...measured,
        pixels: {
          ...measured.pixels,
          linearProbe: measured.pixels.linearProbe ?? summary.baselines?.pixels.linearProbe ?? null,
        },
      };
      progress.log(describePixelBaseline(baselines.pixels));
      const shortfalls = belowPixels(baselines.pixels, {
        knn: e.knnFinal,
        ...(e.linearProbe ? { linearProbe: e.linearProbe } : {}),
      });
      const updated: PretrainSummary = {
        ...summary,
        knnInit: e.knnInit,
        knnFinal: e.knnFinal,
        evaluations: e,
        baselines,
        belowPixels: shortfalls,
      };
      runDir.writeJson("summary.json", updated);
      await writeRunReport(runDir.dir, updated, config);
      return updated;
    } finally {
      if (config.streaming) await data.abort();
    }
  } finally {
    if (ownWorker) await worker.close();
  }
}

function sameKnnProtocol(measured: { k: number; temperature: number }, config: PretrainConfig): boolean {
  return measured.k === config.knnK && measured.temperature === config.knnTemperature;
}
