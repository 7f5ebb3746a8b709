import { silentProgress } from "../train/progress.js";
import type { RunWorkers } from "../train/run-workers.js";
import { TrainingData } from "../train/training-data.js";
import { GroupStepStream } from "./group-step-stream.js";
import type { WorkerGroup } from "./worker-group.js";

/**
 * A pretraining run on every rank of a group (src/train/run-workers.ts): datasets uploaded to each rank, the run
 * created on each as a DDP run, checkpoints loaded by each, every step sharded over all; the lead (rank 0) does
 * the rest.
 * @param syncBatchNorm the online encoder's BatchNorm over the global batch (GPUs).
 */
export function groupRunWorkers(group: WorkerGroup, syncBatchNorm: boolean): RunWorkers {
  const ranks = group.worldSize;
  // Whether the run keeps MoCo's queue (each rank then needs the order of the gathered keys): read from CreateRun.
  let hasQueue = false;
  return {
    lead: group.lead,
    description: `${ranks} ranks of torchrun launch ${group.launchId.slice(0, 8)} (${group.backend}; rank 0 pid ${group.ranks[0]!.pid})`,
    prepareData: async (train, test, options) => {
      // Rank 0 reports progress; the others upload the same content quietly (its hash names it on every rank).
      const prepared = await group.onEveryRank("UploadDataset", (r) =>
        TrainingData.prepare(r.worker, train, test, r.rank === 0 ? options : { ...options, progress: silentProgress }),
      );
      return prepared[0]!;
    },
    createRun: async (request) => {
      // bnSplits counts the BatchNorm groups of the global batch; each rank normalises its share of them.
      const moco = { ...request.moco, bnSplits: (request.moco?.bnSplits ?? ranks) / ranks };
      hasQueue = (request.moco?.queueSize ?? 0) > 0;
      const replies = await group.onEveryRank("CreateDistributedRun", (r) =>
        r.worker.createDistributedRun({ ...request, moco }, syncBatchNorm),
      );
      return replies[0]!;
    },
    loadCheckpoint: async (runId, file, sha256) =>
      (await group.onEveryRank("LoadCheckpoint", (r) => r.worker.loadCheckpoint(runId, file, sha256)))[0]!,
    openSteps: (runId, idleTimeoutMs) => new GroupStepStream(group, runId, idleTimeoutMs, hasQueue),
  };
}
