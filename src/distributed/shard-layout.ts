import { MixmaskError } from "../errors.js";

/**
 * Where the samples of one global batch live when R ranks share it: rank r holds the positions r, r+R, r+2R, …
 * (a stride, not a contiguous block), n = N / R of them.
 *
 * Why a stride: one process emulates R devices' BatchNorm with SplitBatchNorm, whose group g holds the samples
 * i % R = g (python_worker/mixmask_worker/models/split_batch_norm.py). With the same stride, rank r normalises
 * exactly what group r normalises, so one process with `bnSplits = R` computes what R ranks compute, and a run can
 * be checked against (or moved to) another world size.
 *
 * "Gathered rows" are the rows of the rank-major concatenation torch.distributed's all_gather returns: rank r's
 * j-th sample is gathered row r·n + j.
 */
export class ShardLayout {
  /** n: samples per rank. */
  readonly shardSize: number;

  constructor(
    /** N: samples of the global batch. */
    readonly globalBatch: number,
    /** R: ranks sharing it. */
    readonly ranks: number,
  ) {
    if (
      !(
        Number.isInteger(ranks) &&
        ranks >= 1 &&
        Number.isInteger(globalBatch) &&
        globalBatch >= ranks &&
        globalBatch % ranks === 0
      )
    ) {
      throw new MixmaskError({
        code: "INVALID_OPTION",
        path: "ranks",
        message: `a global batch of ${globalBatch} cannot be split evenly over ${ranks} ranks`,
        expected: "ranks ≥ 1 dividing batchSize",
        received: String(ranks),
        fix: "choose a --batch-size that is a multiple of --ranks",
      });
    }
    this.shardSize = globalBatch / ranks;
  }

  rankOf(position: number): number {
    return position % this.ranks;
  }

  /** The position's index within its rank's shard. */
  localOf(position: number): number {
    return Math.floor(position / this.ranks);
  }

  positionOf(rank: number, local: number): number {
    return local * this.ranks + rank;
  }

  /** The global positions of rank r's samples, in its shard's order (n entries). */
  positions(rank: number): Uint32Array {
    const out = new Uint32Array(this.shardSize);
    for (let j = 0; j < this.shardSize; j++) out[j] = this.positionOf(rank, j);
    return out;
  }

  /** The row of the global position's sample in an all_gather of every rank's rows. */
  gatheredRow(position: number): number {
    return this.rankOf(position) * this.shardSize + this.localOf(position);
  }
}
