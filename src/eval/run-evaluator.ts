import type { PretrainConfig } from "../config/pretrain-config.js";
import type { ImageDataset } from "../data/image-dataset.js";
import { Rng } from "../random/rng.js";
import type { ProgressReporter } from "../train/progress.js";
import type { Worker } from "../worker/worker.js";
import { evaluateKnn, type FeatureSource, type KnnResult } from "./knn.js";
import { baselineKnn, pixelBaseline, type RunBaselines } from "./pixel-baseline.js";
import {
  evaluateLinearProbe,
  RELEASE_LINEAR_PROBE,
  type LinearProbeOptions,
  type LinearProbeResult,
} from "./linear-probe.js";
import { evaluateSemiSupervised, SIMCLR_SEMI_SUPERVISED, type SemiSupervisedResult } from "./semi-supervised.js";

/** A point of the k-NN monitor: top-1 after `epoch` epochs (0 = the untrained encoder). */
export interface KnnPoint {
  epoch: number;
  step: number;
  top1: number;
  top5: number;
}

/** Every evaluation of a run, each carrying its protocol; summary.json's `evaluations`. */
export interface RunEvaluations {
  knnInit: KnnResult;
  knnFinal: KnnResult;
  /** The k-NN monitor (`knnEvery`), from the untrained encoder to the last epoch. */
  knnCurve: KnnPoint[];
  /**
   * The k-NN protocol every point of `knnCurve` was measured with (the training's). `mixmask evaluate` with another
   * k or T leaves the curve as measured, so it may differ from `knnFinal`'s. Absent in older summaries: the config's.
   */
  knnCurveProtocol?: { k: number; temperature: number };
  linearProbeInit?: LinearProbeResult;
  linearProbe?: LinearProbeResult;
  semiSupervised: SemiSupervisedResult[];
}

/** The evaluation options of a config, with their defaults. */
export function evaluationOptions(config: PretrainConfig): {
  knnEvery: number;
  linearProbe: boolean;
  linearProbeEpochs: number;
  semiSupervised: number[];
} {
  return {
    knnEvery: config.knnEvery ?? 0,
    linearProbe: config.linearProbe ?? true,
    linearProbeEpochs: config.linearProbeEpochs ?? RELEASE_LINEAR_PROBE.epochs,
    semiSupervised: config.semiSupervised ?? [],
  };
}

/**
 * Runs the protocols a config asks for on one run's backbone, on the worker: the k-NN bank and the probe's training
 * set are the uploaded training images, the queries the test images. Every random choice comes from the config's seed.
 */
export class RunEvaluator {
  constructor(
    private readonly worker: Worker,
    private readonly runId: string,
    private readonly config: PretrainConfig,
    private readonly bankId: string,
    private readonly testId: string,
    private readonly bank: Pick<ImageDataset, "labels" | "height" | "width" | "channels">,
  ) {}

  /**
   * The evaluator of a run whose datasets were prepared by `TrainingData`: its k-NN bank (the uploaded training
   * images, or the first of them when streaming) labels the probe and the fine-tuning subsets.
   */
  static forTrainingData(
    worker: Worker,
    runId: string,
    config: PretrainConfig,
    data: { bankId: string; testId: string; bankCount: number },
    train: Pick<ImageDataset, "labels" | "height" | "width" | "channels">,
  ): RunEvaluator {
    return new RunEvaluator(worker, runId, config, data.bankId, data.testId, {
      labels: train.labels.subarray(0, data.bankCount),
      height: train.height,
      width: train.width,
      channels: train.channels,
    });
  }

