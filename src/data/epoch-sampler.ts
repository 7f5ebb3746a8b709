import { MixmaskError, type ErrorIssue } from "../errors.js";
import { Rng } from "../random/rng.js";

export interface EpochSamplerOptions {
  /** Number of samples in the dataset; indices drawn are in [0, count). Integer ≥ 1. */
  count: number;
  /** Samples per batch. Integer ≥ 2 (contrastive losses and BatchNorm need a batch); ≤ count when `dropLast`. */
  batchSize: number;
  /** The run's seed; each epoch's order comes from `Rng.stream(seed, "sampler", epoch)`. Safe integer. */
  seed: number;
  /** Shuffle every epoch (true) or visit samples in index order (false). Default true. */
  shuffle?: boolean;
  /**
   * Drop the last, incomplete batch of each epoch (true) or yield it smaller (false). Default true: MixMask's shared
   * mask and reversed partners, and BatchNorm, behave best on full batches.
   */
  dropLast?: boolean;
}

/**
 * Splits each epoch into batches of dataset indices. The order of epoch e is a permutation drawn from its own stream,
 * so any (epoch, batch) is reproducible without replaying the epochs before it (resume needs exactly that).
 */
export class EpochSampler {
  /** Batches in every epoch: floor(count / batchSize) with `dropLast`, else ceil(count / batchSize). */
  readonly batchesPerEpoch: number;
  private readonly count: number;
  private readonly batchSize: number;
  private readonly seed: number;
  private readonly shuffle: boolean;
  /** The order of the epoch asked for last: consecutive batches of one epoch share one permutation. */
  private cached: { epoch: number; order: Uint32Array } | undefined;

  constructor(options: EpochSamplerOptions) {
    const { count, batchSize, seed, shuffle = true, dropLast = true } = options;
    const issues: ErrorIssue[] = [];
    if (!(Number.isInteger(count) && count >= 1))
      issues.push({
        path: "count",
        message: "count must be a positive integer",
        expected: "integer ≥ 1",
        received: String(count),
      });
    if (!(Number.isInteger(batchSize) && batchSize >= 2)) {
      issues.push({
        path: "batchSize",
        message: "batchSize must be an integer ≥ 2 (a contrastive batch needs other samples)",
        expected: "integer ≥ 2",
        received: String(batchSize),
      });
    } else if (dropLast && Number.isInteger(count) && batchSize > count) {
      issues.push({
        path: "batchSize",
        message: `batchSize ${batchSize} exceeds count ${count}: with dropLast every epoch would be empty`,
        expected: `integer in [2, ${count}], or dropLast: false`,
        received: String(batchSize),
      });
    }
    if (!Number.isSafeInteger(seed))
      issues.push({
        path: "seed",
        message: "seed must be a safe integer",
        expected: "integer",
        received: String(seed),
      });
    if (issues.length > 0) {
      const first = issues[0]!;
      throw new MixmaskError({
        code: "INVALID_OPTION",
        path: first.path,
        message: first.message,
        expected: first.expected,
        received: first.received,
        issues,
      });
    }
    this.count = count;
    this.batchSize = batchSize;
    this.seed = seed;
    this.shuffle = shuffle;
    this.batchesPerEpoch = dropLast ? Math.floor(count / batchSize) : Math.ceil(count / batchSize);
  }

  /**
   * The dataset indices of batch `index` of epoch `epoch` (a fresh array the caller may keep or modify).
   * @param epoch 0-based epoch, integer ≥ 0.
   * @param index 0-based batch within the epoch, in [0, batchesPerEpoch).
   */
  batch(epoch: number, index: number): Uint32Array {
    if (!(Number.isSafeInteger(epoch) && epoch >= 0)) {
      throw new MixmaskError({
        code: "INVALID_OPTION",
        path: "epoch",
        message: "epoch must be a non-negative integer",
        expected: "integer ≥ 0",
        received: String(epoch),
      });
    }
    if (!(Number.isInteger(index) && index >= 0 && index < this.batchesPerEpoch)) {
      throw new MixmaskError({
        code: "INVALID_OPTION",
        path: "index",
        message: "batch index out of range",
        expected: `integer in [0, ${this.batchesPerEpoch - 1}]`,
        received: String(index),
      });
    }
    const start = index * this.batchSize;
    return this.order(epoch).slice(start, Math.min(start + this.batchSize, this.count));
  }

  private order(epoch: number): Uint32Array {
    if (this.cached?.epoch !== epoch) {
      const order = this.shuffle
        ? Rng.stream(this.seed, "sampler", epoch).permutation(this.count)
        : identity(this.count);
      this.cached = { epoch, order };
    }
    return this.cached.order;
  }
}

function identity(n: number): Uint32Array {
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  return order;
}
