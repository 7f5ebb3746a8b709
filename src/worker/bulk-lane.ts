import { mixmask } from "./generated/mixmask.js";

/** Which transport carries bulk bytes to the worker: zeromq PUSH/PULL, or chunked gRPC streams. */
export type LaneKind = "zmq" | "grpc";

/**
 * "auto": zeromq when the worker announced it in Hello (it has pyzmq), the zeromq npm package is installed, and the
 * worker's endpoints can be reached from here; else gRPC.
 */
export type LanePreference = "auto" | LaneKind;

/** An upload the worker began (BeginUpload) and expects the pixels of. */
export interface BegunUpload {
  uploadId: string;
  /** Where to PUSH the pixels on the zeromq lane ("" on the gRPC lane). */
  zmqEndpoint: string;
}

/** A streamed dataset the worker opened (OpenStream). */
export interface OpenedStream {
  streamId: string;
  zmqEndpoint: string;
}

/** The sending side of a streamed dataset: one batch per step, in step order. */
export interface BatchSender {
  /** Sends the batch of `step`; resolves when the lane took it (waits while the lane pushes back). */
  send(step: number, indices: Uint32Array, pixels: Uint8Array): Promise<void>;
  /** Ends the sending side after the last batch. */
  end(): Promise<void>;
  /** Drops the sending side now (training failed or stopped). */
  abort(): void;
  /** Settles once the lane can carry batches (zeromq: the connection's handshake); rejects when it cannot. */
  readonly ready: Promise<void>;
}

/**
 * One interface, two implementations (grpc-lane.ts, zmq-lane.ts): what moves the bytes of uploads and streamed
 * batches. Control (BeginUpload, OpenStream, results, errors) always travels over gRPC; only bulk bytes differ.
 */
export interface BulkLane {
  readonly kind: LaneKind;
  /** Sends all pixels of a begun upload; resolves with the worker's DatasetInfo once they arrived and matched. */
  sendUpload(
    upload: BegunUpload,
    pixels: Uint8Array,
    onBytes?: (sent: number) => void,
  ): Promise<mixmask.v1.DatasetInfo>;
  openBatchSender(stream: OpenedStream): BatchSender;
}

/** The lane enum value of the protocol. */
export function laneValue(kind: LaneKind): mixmask.v1.Lane {
  return kind === "zmq" ? mixmask.v1.Lane.LANE_ZMQ : mixmask.v1.Lane.LANE_GRPC;
}
