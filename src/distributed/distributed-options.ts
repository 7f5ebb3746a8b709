/** What a distributed run's options must satisfy, besides each option's own range. */
export interface DistributedOptions {
  ranks?: number | undefined;
  syncBatchNorm?: boolean | undefined;
  batchSize: number;
  bnSplits: number;
  framework: string;
  streaming?: boolean | undefined;
  compile?: string | undefined;
}

/**
 * Every rule that `ranks > 1` adds (src/config/pretrain-config.ts reports them under the option to change):
 * * each rank gets the same number of samples, and normalises whole BatchNorm groups of its shard (so one process
 *   with the same `bnSplits` computes the same step: src/distributed/shard-layout.ts);
 * * SimCLR's NT-Xent takes its negatives from the batch: on R ranks each rank would see only its shard, which is
 *   another loss than the one planned (not gathered across ranks yet);
 * * streamed datasets push each step's batch to one worker (not sharded across ranks yet);
 * * compile: DDP wraps the online encoder, and a compiled encoder inside DDP is untested (the worker refuses it).
 */
export function distributedIssues(c: DistributedOptions): { path: string; message: string }[] {
  const ranks = c.ranks ?? 1;
  const issues: { path: string; message: string }[] = [];
  if (c.syncBatchNorm && ranks === 1) {
    issues.push({
      path: "syncBatchNorm",
      message: "applies to distributed runs only: set --ranks > 1, or drop --sync-batch-norm",
    });
  }
  if (ranks === 1) return issues;
  if (c.batchSize % ranks !== 0) {
    issues.push({
      path: "batchSize",
      message: `must be a multiple of --ranks (${ranks}): every rank takes batchSize / ranks samples of each step`,
    });
  }
  if (c.bnSplits % ranks !== 0) {
    issues.push({
      path: "bnSplits",
      message: `must be a multiple of --ranks (${ranks}): it counts the BatchNorm groups of the global batch, and each rank normalises whole groups of its shard (--bn-splits ${ranks} gives one group per rank, as the release's per-GPU BN)`,
    });
  }
  if (c.framework === "simclr") {
    issues.push({
      path: "framework",
      message:
        "simclr takes its negatives from the batch, and on several ranks each would see only its own shard: use --ranks 1 for SimCLR",
    });
  }
  if (c.streaming) {
    issues.push({
      path: "streaming",
      message:
        "streamed datasets are not sharded across ranks yet: upload the dataset (--streaming false) or use --ranks 1",
    });
  }
  if (c.compile !== undefined && c.compile !== "off") {
    issues.push({
      path: "compile",
      message:
        "distributed runs train eagerly (torch.compile inside DDP is not supported by the worker yet): use --compile off, or --ranks 1",
    });
  }
  return issues;
}
