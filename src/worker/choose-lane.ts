import { MixmaskError } from "../errors.js";
import type { BulkLane, LanePreference } from "./bulk-lane.js";
import { GrpcLane } from "./grpc-lane.js";
import type { WorkerClient } from "./worker-client.js";
import { isInstalled } from "../optional-dependency.js";
import { ZmqLane } from "./zmq-lane.js";

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
  // "auto" also needs the zeromq npm package on this side (an optional dependency; the bundled CLI goes without).
  return preference === "grpc" || !hasZmq || (preference === "auto" && !isInstalled("zeromq")) ? new GrpcLane(client) : new ZmqLane(client);
}
