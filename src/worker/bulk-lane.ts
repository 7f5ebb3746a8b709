import { MixmaskError } from "../errors.js";
import { mixmask } from "./generated/mixmask.js";
import { GrpcLane } from "./grpc-lane.js";
import type { WorkerClient } from "./worker-client.js";
import { isZmqUnreachable } from "./zmq-connect.js";
import { ZmqLane } from "./zmq-lane.js";

/** Which transport carries bulk bytes to the worker: zeromq PUSH/PULL, or chunked gRPC streams. */
export type LaneKind = "zmq" | "grpc";

/**
 * "auto": zeromq when the worker announced it in Hello (it has pyzmq) and its endpoints can be reached from here,
 * else gRPC.
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
  sendUpload(upload: BegunUpload, pixels: Uint8Array, onBytes?: (sent: number) => void): Promise<mixmask.v1.DatasetInfo>;
  openBatchSender(stream: OpenedStream): BatchSender;
}

/** The lane enum value of the protocol. */
export function laneValue(kind: LaneKind): mixmask.v1.Lane {
  return kind === "zmq" ? mixmask.v1.Lane.LANE_ZMQ : mixmask.v1.Lane.LANE_GRPC;
}

/**
 * Picks the lane for a worker. "zmq" for a worker without the capability is an error that says why (its Python has
 * no pyzmq) and what to do, rather than a silent fallback that would mislead a benchmark.
 */
export function chooseLane(client: WorkerClient, capabilities: readonly string[], preference: LanePreference = "auto"): BulkLane {
  const hasZmq = capabilities.includes("zmq");
  if (preference === "zmq" && !hasZmq) {
    throw new MixmaskError({
      code: "INVALID_OPTION",
      path: "lane",
      message: "the zeromq lane was asked for, but the worker did not announce it (its Python has no pyzmq)",
      expected: `"auto" or "grpc" for this worker`,
      received: `"zmq"`,
      fix: "install pyzmq in the worker's Python (`pip install pyzmq`), or use lane \"auto\" / \"grpc\"",
    });
  }
  const unreachable = preference === "auto" && zmqUnreachableFrom.has(client);
  return preference === "grpc" || !hasZmq || unreachable ? new GrpcLane(client) : new ZmqLane(client);
}

/** Clients whose worker's zeromq endpoints turned out unreachable: "auto" sends them everything over gRPC. */
const zmqUnreachableFrom = new WeakSet<WorkerClient>();

/**
 * Runs one transfer on the lane `chooseLane` picks. With "auto", a zeromq lane that cannot be reached from here (a
 * firewall between the machines, a refused handshake) fails fast (zmq-connect.ts) and the transfer starts again on
 * gRPC, which reaches the worker wherever its control calls do; `log` says so once. An explicit "zmq" keeps the
 * error, which names the endpoint and the fix.
 */
export async function withLane<T>(
  client: WorkerClient,
  capabilities: readonly string[],
  preference: LanePreference = "auto",
  attempt: (lane: BulkLane) => Promise<T>,
  log?: (line: string) => void,
): Promise<T> {
  const lane = chooseLane(client, capabilities, preference);
  try {
    return await attempt(lane);
  } catch (error) {
    if (preference !== "auto" || lane.kind !== "zmq" || !isZmqUnreachable(error)) throw error;
    zmqUnreachableFrom.add(client);
    const why = (error as Error).message.split("\n")[0];
    log?.(`note: ${why}; using the gRPC lane for this worker instead (--lane grpc skips the attempt)`);
    return attempt(new GrpcLane(client));
  }
}
