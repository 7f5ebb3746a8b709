import { MixmaskError } from "../errors.js";
import { readTokenFile } from "../worker/worker-access.js";
import type { SpawnOptions } from "../worker/worker-process.js";
import { WorkerGroup } from "./worker-group.js";

export interface GroupRequest {
  /** --ranks: ranks of a local launch to spawn (1: no group). */
  ranks: number;
  /** --worker-endpoints: join the launch that wrote this endpoints file instead. */
  endpointsFile?: string;
  /** --worker-token-file / --worker-ca of that launch. */
  tokenFile?: string;
  caPath?: string;
  /** Options of the spawned ranks (device, threads, Python). */
  spawn: SpawnOptions;
  /** --auto-restart and --worker, which a group does not combine with. */
  autoRestart: number;
  remoteWorker?: string;
}

/**
 * The CLI's torchrun group, when the options ask for one (`--ranks R` with R > 1 spawns a local launch;
 * `--worker-endpoints FILE` joins one started by hand); undefined for a run on one worker.
 */
export async function openWorkerGroup(request: GroupRequest): Promise<WorkerGroup | undefined> {
  if (request.ranks <= 1 && !request.endpointsFile) return undefined;
  if (request.remoteWorker) {
    throw new MixmaskError({
      code: "INVALID_OPTION",
      path: "--worker",
      message: "one worker (--worker) and a group of ranks (--ranks, --worker-endpoints) exclude each other",
      fix: "drop --worker, or --ranks/--worker-endpoints",
    });
  }
  if (request.autoRestart > 0) {
    throw new MixmaskError({
      code: "INVALID_OPTION",
      path: "--auto-restart",
      message: "a torchrun group is not restarted automatically yet: when a rank dies the run stops and names it",
      fix: "drop --auto-restart; continue a stopped run with --resume",
    });
  }
  if (request.endpointsFile) {
    return WorkerGroup.connect(request.endpointsFile, {
      ...(request.tokenFile ? { token: readTokenFile(request.tokenFile) } : {}),
      ...(request.caPath ? { tls: { caPath: request.caPath } } : {}),
    });
  }
  return WorkerGroup.spawn({ ...request.spawn, ranks: request.ranks });
}
