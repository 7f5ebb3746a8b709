import * as grpc from "@grpc/grpc-js";
import { mixmask } from "./generated/mixmask.js";
import { PROTOCOL_VERSION, SDK_VERSION } from "./protocol-version.js";
import { toMixmaskError, type ProcessState } from "./worker-error.js";
import { MixmaskError } from "../errors.js";
import { callMetadata, channelCredentials, channelOptions, type WorkerAccess } from "./worker-access.js";

const v1 = mixmask.v1;
export type HelloReply = mixmask.v1.HelloReply;
export type StepPlanMessage = mixmask.v1.IStepPlan;
export type StepResultMessage = mixmask.v1.StepResult;
export type CreateRunMessage = mixmask.v1.ICreateRunRequest;
export type KnnRequestMessage = mixmask.v1.IKnnRequest;
export type KnnReplyMessage = mixmask.v1.KnnReply;
export type BackboneSpecMessage = mixmask.v1.IBackboneSpec;
export type ExportReplyMessage = mixmask.v1.ExportReply;
export type EmbedRequestMessage = mixmask.v1.IEmbedRequest;
/** proto ExportFormat values by name. */
export const EXPORT_FORMAT_VALUES = {
  safetensors: v1.ExportFormat.SAFETENSORS,
  torchscript: v1.ExportFormat.TORCHSCRIPT,
  onnx: v1.ExportFormat.ONNX,
  detectron2: v1.ExportFormat.DETECTRON2,
} as const;

/** A generated message class: encodes its plain-object shape, decodes to the class. */
interface MessageType<In, Out = In> {
  encode(message: In): { finish(): Uint8Array };
  decode(bytes: Uint8Array): Out;
}

const serializer =
  <T>(type: MessageType<T, unknown>) =>
  (value: T): Buffer => {
    const bytes = type.encode(value).finish();
    return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  };
const deserializer =
  <T>(type: MessageType<never, T>) =>
  (bytes: Buffer): T =>
    type.decode(bytes);
const path = (rpc: string) => `/mixmask.v1.Worker/${rpc}`;

/** Per-call deadlines in ms. Training streams have none; they are bounded by the idle timeout of the trainer instead. */
export interface DeadlinesMs {
  /** Hello (the handshake; also each readiness poll). */
  hello: number;
  /** A whole dataset upload. */
  upload: number;
  createRun: number;
  /** k-NN evaluation. */
  evaluate: number;
  /** SaveCheckpoint and LoadCheckpoint. */
  checkpoint: number;
  shutdown: number;
}

export const DEFAULT_DEADLINES_MS: DeadlinesMs = {
  hello: 10_000,
  upload: 600_000,
  createRun: 120_000,
  evaluate: 1_800_000,
  checkpoint: 300_000,
  shutdown: 5_000,
};

/** Client options of the channel: large messages (datasets, features) and a window sized for bulk transfers. */
const CHANNEL_OPTIONS: grpc.ChannelOptions = {
  "grpc.max_receive_message_length": 256 * 1024 * 1024,
  "grpc.max_send_message_length": 256 * 1024 * 1024,
  // Measured when the lanes were written: the 64 KiB default window halves worker→client throughput.
  "grpc-node.flow_control_window": 8 * 1024 * 1024,
};

/**
 * Typed gRPC client for one worker. Internal: users meet `Worker` (src/worker/worker.ts), which owns the process.
 * Every unary call has a deadline; every failure becomes a MixmaskError carrying the worker's own error code.
 */
export class WorkerClient {
  private readonly client: grpc.Client;
  private readonly deadlines: DeadlinesMs;

  constructor(
    readonly address: string,
    private readonly process?: ProcessState,
    deadlines: Partial<DeadlinesMs> = {},
    private readonly access: WorkerAccess = {},
  ) {
    this.deadlines = { ...DEFAULT_DEADLINES_MS, ...deadlines };
    this.client = new grpc.Client(address, channelCredentials(access), {
      ...CHANNEL_OPTIONS,
      ...channelOptions(access),
    });
  }

