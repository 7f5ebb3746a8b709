import { MixmaskError } from "../errors.js";
import { importOptional } from "../optional-dependency.js";
import type { BatchSender, BegunUpload, BulkLane, OpenedStream } from "./bulk-lane.js";
import { mixmask } from "./generated/mixmask.js";
import type { WorkerClient } from "./worker-client.js";
import { handshake, reachableEndpoint, ZMQ_PLAIN_USER } from "./zmq-connect.js";

/** Bytes per zeromq frame of an upload. */
export const ZMQ_CHUNK_BYTES = 1 << 20;
/** Messages queued towards the worker before `send` waits (the worker's PULL side queues a few more). */
const SEND_HIGH_WATER_MARK = 4;
/** A send that cannot be queued for this long means the worker stopped receiving (died, or its stream closed). */
const SEND_TIMEOUT_MS = 120_000;

type ZeroMq = typeof import("zeromq");

/** zeromq is a native addon, loaded on first use: the gRPC lane and the bundled CLI on GPU machines do without it. */
function loadZeromq(): Promise<ZeroMq> {
  return importOptional("zeromq", () => import("zeromq"));
}

/**
 * The zeromq lane: bulk bytes PUSHed to a PULL socket the worker bound for this upload or stream (ipc:// in its
 * private run directory; tcp:// on its gRPC interface when it listens on TCP, where the connection presents the
 * access token in zeromq's PLAIN handshake). No byte is sent before the handshake completed: an endpoint that
 * cannot be reached fails within ZMQ_HANDSHAKE_TIMEOUT_MS instead of at the send timeout. Control still goes over gRPC: FinishUpload says whether the bytes arrived intact. Measured
 * faster than gRPC streams for large transfers (bench/upload-lanes.ts); needs pyzmq in the worker.
 */
export class ZmqLane implements BulkLane {
  readonly kind = "zmq" as const;

  constructor(private readonly client: WorkerClient) {}

  async sendUpload(
    upload: BegunUpload,
    pixels: Uint8Array,
    onBytes?: (sent: number) => void,
  ): Promise<mixmask.v1.DatasetInfo> {
    const socket = await this.push(upload.zmqEndpoint);
    // Asked at once, not after the last frame: a worker that refuses the upload midway (too many bytes, a stopped
    // worker) answers now, instead of leaving our sends blocked until their timeout.
    const finished = this.client.finishUpload(upload.uploadId);
    const refused = finished.then(() => new Promise<never>(() => undefined)); // settles only when it rejects
    refused.catch(() => undefined); // reported through `finished`
    try {
      for (let offset = 0; offset < pixels.length; offset += ZMQ_CHUNK_BYTES) {
        const end = Math.min(offset + ZMQ_CHUNK_BYTES, pixels.length);
        await Promise.race([this.send(socket, pixels.subarray(offset, end), "upload"), refused]);
        onBytes?.(end);
      }
      return await finished;
    } finally {
      socket.close();
    }
  }

  openBatchSender(stream: OpenedStream): BatchSender {
    const ready = this.push(stream.zmqEndpoint);
    // Observed so that a failed connect is reported by the first send, not as an unhandled rejection.
    ready.catch(() => undefined);
    return {
      ready: ready.then(() => undefined),
      send: async (step, indices, pixels) => {
        const header = mixmask.v1.StreamBatch.encode({ step, indices: indices as unknown as number[] }).finish();
        await this.send(await ready, [header, pixels], `stream ${stream.streamId}`);
      },
      async end() {
        // Every batch was taken by a step before the trainer ends the sender: nothing is left to deliver.
        (await ready).close();
      },
      abort() {
        void ready.then(
          (s) => s.close(),
          () => undefined,
        );
      },
    };
  }

  private async push(advertised: string): Promise<import("zeromq").Push> {
    const zmq = await loadZeromq();
    const endpoint = reachableEndpoint(advertised, this.client.address);
    const token = endpoint.startsWith("tcp://") ? this.client.token : undefined;
    const socket = new zmq.Push({
      sendHighWaterMark: SEND_HIGH_WATER_MARK,
      sendTimeout: SEND_TIMEOUT_MS,
      linger: 0,
      ...(token ? { plainUsername: ZMQ_PLAIN_USER, plainPassword: token } : {}),
    });
    const connected = handshake(socket, endpoint);
    socket.connect(endpoint);
    try {
      await connected;
    } catch (error) {
      socket.close();
      throw error;
    }
    return socket;
  }

  private async send(socket: import("zeromq").Push, message: Uint8Array | Uint8Array[], what: string): Promise<void> {
    try {
      await socket.send(message);
    } catch (error) {
      throw new MixmaskError({
        code: "WORKER_TIMEOUT",
        message: `the worker took no bytes of ${what} for ${SEND_TIMEOUT_MS} ms on the zeromq lane (${(error as Error).message})`,
        fix: "the worker may have died or closed the stream: see its error, or run `npx mixmask doctor`",
        cause: error,
      });
    }
  }
}
