import { z } from "zod";
import { planView } from "../augment/moco-v2-augmentation.js";
import type { ImageDataset } from "../data/image-dataset.js";
import { Rng } from "../random/rng.js";
import { encodeView } from "../worker/plan-encoding.js";
import type { Worker } from "../worker/worker.js";
import { labelledSubset, labelPercent } from "./labelled-subset.js";
import { parseOptions } from "./parse-options.js";

/**
 * SimCLR's semi-supervised protocol (Chen et al. 2020, §B.5): fine-tune the whole backbone plus a new linear layer on
 * a class-balanced labelled subset — Nesterov SGD, momentum 0.9, lr 0.05 · batch / 256, constant, no weight decay,
 * random crops and flips only — for 60 epochs with 1 % of the labels and 30 with 10 %; then test top-1 without
 * augmentation.
 */
export const SIMCLR_SEMI_SUPERVISED = Object.freeze({
  batchSize: 256,
  lrPer256: 0.05,
  momentum: 0.9,
  nesterov: true,
  weightDecay: 0,
  initStd: 0.01,
  /** Epochs by label fraction; other fractions interpolate on a log scale between them. */
  epochsAt1Percent: 60,
  epochsAt10Percent: 30,
});

const SemiSupervisedOptionsSchema = z.strictObject({
  fraction: z.number().gt(0).max(1),
  epochs: z.number().int().min(1).max(10_000).optional(),
  batchSize: z
    .number()
    .int()
    .min(2)
    .max(1 << 16),
  lrPer256: z.number().positive().max(100),
  momentum: z.number().min(0).max(1),
  nesterov: z.boolean(),
  weightDecay: z.number().min(0).max(1),
  initStd: z.number().min(0).max(10),
  /** The run's seed: draws the subset, the batch order, the crops and flips, and the classifier's initialisation. */
  seed: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  /** Crop area range of the fine-tuning crops (the pretraining preset's, scaled to the images). */
  cropScale: z.tuple([z.number().gt(0).max(1), z.number().gt(0).max(1)]),
  imageSize: z.number().int().min(1),
  testIndices: z.array(z.number().int().min(0)).optional(),
});

export type SemiSupervisedOptions = z.input<typeof SemiSupervisedOptionsSchema>;

export interface SemiSupervisedResult {
  protocol: "semi-supervised-fine-tune";
  description: string;
  fraction: number;
  labelledCount: number;
  epochs: number;
  steps: number;
  lr: number;
  top1: number;
  top5: number;
  testCount: number;
  seconds: number;
}

/** SimCLR's epochs for a label fraction: 60 at 1 %, 30 at 10 %, log-interpolated (and clamped) elsewhere. */
export function semiSupervisedEpochs(fraction: number): number {
  const t = Math.min(1, Math.max(0, Math.log10(fraction / 0.01)));
  return Math.round(
    SIMCLR_SEMI_SUPERVISED.epochsAt1Percent +
      t * (SIMCLR_SEMI_SUPERVISED.epochsAt10Percent - SIMCLR_SEMI_SUPERVISED.epochsAt1Percent),
  );
}

/**
 * Fine-tunes a copy of the run's backbone on a labelled subset of `train` (uploaded to the worker as `trainDatasetId`)
 * and reports test top-1. Every step — images, crops, flips, lr — is planned here from the seed.
 */
export async function evaluateSemiSupervised(
  worker: Worker,
  runId: string,
  train: Pick<ImageDataset, "labels" | "height" | "width" | "channels">,
  trainDatasetId: string,
  testDatasetId: string,
  options: SemiSupervisedOptions,
): Promise<SemiSupervisedResult> {
  const o = parseOptions(SemiSupervisedOptionsSchema, options, "semi-supervised");
  const subset = labelledSubset(
    train.labels,
    o.fraction,
    Rng.stream(o.seed, "labelled-subset", Math.round(o.fraction * 1e6)),
  );
  const epochs = o.epochs ?? semiSupervisedEpochs(o.fraction);
  const batch = Math.min(o.batchSize, subset.length);
  const lr = (o.lrPer256 * batch) / 256;
  const source = { height: train.height, width: train.width, channels: train.channels };
  const steps = [];
  for (let epoch = 0; epoch < epochs; epoch++) {
    const order = shuffled(subset, Rng.stream(o.seed, "fine-tune-order", epoch));
    // A last batch of one image would break batch norm; it is dropped (its image is drawn again next epoch).
    for (let start = 0; order.length - start >= 2; start += batch) {
      const indices = order.subarray(start, start + batch);
      const view = planView(
        Rng.stream(o.seed, "fine-tune-augment", steps.length),
        indices.length,
        source,
        o.imageSize,
        {
          cropScale: o.cropScale,
          jitterProbability: 0,
          grayscaleProbability: 0,
          blurProbability: 0,
        },
      );
      steps.push({ indices: Array.from(indices), view: encodeView(view), lr });
    }
  }
  const reply = await worker.fineTune({
    runId,
    trainDatasetId,
    testDatasetId,
    testIndices: o.testIndices ?? [],
    steps,
    momentum: o.momentum,
    nesterov: o.nesterov,
    weightDecay: o.weightDecay,
    initStd: o.initStd,
    seed: Rng.stream(o.seed, "fine-tune-init").nextUint32(),
    evalBatchSize: 256,
  });
  return {
    protocol: "semi-supervised-fine-tune",
    description: `fine-tune backbone + linear layer on ${labelPercent(o.fraction)} of the labels (${reply.labelledCount} images, class-balanced): ${epochs} epochs, ${o.nesterov ? "Nesterov " : ""}SGD lr ${lr.toPrecision(3)} momentum ${o.momentum}, crops + flips`,
    fraction: o.fraction,
    labelledCount: reply.labelledCount,
    epochs,
    steps: steps.length,
    lr,
    top1: reply.testTop1,
    top5: reply.testTop5,
    testCount: reply.testCount,
    seconds: reply.seconds,
  };
}

function shuffled(values: Uint32Array, rng: Rng): Uint32Array {
  const out = Uint32Array.from(values);
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rng.next() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}