  /** The access token this client presents (the zeromq lane sends it in its handshake). */
  get token(): string | undefined {
    return this.access.token;
  }

  /** Whether the channel speaks TLS: the zeromq lane has none, so "auto" keeps such a worker's bytes on gRPC. */
  get usesTls(): boolean {
    return this.access.tls !== undefined;
  }

  hello(protocolVersion = PROTOCOL_VERSION, deadlineMs = this.deadlines.hello): Promise<HelloReply> {
    return this.unary(
      "Hello",
      v1.HelloRequest,
      v1.HelloReply,
      v1.HelloRequest.create({ protocolVersion, clientVersion: SDK_VERSION }),
      deadlineMs,
    );
  }

  createRun(request: CreateRunMessage): Promise<mixmask.v1.CreateRunReply> {
    return this.unary(
      "CreateRun",
      v1.CreateRunRequest,
      v1.CreateRunReply,
      v1.CreateRunRequest.create(request),
      this.deadlines.createRun,
    );
  }

  /** Opens the bidirectional training stream of one run (named in the call metadata). */
  train(runId: string): grpc.ClientDuplexStream<StepPlanMessage, StepResultMessage> {
    const metadata = callMetadata(this.access);
    metadata.set("mixmask-run-id", runId);
    return this.client.makeBidiStreamRequest<StepPlanMessage, StepResultMessage>(
      path("Train"),
      serializer(v1.StepPlan),
      deserializer(v1.StepResult),
      metadata,
    );
  }

  knn(request: KnnRequestMessage): Promise<KnnReplyMessage> {
    return this.unary("Knn", v1.KnnRequest, v1.KnnReply, v1.KnnRequest.create(request), this.deadlines.evaluate);
  }

  linearProbe(request: mixmask.v1.ILinearProbeRequest): Promise<mixmask.v1.LinearProbeReply> {
    return this.unary(
      "LinearProbe",
      v1.LinearProbeRequest,
      v1.LinearProbeReply,
      v1.LinearProbeRequest.create(request),
      this.deadlines.evaluate,
    );
  }

  fineTune(request: mixmask.v1.IFineTuneRequest): Promise<mixmask.v1.FineTuneReply> {
    return this.unary(
      "FineTune",
      v1.FineTuneRequest,
      v1.FineTuneReply,
      v1.FineTuneRequest.create(request),
      this.deadlines.evaluate,
    );
  }

  saveCheckpoint(runId: string, file: string, step: number): Promise<mixmask.v1.SaveCheckpointReply> {
    return this.unary(
      "SaveCheckpoint",
      v1.SaveCheckpointRequest,
      v1.SaveCheckpointReply,
      v1.SaveCheckpointRequest.create({ runId, path: file, step }),
      this.deadlines.checkpoint,
    );
  }

  loadCheckpoint(runId: string, file: string, sha256: string): Promise<mixmask.v1.LoadCheckpointReply> {
    return this.unary(
      "LoadCheckpoint",
      v1.LoadCheckpointRequest,
      v1.LoadCheckpointReply,
      v1.LoadCheckpointRequest.create({ runId, path: file, sha256 }),
      this.deadlines.checkpoint,
    );
  }

  /** The inputs of one plan as the training step builds them, de-normalised to uint8, for pictures. */
  preview(runId: string, plan: mixmask.v1.IStepPlan, maxSamples: number): Promise<mixmask.v1.PreviewReply> {
    return this.unary(
      "Preview",
      v1.PreviewRequest,
      v1.PreviewReply,
      v1.PreviewRequest.create({ runId, plan, maxSamples }),
      this.deadlines.evaluate,
    );
  }

  shutdown(deadlineMs = this.deadlines.shutdown): Promise<mixmask.v1.ShutdownReply> {
    return this.unary("Shutdown", v1.ShutdownRequest, v1.ShutdownReply, v1.ShutdownRequest.create({}), deadlineMs);
  }

