import type { KnnResult } from "../eval/knn.js";
import type { RunEvaluations } from "../eval/run-evaluator.js";
import type { StreamingSummary } from "./training-data.js";

/** What pretrain() returns and writes to summary.json (its own file so reports read it without importing the run). */
export interface PretrainSummary {
  sdkVersion: string;
  runDir: string;
  device: string;
  deviceName: string;
  knnInit: KnnResult;
  knnFinal: KnnResult;
  /** Every evaluation, each with its protocol: k-NN before, during (knnEvery) and after, linear probe, fine-tuning. */
  evaluations: RunEvaluations;
  /** Contrastive top-1 of the positive key among the queue (term 0), the training's own progress signal. */
  positiveTop1FirstEpoch: number;
  positiveTop1LastEpoch: number;
  lossFirstEpoch: number;
  lossLastEpoch: number;
  steps: number;
  epochs: number;
  trainImages: number;
  testImages: number;
  trainSeconds: number;
  stepsPerSecond: number;
  samplesPerSecond: number;
  wallSeconds: number;
  resumedFromStep: number | null;
  /** Streaming mode only: the lane and the peak occupancy of the batch buffers (docs/DATASETS.md). */
  streaming?: StreamingSummary;
}
