import type { ImageSource } from "../data/image-source.js";
import type { DatasetStream } from "../worker/dataset-stream.js";

export interface BatchFeederOptions {
  /** Where the pixels come from (decoded on demand). */
  source: ImageSource;
  /** The worker-side stream the batches go to. */
  stream: DatasetStream;
  /** The dataset indices of a step's batch, in plan order (the planner's sampler). */
  indicesOf: (step: number) => Uint32Array;
  /** First step to feed (the resume point) and the end (exclusive). */
  firstStep: number;
  totalSteps: number;
}

/** What the feeder did; `peakPendingBatches` ≤ the stream's capacity is the memory bound the tests check. */
export interface FeederStats {
  batchesPushed: number;
  /** Most batches pushed (or being decoded for pushing) whose steps had not reported a result yet. */
  peakPendingBatches: number;
  /** Their bytes at that peak. */
  peakPendingBytes: number;
}

/**
 * Decodes and pushes the batch of every step ahead of the plan that uses it, never more than the stream's capacity
 * ahead of the last step whose result came back. A step's result means the worker has taken its batch out of the
 * buffer, so the worker's buffer — and what this process holds for it — stays within `capacity` batches however
 * large the dataset (streaming mode, docs/DATASETS.md).
 *
 * Runs in the background from `start()`; the trainer calls `release(step)` for each result and races `failed`
 * against its own waits, so a decode error stops training at once with the reader's error (file, offset, fix).
 */
export class BatchFeeder {
  /** Rejects with the first error of the feeding loop; never resolves. */
  readonly failed: Promise<never>;
  private fail!: (error: unknown) => void;
  private released: number;
  private pending = 0;
  private pendingBytes = 0;
  private readonly counters: FeederStats = { batchesPushed: 0, peakPendingBatches: 0, peakPendingBytes: 0 };
  private wake: (() => void) | undefined;
  private stopped = false;
  private loop: Promise<void> | undefined;
  private readonly batchBytes: number[] = [];

  constructor(private readonly options: BatchFeederOptions) {
    this.released = options.firstStep;
    this.failed = new Promise<never>((_, reject) => {
      this.fail = reject;
    });
    this.failed.catch(() => undefined); // observed by whoever races it; never an unhandled rejection
  }

  start(): void {
    this.loop ??= this.run().catch((error: unknown) => this.fail(error));
  }

  /** The result of `step` arrived: its batch left the worker's buffer, so one more may be pushed. */
  release(step: number): void {
    while (this.released <= step) {
      const bytes = this.batchBytes.shift() ?? 0;
      if (this.pending > 0) {
        this.pending--;
        this.pendingBytes -= bytes;
      }
      this.released++;
    }
    this.wakeUp();
  }

  stats(): FeederStats {
    return { ...this.counters };
  }

  /** Stops feeding and waits for the loop to end (a push in progress finishes or fails first). */
  async stop(): Promise<void> {
    this.stopped = true;
    this.wakeUp();
    await this.loop;
  }

  private async run(): Promise<void> {
    const { source, stream, indicesOf, firstStep, totalSteps } = this.options;
    const capacity = stream.capacityBatches;
    for (let step = firstStep; step < totalSteps && !this.stopped; step++) {
      while (this.pending >= capacity && !this.stopped) await new Promise<void>((r) => (this.wake = r));
      if (this.stopped) return;
      const indices = indicesOf(step);
      // Counted before decoding: a batch being decoded is memory this process holds for the stream too.
      const bytes = indices.length * source.height * source.width * source.channels;
      this.pending++;
      this.pendingBytes += bytes;
      this.batchBytes.push(bytes);
      this.counters.peakPendingBatches = Math.max(this.counters.peakPendingBatches, this.pending);
      this.counters.peakPendingBytes = Math.max(this.counters.peakPendingBytes, this.pendingBytes);
      const pixels = await source.read(indices);
      if (this.stopped) return;
      await stream.push(step, indices, pixels);
      this.counters.batchesPushed++;
    }
  }

  private wakeUp(): void {
    const w = this.wake;
    this.wake = undefined;
    w?.();
  }
}