  /**
   * Maps a failed call to a MixmaskError. A dropped connection usually arrives before the child's exit event, so
   * wait briefly for the process to tell us how it died (signal, exit code) before classifying.
   */
  async callError(error: unknown, rpc: string): Promise<MixmaskError> {
    if (error instanceof MixmaskError) return error;
    const serviceError = error as grpc.ServiceError;
    if (serviceError.code === grpc.status.UNAVAILABLE || serviceError.code === grpc.status.CANCELLED)
      await this.process?.waitForExit(1_000);
    return toMixmaskError(serviceError, rpc, this.process);
  }

  // --- Bulk data (docs/DATASETS.md): content-addressed uploads, the gRPC lane, streamed datasets ------------------

  /** Starts an upload named by its content hash; a worker that holds the content already answers `cached`. */
  beginUpload(request: mixmask.v1.IBeginUploadRequest): Promise<mixmask.v1.BeginUploadReply> {
    return this.unary(
      "BeginUpload",
      v1.BeginUploadRequest,
      v1.BeginUploadReply,
      v1.BeginUploadRequest.create(request),
      this.deadlines.createRun,
    );
  }

  /** gRPC lane: the pixels of a begun upload in chunks of `chunkBytes`, written as fast as flow control allows. */
  uploadParts(
    uploadId: string,
    pixels: Uint8Array,
    chunkBytes: number,
    onBytes?: (sent: number) => void,
  ): Promise<mixmask.v1.DatasetInfo> {
    return new Promise((resolve, reject) => {
      const call = this.client.makeClientStreamRequest<mixmask.v1.IUploadPart, mixmask.v1.DatasetInfo>(
        path("UploadParts"),
        serializer(v1.UploadPart),
        deserializer(v1.DatasetInfo),
        callMetadata(this.access),
        { deadline: Date.now() + this.deadlines.upload },
        (error, reply) => (error ? this.callError(error, "UploadParts").then(reject) : resolve(reply!)),
      );
      let offset = 0;
      // Writes until the stream asks us to wait, then resumes on "drain" (backpressure, flat memory).
      const pump = (): void => {
        while (offset < pixels.length) {
          const end = Math.min(offset + chunkBytes, pixels.length);
          const writable = call.write({ uploadId: offset === 0 ? uploadId : "", pixels: pixels.subarray(offset, end) });
          offset = end;
          onBytes?.(offset);
          if (!writable) {
            call.once("drain", pump);
            return;
          }
        }
        call.end();
      };
      pump();
    });
  }

  /** zeromq lane: resolves once every byte PUSHed for the upload arrived and matched its hash. */
  finishUpload(uploadId: string): Promise<mixmask.v1.DatasetInfo> {
    return this.unary(
      "FinishUpload",
      v1.FinishUploadRequest,
      v1.DatasetInfo,
      v1.FinishUploadRequest.create({ uploadId }),
      this.deadlines.upload,
    );
  }

  openStream(request: mixmask.v1.IOpenStreamRequest): Promise<mixmask.v1.OpenStreamReply> {
    return this.unary(
      "OpenStream",
      v1.OpenStreamRequest,
      v1.OpenStreamReply,
      v1.OpenStreamRequest.create(request),
      this.deadlines.createRun,
    );
  }

  /**
   * gRPC lane of a streamed dataset: a client stream of batches. No deadline: it lives as long as the training it
   * feeds; the caller ends or cancels it. `reply` settles when the call ends.
   */
  pushBatches(): {
    call: grpc.ClientWritableStream<mixmask.v1.IStreamBatch>;
    reply: Promise<mixmask.v1.PushBatchesReply>;
  } {
    let call!: grpc.ClientWritableStream<mixmask.v1.IStreamBatch>;
    const reply = new Promise<mixmask.v1.PushBatchesReply>((resolve, reject) => {
      call = this.client.makeClientStreamRequest<mixmask.v1.IStreamBatch, mixmask.v1.PushBatchesReply>(
        path("PushBatches"),
        serializer(v1.StreamBatch),
        deserializer(v1.PushBatchesReply),
        callMetadata(this.access),
        {},
        (error, r) => (error ? this.callError(error, "PushBatches").then(reject) : resolve(r!)),
      );
    });
    return { call, reply };
  }

