import type { Worker } from "../worker/worker.js";

export interface KnnOptions {
  /** Neighbours (200 in the MoCo / Un-Mix CIFAR monitors). */
  k: number;
  /** Temperature of the exp(sim / T) vote weights (0.1). */
  temperature: number;
  batchSize?: number;
}

export interface KnnResult {
  /** Protocol, so every number says how it was measured. */
  protocol: "weighted-knn";
  k: number;
  temperature: number;
  top1: number;
  top5: number;
  trainCount: number;
  testCount: number;
  seconds: number;
}

/**
 * Weighted k-NN top-1 of the run's backbone features (Wu et al. 2018): the memory bank is the training set with its
 * labels, queries are the test images, both without augmentation. Computed on the worker.
 */
export async function evaluateKnn(worker: Worker, runId: string, trainDatasetId: string, testDatasetId: string, options: KnnOptions): Promise<KnnResult> {
  const reply = await worker.knn({ runId, trainDatasetId, testDatasetId, k: options.k, temperature: options.temperature, batchSize: options.batchSize ?? 256 });
  return {
    protocol: "weighted-knn",
    k: options.k,
    temperature: options.temperature,
    top1: reply.top1,
    top5: reply.top5,
    trainCount: reply.trainCount,
    testCount: reply.testCount,
    seconds: reply.seconds,
  };
}
