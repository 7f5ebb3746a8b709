import { z } from "zod";
import { parseOptions } from "./parse-options.js";
import type { Worker } from "../worker/worker.js";
import { featureSourceMessage, type FeatureSource } from "./knn.js";

/**
 * The release's linear-evaluation protocol (MoCo `main_lincls.py`, docs/METHODS.md#release-hyper-parameters) on cached features: FC initialised
 * N(0, 0.01), SGD lr 30, momentum 0.9, weight decay 0, batch 256, 100 epochs, lr ×0.1 after 60 % and 80 % of them
 * (epochs 60 and 80 of 100). Scaled to other budgets by keeping the milestones at those fractions.
 */
export const RELEASE_LINEAR_PROBE = Object.freeze({
  epochs: 100,
  batchSize: 256,
  lr: 30,
  momentum: 0.9,
  weightDecay: 0,
  milestoneFractions: [0.6, 0.8] as readonly number[],
  gamma: 0.1,
  initStd: 0.01,
});

const LinearProbeOptionsSchema = z.strictObject({
  epochs: z.number().int().min(1).max(10_000),
  batchSize: z
    .number()
    .int()
    .min(1)
    .max(1 << 20),
  lr: z.number().positive().max(1e4),
  momentum: z.number().min(0).max(1),
  weightDecay: z.number().min(0).max(1),
  milestoneFractions: z.array(z.number().gt(0).lt(1)).max(8),
  gamma: z.number().positive().max(1),
  initStd: z.number().min(0).max(10),
  /** Drawn by the caller from the run's seed: the classifier's initialisation and each epoch's batch order. */
  seed: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  featureBatchSize: z
    .number()
    .int()
    .min(1)
    .max(1 << 16)
    .optional(),
  trainIndices: z.array(z.number().int().min(0)).optional(),
  testIndices: z.array(z.number().int().min(0)).optional(),
});

export type LinearProbeOptions = z.input<typeof LinearProbeOptionsSchema>;

export interface LinearProbeResult {
  /** Protocol, so every number says how it was measured. */
  protocol: "linear-probe";
  description: string;
  settings: Omit<LinearProbeOptions, "trainIndices" | "testIndices"> & { milestones: number[] };
  /** Highest test top-1 over the epochs (the number the release reports) and the 1-based epoch it was reached at. */
  bestTop1: number;
  bestEpoch: number;
  /** Test top-1 after the last epoch: the number that involves no choice made on the test set. */
  lastTop1: number;
  lastTop5: number;
  /** Test top-1 after each epoch. */
  curve: number[];
  trainTop1: number;
  featureDim: number;
  trainCount: number;
  testCount: number;
  numClasses: number;
  featuresCached: boolean;
  seconds: number;
}

/**
 * Linear probe on the run's frozen backbone (eval mode, features before the projection head), trained and evaluated
 * on the worker. Features are computed once without augmentation and cached for these weights; the release instead
 * re-augments every epoch (RandomResizedCrop + flip), so numbers from the two are close but not identical protocols.
 */
export async function evaluateLinearProbe(
  worker: Worker,
  runId: string,
  trainDatasetId: string,
  testDatasetId: string,
  options: LinearProbeOptions,
  features: FeatureSource = "backbone",
): Promise<LinearProbeResult> {
  const o = parseOptions(LinearProbeOptionsSchema, options, "linear probe");
  const milestones = o.milestoneFractions.map((f) => Math.round(f * o.epochs));
  const reply = await worker.linearProbe({
    runId,
    trainDatasetId,
    testDatasetId,
    trainIndices: o.trainIndices ?? [],
    testIndices: o.testIndices ?? [],
    epochs: o.epochs,
    batchSize: o.batchSize,
    lr: o.lr,
    momentum: o.momentum,
    weightDecay: o.weightDecay,
    lrMilestones: milestones,
    lrGamma: o.gamma,
    initStd: o.initStd,
    seed: o.seed,
    featureBatchSize: o.featureBatchSize ?? 256,
    features: featureSourceMessage(features),
  });
  const curve = reply.testTop1;
  let best = 0;
  for (let e = 1; e < curve.length; e++) if (curve[e]! > curve[best]!) best = e;
  const { trainIndices: _train, testIndices: _test, ...settings } = o;
  return {
    protocol: "linear-probe",
    description: `linear probe on ${features === "centred-pixels" ? "centred pixels" : "frozen features"} without augmentation: ${o.epochs} epochs, SGD lr ${o.lr} momentum ${o.momentum} wd ${o.weightDecay}, batch ${o.batchSize}, lr ×${o.gamma} at epochs ${milestones.join(", ") || "none"}`,
    settings: { ...settings, milestones },
    bestTop1: curve[best] ?? NaN,
    bestEpoch: best + 1,
    lastTop1: curve[curve.length - 1] ?? NaN,
    lastTop5: reply.lastTop5,
    curve,
    trainTop1: reply.trainTop1,
    featureDim: reply.featureDim,
    trainCount: reply.trainCount,
    testCount: reply.testCount,
    numClasses: reply.numClasses,
    featuresCached: reply.featuresCached,
    seconds: reply.seconds,
  };
}