  closeStream(streamId: string): Promise<mixmask.v1.StreamStats> {
    return this.unary(
      "CloseStream",
      v1.CloseStreamRequest,
      v1.StreamStats,
      v1.CloseStreamRequest.create({ streamId }),
      this.deadlines.createRun,
    );
  }

  // --- Distributed (docs/DISTRIBUTED.md): the ranks of a torchrun launch -----------------------------------------

  /** This worker's rank, world size and launch id (world size 1 for a worker not started by torchrun). */
  describeRank(deadlineMs = this.deadlines.hello): Promise<mixmask.v1.RankInfo> {
    return this.unary(
      "DescribeRank",
      v1.DescribeRankRequest,
      v1.RankInfo,
      v1.DescribeRankRequest.create({}),
      deadlineMs,
    );
  }

  /** CreateRun of a run that every rank trains together (DDP); every rank must receive it. */
  createDistributedRun(request: CreateRunMessage, syncBatchNorm: boolean): Promise<mixmask.v1.CreateRunReply> {
    const message = v1.CreateDistributedRunRequest.create({ run: request, syncBatchNorm });
    return this.unary(
      "CreateDistributedRun",
      v1.CreateDistributedRunRequest,
      v1.CreateRunReply,
      message,
      this.deadlines.createRun,
    );
  }

  /** The training stream of one rank of a distributed run: its ShardStepPlans in, results out, in order. */
  trainShard(runId: string): grpc.ClientDuplexStream<mixmask.v1.IShardStepPlan, StepResultMessage> {
    const metadata = callMetadata(this.access);
    metadata.set("mixmask-run-id", runId);
    return this.client.makeBidiStreamRequest<mixmask.v1.IShardStepPlan, StepResultMessage>(
      path("TrainShard"),
      serializer(v1.ShardStepPlan),
      deserializer(v1.StepResult),
      metadata,
    );
  }

  // --- Export and embeddings ---------------------------------------------------------------------------------------

  /** Writes a checkpoint's backbone in the given formats (proto ExportFormat values) into `outDir` on the worker. */
  exportBackbone(
    checkpointPath: string,
    sha256: string,
    outDir: string,
    formats: number[],
  ): Promise<ExportReplyMessage> {
    return this.unary(
      "Export",
      v1.ExportRequest,
      v1.ExportReply,
      v1.ExportRequest.create({ checkpointPath, sha256, outDir, formats }),
      this.deadlines.checkpoint,
    );
  }

  loadBackbone(request: mixmask.v1.ILoadBackboneRequest): Promise<mixmask.v1.LoadBackboneReply> {
    return this.unary(
      "LoadBackbone",
      v1.LoadBackboneRequest,
      v1.LoadBackboneReply,
      v1.LoadBackboneRequest.create(request),
      this.deadlines.checkpoint,
    );
  }

  embed(request: EmbedRequestMessage): Promise<mixmask.v1.EmbedReply> {
    return this.unary(
      "Embed",
      v1.EmbedRequest,
      v1.EmbedReply,
      v1.EmbedRequest.create(request),
      this.deadlines.evaluate,
    );
  }

  close(): void {
    this.client.close();
  }

  private unary<Req, Res>(
    rpc: string,
    reqType: MessageType<Req, unknown>,
    resType: MessageType<never, Res>,
    request: Req,
    deadlineMs: number,
  ): Promise<Res> {
    return new Promise((resolve, reject) => {
      this.client.makeUnaryRequest<Req, Res>(
        path(rpc),
        serializer(reqType),
        deserializer(resType),
        request,
        callMetadata(this.access),
        { deadline: Date.now() + deadlineMs },
        (error, reply) => (error ? this.callError(error, rpc).then(reject) : resolve(reply!)),
      );
    });
  }
}
