import { randomUUID } from "node:crypto";
import type { ImageDataset } from "../data/image-dataset.js";
import { MixmaskError } from "../errors.js";
import { laneValue, type BatchSender, type BulkLane, type LaneKind, type LanePreference } from "./bulk-lane.js";
import { withLane } from "./choose-lane.js";
import { clientOf, type Worker } from "./worker.js";

/** The shape of a streamed dataset (an ImageDataset's header): what the worker checks every batch against. */
export type StreamShape = Pick<ImageDataset, "name" | "split" | "count" | "height" | "width" | "channels">;

export interface DatasetStreamOptions {
  /** Batches the worker buffers at most (and the SDK keeps unconsumed at most). Integer ≥ 1. */
  capacityBatches: number;
  /** A step whose batch has not arrived after this long fails on the worker. Default 600 000 ms. */
  batchTimeoutMs?: number;
  /** Transport of the batches. Default "auto". */
  lane?: LanePreference;
  /** Notes for the user, e.g. that "auto" took the gRPC lane because the zeromq endpoint was unreachable. */
  log?: (line: string) => void;
}

/** What the worker's buffer of a stream held, reported when the stream closes (proto StreamStats). */
export interface WorkerStreamStats {
  batchesReceived: number;
  batchesConsumed: number;
  peakBufferedBatches: number;
  peakBufferedBytes: number;
  capacityBatches: number;
}

/**
 * A streamed dataset on the worker: instead of uploading every image, the SDK pushes the uint8 batch of each step,
 * keyed by step, and the worker's Train step takes it from a bounded buffer. `id` is what CreateRun names as its
 * dataset. Feeding it ahead of the plans, within its capacity, is BatchFeeder's job (src/train/batch-feeder.ts).
 */
export class DatasetStream {
  private closed = false;

  private constructor(
    private readonly worker: Worker,
    readonly id: string,
    readonly lane: LaneKind,
    readonly capacityBatches: number,
    private readonly sender: BatchSender,
  ) {}

  static async open(worker: Worker, shape: StreamShape, options: DatasetStreamOptions): Promise<DatasetStream> {
    const capacity = options.capacityBatches;
    if (!(Number.isInteger(capacity) && capacity >= 1 && capacity <= 1024)) {
      throw new MixmaskError({
        code: "INVALID_OPTION",
        path: "capacityBatches",
        message: "the stream buffer must hold at least one batch",
        expected: "an integer in [1, 1024]",
        received: String(capacity),
      });
    }
    const open = (lane: BulkLane) => DatasetStream.openOnLane(worker, shape, options, lane);
    return withLane(clientOf(worker), worker.info.capabilities, options.lane, open, options.log);
  }

  private static async openOnLane(
    worker: Worker,
    shape: StreamShape,
    options: DatasetStreamOptions,
    lane: BulkLane,
  ): Promise<DatasetStream> {
    const capacity = options.capacityBatches;
    // Unique per stream: a stream is not content-addressed (its batches depend on the run's plans).
    const id = `${shape.name}-${shape.split}-stream-${randomUUID().slice(0, 8)}`;
    const opened = await clientOf(worker).openStream({
      streamId: id,
      count: shape.count,
      height: shape.height,
      width: shape.width,
      channels: shape.channels,
      capacityBatches: capacity,
      batchTimeoutMs: options.batchTimeoutMs ?? 600_000,
      lane: laneValue(lane.kind),
    });
    const sender = lane.openBatchSender({ streamId: id, zmqEndpoint: opened.zmqEndpoint });
    try {
      await sender.ready;
    } catch (error) {
      await clientOf(worker)
        .closeStream(id)
        .catch(() => undefined);
      throw error;
    }
    return new DatasetStream(worker, id, lane.kind, capacity, sender);
  }

  /** Sends the batch of `step` (its images in the plan's order); resolves when the lane took it. */
  push(step: number, indices: Uint32Array, pixels: Uint8Array): Promise<void> {
    return this.sender.send(step, indices, pixels);
  }

  /** Ends the stream: the sender first (all batches were consumed), then the worker's buffer. */
  async close(): Promise<WorkerStreamStats> {
    if (this.closed) throw new Error("DatasetStream.close() called twice");
    this.closed = true;
    await this.sender.end();
    return this.closeOnWorker();
  }

  /** Drops the stream after a failure: the worker's waiting step (if any) fails instead of timing out. */
  async abort(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.sender.abort();
    await this.closeOnWorker().catch(() => undefined);
  }

  private async closeOnWorker(): Promise<WorkerStreamStats> {
    const s = await clientOf(this.worker).closeStream(this.id);
    return {
      batchesReceived: Number(s.batchesReceived),
      batchesConsumed: Number(s.batchesConsumed),
      peakBufferedBatches: s.peakBufferedBatches,
      peakBufferedBytes: Number(s.peakBufferedBytes),
      capacityBatches: s.capacityBatches,
    };
  }
}
