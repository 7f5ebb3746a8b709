import { planView, type AugmentationOptions } from "../augment/moco-v2-augmentation.js";
import type { PretrainConfig } from "../config/pretrain-config.js";
import { EpochSampler } from "../data/epoch-sampler.js";
import { composeTerms } from "../frameworks/compose-terms.js";
import type { Framework } from "../frameworks/framework.js";
import { FRAMEWORKS } from "../frameworks/frameworks.js";
import type { Masker } from "../maskers/masker.js";
import { maskStreams } from "../maskers/masker.js";
import { validatedMasker } from "../maskers/maskers.js";
import { Rng } from "../random/rng.js";
import { learningRateAt } from "../schedule/cosine.js";
import { emaMomentumAt } from "../schedule/ema-momentum.js";
import { keepRatioAt } from "../masks/keep-ratio.js";
import type { StepPlan } from "./step-plan.js";

export interface SourceShape {
  count: number;
  height: number;
  width: number;
  channels: 1 | 3;
}

/**
 * Draws the plan of any step from (seed, step) alone: each concern has its own random stream keyed by the step,
 * so a resumed run plans exactly what an uninterrupted one would, and no worker is needed to reproduce a plan.
 */
export class StepPlanner {
  /**
   * Every random stream a plan draws from (`Rng.stream(seed, name, key)`) and what keys it besides the seed.
   * Checkpoints record this list, and a resume refuses a planner whose streams differ. Keep it in step with plan().
   */
  static readonly RNG_STREAMS: readonly { name: string; keyedBy: "epoch" | "step" }[] = [
    { name: "sampler", keyedBy: "epoch" },
    { name: "augment", keyedBy: "step" },
    { name: "mask", keyedBy: "step" },
    { name: "pairing", keyedBy: "step" },
    { name: "unmix", keyedBy: "step" },
    { name: "key-shuffle", keyedBy: "step" },
  ];
  readonly sampler: EpochSampler;
  readonly totalSteps: number;
  readonly framework: Framework;
  /** Validated once here, for the keep ratio of the first and the last step; plan() trusts it. */
  readonly masker: Masker;
  private readonly augmentation: AugmentationOptions;

  constructor(
    private readonly config: PretrainConfig,
    private readonly source: SourceShape,
  ) {
    this.sampler = new EpochSampler({
      count: source.count,
      batchSize: config.batchSize,
      seed: config.seed,
      shuffle: true,
      dropLast: true,
    });
    this.totalSteps = this.sampler.batchesPerEpoch * config.epochs;
    this.augmentation = augmentationOptions(config);
    this.framework = FRAMEWORKS[config.framework];
    this.masker = validatedMasker(config, config.imageSize, [
      config.keepRatio,
      ...(config.keepRatioEnd === undefined ? [] : [config.keepRatioEnd]),
    ]);
  }

  get stepsPerEpoch(): number {
    return this.sampler.batchesPerEpoch;
  }

  /** The dataset indices of a step's batch, without planning the rest of the step (what a streaming feeder needs). */
  indicesOf(step: number): Uint32Array {
    return this.sampler.batch(Math.floor(step / this.stepsPerEpoch), step % this.stepsPerEpoch);
  }

  plan(step: number): StepPlan {
    const c = this.config;
    const n = c.batchSize;
    const indices = this.indicesOf(step);
    const augmentRng = Rng.stream(c.seed, "augment", step);
    const views: StepPlan["views"] = [
      planView(augmentRng, n, this.source, c.imageSize, this.augmentation),
      planView(augmentRng, n, this.source, c.imageSize, this.augmentation),
    ];
    const keepRatio = keepRatioAt(c.keepRatio, c.keepRatioEnd, step, this.totalSteps);
    // Distributed runs pair each sample with one of its own rank's shard (src/distributed/shard-layout.ts).
    const masks = this.masker.plan(maskStreams(c.seed, step), n, c.imageSize, {
      ...c,
      keepRatio,
      pairingShards: c.ranks ?? 1,
    });
    const needs = this.framework.needs;
    return {
      step,
      indices,
      views,
      ...(masks.mask ? { mask: masks.mask } : {}),
      ...(masks.unmix ? { unmix: masks.unmix } : {}),
      terms: composeTerms(this.framework, masks.pieces, { temperature: c.temperature, symmetric: c.symmetric }),
      lr: learningRateAt({
        baseLr: c.lr,
        step,
        totalSteps: this.totalSteps,
        warmupSteps: c.warmupEpochs * this.stepsPerEpoch,
      }),
      keyMomentum: needs.momentumEncoder
        ? emaMomentumAt(c.keyMomentumSchedule, c.keyMomentum, step, this.totalSteps)
        : 0,
      // Shuffle-BN only changes anything when BatchNorm sees groups of the batch (bnSplits > 1).
      keyShuffle:
        needs.momentumEncoder && c.bnSplits > 1
          ? Rng.stream(c.seed, "key-shuffle", step).permutation(n)
          : new Uint32Array(0),
      enqueueTerm: 0,
    };
  }
}

export function augmentationOptions(c: PretrainConfig): AugmentationOptions {
  const s = c.jitterStrength;
  return {
    cropScale: [c.cropScaleMin, c.cropScaleMax],
    cropRatio: [3 / 4, 4 / 3],
    jitterProbability: c.jitterProbability,
    brightness: s,
    contrast: s,
    saturation: s,
    hue: Math.min(0.5, s / 4),
    grayscaleProbability: c.grayscaleProbability,
    blurProbability: c.blurProbability,
    blurSigma: [0.1, c.blurSigmaMax],
    flipProbability: 0.5,
    blurKernelFraction: 0.1,
  };
}
