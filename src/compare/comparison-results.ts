import type { PretrainConfig } from "../config/pretrain-config.js";
import type { RunBaselines } from "../eval/pixel-baseline.js";
import type { RunEvaluations } from "../eval/run-evaluator.js";
import type { Variation } from "./variations.js";

// What compare() returns and writes to results.json: their own file, so the report reads them without importing
// the comparison itself.

export interface ComparisonRun {
  seed: number;
  runDir: string;
  /** Taken from an earlier invocation's finished run with the same options instead of being trained again. */
  reused: boolean;
  evaluations: RunEvaluations;
  /** The run's centred-pixel and untrained baselines (summary.json `baselines`); absent for runs older than them. */
  baselines?: RunBaselines;
  lossFirstEpoch: number;
  lossLastEpoch: number;
  steps: number;
  stepsPerSecond: number;
  trainSeconds: number;
  wallSeconds: number;
  lossPerStep: number[];
  lambdaPerStep: number[];
  unmixLambdaPerStep: number[];
}

export interface ComparisonConfiguration {
  name: string;
  method: string;
  overrides: Variation["overrides"];
  runs: ComparisonRun[];
}

export interface ComparisonResults {
  format: "mixmask-comparison";
  version: 1;
  sdkVersion: string;
  command: string;
  seeds: number[];
  /** The options shared by every configuration (those of the first run, minus seed and runDir). */
  shared: Partial<PretrainConfig>;
  machine: {
    device: string;
    deviceName: string;
    torchVersion: string;
    pythonVersion: string;
    node: string;
    torchThreads: number;
  };
  startedAt: string;
  wallSeconds: number;
  configurations: ComparisonConfiguration[];
}
