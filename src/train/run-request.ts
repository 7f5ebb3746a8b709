import type { PretrainConfig } from "../config/pretrain-config.js";
import { FRAMEWORKS } from "../frameworks/frameworks.js";
import type { mixmask } from "../worker/generated/mixmask.js";

/**
 * The worker's CreateRun for a config: the backbone, the framework's projector, predictor, momentum encoder and
 * queue (src/frameworks/), the optimizer and the input normalisation.
 */
export function runRequest(runId: string, config: PretrainConfig, datasetId: string, normalisation: { mean: number[]; std: number[] }): mixmask.v1.ICreateRunRequest {
  const framework = FRAMEWORKS[config.framework];
  return {
    runId,
    seed: config.seed,
    backbone: { arch: config.arch, baseWidth: config.baseWidth, cifarStem: config.cifarStem },
    head: { hiddenDim: config.headHiddenDim, outDim: config.headOutDim, layers: framework.projector.layers, batchNorm: framework.projector.batchNorm },
    // Predictors are BYOL's and SimSiam's 2-layer MLP with BatchNorm, back to the projection width.
    predictor: framework.needs.predictor ? { hiddenDim: config.predictorHiddenDim, outDim: config.headOutDim, layers: 2, batchNorm: true } : null,
    momentumEncoder: framework.needs.momentumEncoder,
    moco: { queueSize: framework.needs.queue ? config.queueSize : 0, bnSplits: config.bnSplits },
    optimizer: { momentum: config.sgdMomentum, weightDecay: config.weightDecay },
    datasetId,
    imageSize: config.imageSize,
    mean: normalisation.mean,
    std: normalisation.std,
    precision: config.precision,
    channelsLast: config.channelsLast,
  };
}