  /**
   * The evaluations at the end of training: k-NN, then the linear probe and the fine-tuning fractions the config asks
   * for; the k-NN curve runs from the untrained encoder through the monitor's points to the final encoder.
   */
  async afterTraining(
    before: { knnInit: KnnResult; linearProbeInit?: LinearProbeResult; monitored: KnnPoint[]; totalSteps: number },
    progress: ProgressReporter,
  ): Promise<RunEvaluations> {
    const wanted = evaluationOptions(this.config);
    const knnFinal = await this.knn();
    progress.log(`k-NN top-1 after training: ${knnFinal.top1.toFixed(4)} (before: ${before.knnInit.top1.toFixed(4)})`);
    const linearProbe = wanted.linearProbe ? await this.linearProbe() : undefined;
    if (linearProbe) progress.log(`linear probe after training: ${describeProbe(linearProbe)}`);
    const semiSupervised: SemiSupervisedResult[] = [];
    for (const fraction of wanted.semiSupervised) {
      const r = await this.semiSupervised(fraction);
      progress.log(`semi-supervised, ${r.description}: top-1 ${r.top1.toFixed(4)} (${r.seconds.toFixed(0)} s)`);
      semiSupervised.push(r);
    }
    const knnCurve: KnnPoint[] = [
      { epoch: 0, step: 0, top1: before.knnInit.top1, top5: before.knnInit.top5 },
      ...before.monitored,
      { epoch: this.config.epochs, step: before.totalSteps, top1: knnFinal.top1, top5: knnFinal.top5 },
    ];
    return {
      knnInit: before.knnInit,
      knnFinal,
      knnCurve,
      knnCurveProtocol: { k: this.config.knnK, temperature: this.config.knnTemperature },
      ...(before.linearProbeInit ? { linearProbeInit: before.linearProbeInit } : {}),
      ...(linearProbe ? { linearProbe } : {}),
      semiSupervised,
    };
  }

  knn(features: FeatureSource = "backbone"): Promise<KnnResult> {
    return evaluateKnn(
      this.worker,
      this.runId,
      this.bankId,
      this.testId,
      { k: this.config.knnK, temperature: this.config.knnTemperature },
      features,
    );
  }

  /** The probe of the run's seed; the pixel baseline's uses the same seed, so both see the same batch orders. */
  linearProbe(features: FeatureSource = "backbone"): Promise<LinearProbeResult> {
    return evaluateLinearProbe(this.worker, this.runId, this.bankId, this.testId, this.probeSettings(), features);
  }

  /**
   * The baselines of baselines.json: the centred pixels (read from the on-disk cache when this dataset and protocol
   * were measured before) and the untrained encoder's results measured by the caller.
   */
  async baselines(
    untrained: { knnInit: KnnResult; linearProbeInit?: LinearProbeResult },
    progress: ProgressReporter,
  ): Promise<RunBaselines> {
    const probe = evaluationOptions(this.config).linearProbe ? this.probeSettings() : null;
    const pixels = await pixelBaseline(
      { knn: () => this.knn("centred-pixels"), linearProbe: () => this.linearProbe("centred-pixels") },
      {
        bankId: this.bankId,
        testId: this.testId,
        knn: { k: this.config.knnK, temperature: this.config.knnTemperature },
        linearProbe: probe,
      },
      { log: (line) => progress.log(line) },
    );
    return {
      pixels,
      untrained: { knn: baselineKnn(untrained.knnInit, "backbone"), linearProbe: untrained.linearProbeInit ?? null },
    };
  }

  private probeSettings(): LinearProbeOptions & { epochs: number; seed: number; milestoneFractions: number[] } {
    const { linearProbeEpochs } = evaluationOptions(this.config);
    return {
      ...RELEASE_LINEAR_PROBE,
      milestoneFractions: [...RELEASE_LINEAR_PROBE.milestoneFractions],
      epochs: linearProbeEpochs,
      seed: Rng.stream(this.config.seed, "linear-probe").nextUint32(),
    };
  }

  semiSupervised(fraction: number): Promise<SemiSupervisedResult> {
    const { lrPer256, batchSize, momentum, nesterov, weightDecay, initStd } = SIMCLR_SEMI_SUPERVISED;
    return evaluateSemiSupervised(this.worker, this.runId, this.bank, this.bankId, this.testId, {
      fraction,
      lrPer256,
      batchSize,
      momentum,
      nesterov,
      weightDecay,
      initStd,
      seed: this.config.seed,
      cropScale: [this.config.cropScaleMin, this.config.cropScaleMax],
      imageSize: this.config.imageSize,
    });
  }
}

/** "top-1 0.8095 after 100 epochs, best 0.8155 at epoch 65 (128-d features, 8.6 s)" for logs. */
export function describeProbe(r: LinearProbeResult): string {
  return `top-1 ${r.lastTop1.toFixed(4)} after ${r.settings.epochs} epochs, best ${r.bestTop1.toFixed(4)} at epoch ${r.bestEpoch} (${r.featureDim}-d features, ${r.seconds.toFixed(1)} s)`;
}
