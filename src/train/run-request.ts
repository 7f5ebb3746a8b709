import type { PretrainConfig } from "../config/pretrain-config.js";
import { FRAMEWORKS } from "../frameworks/frameworks.js";
import { MixmaskError } from "../errors.js";
import type { CreateRunMessage } from "../worker/worker.js";

/**
 * The worker's CreateRun for a config: the backbone, the framework's projector, predictor, momentum encoder and
 * queue (src/frameworks/), the optimizer and the input normalisation.
 */
export function runRequest(
  runId: string,
  config: PretrainConfig,
  datasetId: string,
  normalisation: { mean: number[]; std: number[] },
): CreateRunMessage {
  const framework = FRAMEWORKS[config.framework];
  return {
    runId,
    seed: config.seed,
    backbone: { arch: config.arch, baseWidth: config.baseWidth, cifarStem: config.cifarStem },
    head: {
      hiddenDim: config.headHiddenDim,
      outDim: config.headOutDim,
      layers: framework.projector.layers,
      batchNorm: framework.projector.batchNorm,
    },
    // Predictors are BYOL's and SimSiam's 2-layer MLP with BatchNorm, back to the projection width.
    predictor: framework.needs.predictor
      ? { hiddenDim: config.predictorHiddenDim, outDim: config.headOutDim, layers: 2, batchNorm: true }
      : null,
    momentumEncoder: framework.needs.momentumEncoder,
    moco: { queueSize: framework.needs.queue ? config.queueSize : 0, bnSplits: config.bnSplits },
    optimizer: { momentum: config.sgdMomentum, weightDecay: config.weightDecay },
    datasetId,
    imageSize: config.imageSize,
    mean: normalisation.mean,
    std: normalisation.std,
    precision: config.precision,
    channelsLast: config.channelsLast,
    compile: config.compile ?? "off",
  };
}

/**
 * Refuses a `compile` the worker would not honour, instead of a run that silently trains eagerly: a worker older than
 * the option ignores the field, and one without inductor's toolchain (a C++ compiler and Python's headers; triton
 * on CUDA) would fail at its first step. Both lack the capability "compile" in their Hello.
 */
export function assertWorkerCompiles(config: Pick<PretrainConfig, "compile">, capabilities: readonly string[]): void {
  const mode = config.compile ?? "off";
  if (mode === "off" || capabilities.includes("compile")) return;
  throw new MixmaskError({
    code: "INVALID_OPTION",
    path: "--compile",
    message:
      'torch.compile was asked for, but the worker did not announce the capability "compile": it is older than this SDK, or its machine lacks inductor\'s toolchain',
    expected: `"off" for this worker`,
    received: JSON.stringify(mode),
    fix: "install g++ and python3-dev beside the worker (triton with CUDA torch) and update python_worker, or use --compile off (`mixmask doctor` lists the worker's capabilities)",
  });
}
