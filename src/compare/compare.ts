import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { validatePretrainConfig, type PretrainConfig } from "../config/pretrain-config.js";
import type { ImageDataset } from "../data/image-dataset.js";
import type { ImageSource } from "../data/image-source.js";
import { writeFileAtomic } from "../io/atomic-write.js";
import { readRunMetrics } from "../report/run-metrics.js";
import { writeComparisonReport } from "../report/comparison-report.js";
import { readCheckpointManifest } from "../train/checkpoint-manifest.js";
import { describeMethod } from "../train/describe-method.js";
import { pretrain, type PretrainSummary } from "../train/pretrain.js";
import { silentProgress, type ProgressReporter } from "../train/progress.js";
import { RunDirectory } from "../train/run-directory.js";
import { SDK_VERSION } from "../worker/protocol-version.js";
import type { Worker } from "../worker/worker.js";
import type { ComparisonConfiguration, ComparisonResults, ComparisonRun } from "./comparison-results.js";
import { folderOf, type Variation } from "./variations.js";

export type { ComparisonConfiguration, ComparisonResults, ComparisonRun };

export interface CompareOptions {
  /** Configurations (parseVariations) applied on top of `base`. */
  variations: Variation[];
  seeds: number[];
  /** Output folder: results.json, report.md, plots/, runs/<configuration>/seed-<s>/. */
  out: string;
  /** The shared options; each run sets `seed` and `runDir` itself. */
  resolve: (overrides: Partial<Record<keyof PretrainConfig, unknown>>) => PretrainConfig;
  worker: Worker;
  datasets: { train: ImageDataset | ImageSource; test: ImageDataset | ImageSource };
  progress?: ProgressReporter;
  /** The command line that made this comparison, recorded in results.json. */
  command?: string;
}

/**
 * Trains every configuration with every seed on the same data, budget and worker, one run after another (seed-major,
 * so an interrupted comparison has balanced partial results), then writes results.json, report.md and plots.
 * Finished runs of an earlier invocation with identical options are reused, so a stopped comparison continues where
 * it stopped (a run cut short resumes from its checkpoint).
 */
export async function compare(options: CompareOptions): Promise<ComparisonResults> {
  const progress = options.progress ?? silentProgress;
  const out = resolve(options.out);
  const t0 = performance.now();
  const startedAt = new Date().toISOString();
  const configurations: ComparisonConfiguration[] = options.variations.map((v) => ({
    name: v.name,
    method: "",
    overrides: v.overrides,
    runs: [],
  }));
  let shared: Partial<PretrainConfig> = {};
  const total = options.variations.length * options.seeds.length;
  let index = 0;
  for (const seed of options.seeds) {
    for (const [i, variation] of options.variations.entries()) {
      index += 1;
      const runDir = join(out, "runs", folderOf(variation.name), `seed-${seed}`);
      const config = validatePretrainConfig(options.resolve({ ...variation.overrides, seed, runDir }));
      configurations[i]!.method = describeMethod(config);
      if (index === 1) shared = withoutPerRun(config);
      progress.log(`[${index}/${total}] ${variation.name}, seed ${seed}: ${describeMethod(config)} → ${runDir}`);
      const { summary, reused } = await trainOrReuse(config, options, progress);
      const metrics = readRunMetrics(runDir);
      configurations[i]!.runs.push({
        seed,
        runDir,
        reused,
        evaluations: summary.evaluations,
        ...(summary.baselines ? { baselines: summary.baselines } : {}),
        lossFirstEpoch: summary.lossFirstEpoch,
        lossLastEpoch: summary.lossLastEpoch,
        steps: summary.steps,
        stepsPerSecond: summary.stepsPerSecond,
        trainSeconds: summary.trainSeconds,
        wallSeconds: summary.wallSeconds,
        lossPerStep: metrics.loss,
        lambdaPerStep: metrics.lambda,
        unmixLambdaPerStep: metrics.unmixLambda,
      });
    }
  }
  const info = options.worker.info;
  const results: ComparisonResults = {
    format: "mixmask-comparison",
    version: 1,
    sdkVersion: SDK_VERSION,
    command: options.command ?? "",
    seeds: options.seeds,
    shared,
    machine: {
      device: info.device,
      deviceName: info.deviceName,
      torchVersion: info.torchVersion,
      pythonVersion: info.pythonVersion,
      node: process.version,
      torchThreads: info.torchThreads,
    },
    startedAt,
    wallSeconds: (performance.now() - t0) / 1000,
    configurations,
  };
  writeFileAtomic(join(out, "results.json"), `${JSON.stringify(results, null, 1)}\n`);
  await writeComparisonReport(out, results);
  return results;
}

async function trainOrReuse(
  config: PretrainConfig,
  options: CompareOptions,
  progress: ProgressReporter,
): Promise<{ summary: PretrainSummary; reused: boolean }> {
  const runDir = new RunDirectory(config.runDir);
  const previous = runDir.readJson<PretrainSummary>("summary.json");
  const previousConfig = runDir.readJson<PretrainConfig>("config.json");
  if (previous?.evaluations && previousConfig && sameTraining(previousConfig, config)) {
    progress.log(`  reusing the finished run in ${config.runDir}`);
    return { summary: previous, reused: true };
  }
  const resume =
    existsSync(runDir.file("checkpoints/latest.json")) && readCheckpointManifest(runDir) !== undefined && !previous;
  // The comparison owns its runs/ folders: a run it cannot reuse or resume is trained again in place.
  if (!resume && previousConfig)
    progress.log(
      `  replacing the run in ${config.runDir} (${previous ? "its options differ" : "it stopped before its first checkpoint"})`,
    );
  const summary = await pretrain(config, {
    worker: options.worker,
    progress,
    datasets: options.datasets,
    resume,
    overwrite: !resume,
  });
  return { summary, reused: false };
}

function sameTraining(saved: PretrainConfig, now: PretrainConfig): boolean {
  return (Object.keys(now) as (keyof PretrainConfig)[]).every(
    (k) => ["device", "threads", "plansInFlight"].includes(k) || JSON.stringify(saved[k]) === JSON.stringify(now[k]),
  );
}

function withoutPerRun(config: PretrainConfig): Partial<PretrainConfig> {
  const { seed: _seed, runDir: _runDir, ...rest } = config;
  return rest;
}
