import { MixmaskError } from "../errors.js";
import type { BulkLane, LanePreference } from "./bulk-lane.js";
import { GrpcLane } from "./grpc-lane.js";
import type { WorkerClient } from "./worker-client.js";
import { isInstalled } from "../optional-dependency.js";
import { isZmqUnreachable } from "./zmq-connect.js";
import { ZmqLane } from "./zmq-lane.js";

/**
 * Picks the lane for a worker. "zmq" for a worker without the capability is an error that says why (its Python has
 * no pyzmq) and what to do, rather than a silent fallback that would mislead a benchmark.
 */
export function chooseLane(
  client: WorkerClient,
  capabilities: readonly string[],
  preference: LanePreference = "auto",
): BulkLane {
  const hasZmq = capabilities.includes("zmq");
  if (preference === "zmq" && !hasZmq) {
    throw new MixmaskError({
      code: "INVALID_OPTION",
      path: "lane",
      message: "the zeromq lane was asked for, but the worker did not announce it (its Python has no pyzmq)",
      expected: `"auto" or "grpc" for this worker`,
      received: `"zmq"`,
      fix: 'install pyzmq in the worker\'s Python (`pip install pyzmq`), or use lane "auto" / "grpc"',
    });
  }
  // "auto" also needs the zeromq npm package on this side (an optional dependency; the bundled CLI goes without).
  // Nor does "auto" send a TLS worker's data, and the token in zeromq's PLAIN handshake, over a lane without TLS.
  const unreachable =
    preference === "auto" && (!isInstalled("zeromq") || client.usesTls || zmqUnreachableFrom.has(client));
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
