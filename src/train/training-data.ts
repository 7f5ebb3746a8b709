import { channelMeanStd, type ImageDataset } from "../data/image-dataset.js";
import { headOf, isImageDataset, materialize, sourceOf, type ImageSource } from "../data/image-source.js";
import type { LaneKind, LanePreference } from "../worker/bulk-lane.js";
import { DatasetStream, type WorkerStreamStats } from "../worker/dataset-stream.js";
import { uploadDataset, type UploadResult } from "../worker/upload-dataset.js";
import type { Worker } from "../worker/worker.js";
import { BatchFeeder, type FeederStats } from "./batch-feeder.js";
import type { ProgressReporter } from "./progress.js";

/** In streaming mode the k-NN memory bank is the first this many training images, uploaded resident. */
export const STREAMING_KNN_BANK_IMAGES = 10_000;

export interface TrainingDataOptions {
  /** Stream the training images batch by batch instead of uploading them (datasets larger than the worker's memory). */
  streaming: boolean;
  /** Streaming: batches buffered at most on the worker (and unconsumed in the SDK). */
  streamBufferBatches: number;
  /** Transport of uploads and batches. */
  lane: LanePreference;
  progress: ProgressReporter;
  /** Streaming: a step whose batch has not arrived after this long fails on the worker. */
  batchTimeoutMs: number;
}

/** What a streamed run reports about its buffers (PretrainSummary.streaming). */
export interface StreamingSummary {
  lane: LaneKind;
  capacityBatches: number;
  worker: WorkerStreamStats;
  feeder: FeederStats;
}

/**
 * The datasets of a run, made available on the worker: either uploaded (resident) or, in streaming mode, a
 * streamed training set plus a resident k-NN bank (its first STREAMING_KNN_BANK_IMAGES images) and test set.
 * Normalisation constants come from the resident training set, or from the bank when streaming.
 */
export class TrainingData {
  private feeder: BatchFeeder | undefined;

  private constructor(
    /** Dataset id CreateRun trains on (an uploaded dataset or a stream). */
    readonly trainId: string,
    /** Resident datasets k-NN uses as memory bank and as queries. */
    readonly bankId: string,
    readonly testId: string,
    readonly placement: string,
    readonly lane: LaneKind,
    readonly mean: number[],
    readonly std: number[],
    readonly bankCount: number,
    private readonly train: ImageSource,
    private readonly stream: DatasetStream | undefined,
  ) {}

  static async prepare(
    worker: Worker,
    train: ImageDataset | ImageSource,
    test: ImageDataset | ImageSource,
    options: TrainingDataOptions,
  ): Promise<TrainingData> {
    const upload = (ds: ImageDataset): Promise<UploadResult> =>
      uploadDataset(worker, ds, {
        lane: options.lane,
        onProgress: (p) => options.progress.transfer?.(p),
        log: (line) => options.progress.log(line),
      });
    const describe = (what: string, ds: ImageDataset, r: UploadResult) =>
      `${what} ${ds.name}/${ds.split}: ${ds.count} images ${ds.height}x${ds.width}x${ds.channels}, ` +
      (r.cached
        ? `already on the worker (${r.cached === "disk" ? "its dataset cache" : "resident"}), nothing sent`
        : `${(r.bytesSent / 1e6).toFixed(1)} MB sent on the ${r.lane} lane in ${r.seconds.toFixed(2)} s`);
    const testSet = isImageDataset(test) ? test : await materialize(test);
    if (!options.streaming) {
      const trainSet = isImageDataset(train) ? train : await materialize(train);
      const trainUp = await upload(trainSet);
      options.progress.log(describe("train", trainSet, trainUp));
      const testUp = await upload(testSet);
      options.progress.log(describe("test", testSet, testUp));
      const { mean, std } = channelMeanStd(trainSet);
      return new TrainingData(
        trainUp.id,
        trainUp.id,
        testUp.id,
        trainUp.placement,
        trainUp.lane,
        mean,
        std,
        trainSet.count,
        sourceOf(trainSet),
        undefined,
      );
    }
    const source = isImageDataset(train) ? sourceOf(train) : train;
    const bank = await materialize(headOf(source, STREAMING_KNN_BANK_IMAGES));
    const bankUp = await upload(bank);
    options.progress.log(describe("k-NN bank", bank, bankUp));
    const testUp = await upload(testSet);
    options.progress.log(describe("test", testSet, testUp));
    const stream = await DatasetStream.open(worker, source, {
      capacityBatches: options.streamBufferBatches,
      lane: options.lane,
      batchTimeoutMs: options.batchTimeoutMs,
      log: (line) => options.progress.log(line),
    });
    options.progress.log(
      `train ${source.name}/${source.split}: ${source.count} images streamed on the ${stream.lane} lane, at most ${stream.capacityBatches} batches buffered`,
    );
    const { mean, std } = channelMeanStd(bank);
    return new TrainingData(
      stream.id,
      bankUp.id,
      testUp.id,
      bankUp.placement,
      stream.lane,
      mean,
      std,
      bank.count,
      source,
      stream,
    );
  }

  get streaming(): boolean {
    return this.stream !== undefined;
  }

  /** Streaming: starts pushing batches from `firstStep` on. Returns undefined for resident data. */
  startFeeding(
    indicesOf: (step: number) => Uint32Array,
    firstStep: number,
    totalSteps: number,
  ): BatchFeeder | undefined {
    if (!this.stream) return undefined;
    this.feeder = new BatchFeeder({ source: this.train, stream: this.stream, indicesOf, firstStep, totalSteps });
    this.feeder.start();
    return this.feeder;
  }

  /** Ends streaming after a finished run and reports the buffers' peaks; undefined for resident data. */
  async finish(): Promise<StreamingSummary | undefined> {
    if (!this.stream) return undefined;
    await this.feeder?.stop();
    const worker = await this.stream.close();
    const feeder = this.feeder?.stats() ?? { batchesPushed: 0, peakPendingBatches: 0, peakPendingBytes: 0 };
    return { lane: this.stream.lane, capacityBatches: this.stream.capacityBatches, worker, feeder };
  }

  /** Drops the stream after a failure (the worker's waiting step fails at once instead of timing out). */
  async abort(): Promise<void> {
    if (!this.stream) return;
    const stopping = this.feeder?.stop().catch(() => undefined);
    await this.stream.abort();
    await stopping;
  }
}
