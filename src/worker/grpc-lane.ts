import { once } from "node:events";
import type { BatchSender, BegunUpload, BulkLane, OpenedStream } from "./bulk-lane.js";
import type { mixmask } from "./generated/mixmask.js";
import type { WorkerClient } from "./worker-client.js";

/** Bytes per UploadParts message: large enough to amortise per-message costs, far below the 256 MiB limit. */
export const GRPC_CHUNK_BYTES = 4 << 20;

/**
 * The gRPC lane: bulk bytes as client streams on the control channel (UploadParts, PushBatches). Works with every
 * worker (no pyzmq needed); HTTP/2 flow control is its backpressure.
 */
export class GrpcLane implements BulkLane {
  readonly kind = "grpc" as const;

  constructor(private readonly client: WorkerClient) {}

  sendUpload(
    upload: BegunUpload,
    pixels: Uint8Array,
    onBytes?: (sent: number) => void,
  ): Promise<mixmask.v1.DatasetInfo> {
    return this.client.uploadParts(upload.uploadId, pixels, GRPC_CHUNK_BYTES, onBytes);
  }

  openBatchSender(stream: OpenedStream): BatchSender {
    const { call, reply } = this.client.pushBatches();
    let failure: unknown;
    // Observed here so that a failed call never becomes an unhandled rejection; reported by the next send or end.
    reply.catch((error: unknown) => {
      failure = error;
    });
    let first = true;
    return {
      ready: Promise.resolve(),
      async send(step, indices, pixels) {
        if (failure) throw failure;
        const writable = call.write({
          streamId: first ? stream.streamId : "",
          step,
          indices: indices as unknown as number[],
          pixels,
        });
        first = false;
        // The worker stops reading while its buffer is full: wait for HTTP/2 to take more, or for the call to fail.
        if (!writable) await Promise.race([once(call, "drain"), reply.then(() => undefined)]);
        if (failure) throw failure;
      },
      async end() {
        call.end();
        await reply;
      },
      abort() {
        call.cancel();
      },
    };
  }
}
