import { validatePretrainConfig, type PretrainConfig } from "../config/pretrain-config.js";
import { MixmaskError } from "../errors.js";
import { Worker } from "../worker/worker.js";
import { readCheckpointManifest } from "./checkpoint-manifest.js";
import { pretrain, type PretrainOptions, type PretrainSummary } from "./pretrain.js";
import { silentProgress } from "./progress.js";
import { RunDirectory } from "./run-directory.js";

export interface RestartingPretrainOptions extends PretrainOptions {
  /** Fresh workers to start after the worker died or stopped answering; 0 = fail at once, as `pretrain`. Default 0. */
  maxRestarts?: number;
  /** Starts a replacement worker. Default: `Worker.spawn` with the run's device and threads and `workerOptions`. */
  spawnWorker?: () => Promise<Worker>;
}

/** Failures a fresh worker can get past. A NaN, bad options, a full disk or Ctrl-C are not among them. */
const RESTARTABLE = new Set(["WORKER_DIED", "WORKER_TIMEOUT"]);

/**
 * `pretrain` that survives worker crashes (opt-in, `--auto-restart N`): when the worker dies (a segfault, an OOM kill)
 * or stops answering, it starts a fresh worker and resumes from the last checkpoint, at most `maxRestarts` times.
 * Each restart loses at most the steps since that checkpoint, and — plans depending on (seed, step) only — the run
 * continues exactly as it would have without the crash.
 */
export async function pretrainWithRestarts(
  input: PretrainConfig,
  options: RestartingPretrainOptions = {},
): Promise<PretrainSummary> {
  const config = validatePretrainConfig(input);
  const { maxRestarts = 0, spawnWorker, worker: given, ...rest } = options;
  const progress = options.progress ?? silentProgress;
  const spawn =
    spawnWorker ??
    (() =>
      Worker.spawn({
        device: config.device,
        ...(config.threads > 0 ? { threads: config.threads } : {}),
        ...options.workerOptions,
      }));
  if ((config.ranks ?? 1) > 1 && !given) {
    // A torchrun group (src/distributed/): pretrain spawns it; a group whose rank died is not restarted from here.
    if (maxRestarts > 0) {
      throw new MixmaskError({
        code: "INVALID_OPTION",
        path: "--auto-restart",
        message: "a torchrun group is not restarted automatically yet: when a rank dies the run stops and names it",
        fix: "drop --auto-restart; continue a stopped run with --resume",
      });
    }
    return pretrain(config, rest);
  }
  const runDir = new RunDirectory(config.runDir);
  // A checkpoint counts as this run's only when asked to resume, or when it appeared after this run started.
  const before = options.resume ? undefined : latestChecksum(runDir);
  let resume = options.resume ?? false;
  for (let restarts = 0; ; restarts++) {
    const worker = restarts === 0 && given ? given : await spawn();
    try {
      // A restart from the start replaces what the failed attempt of this same run wrote (the user's --overwrite
      // was for the first attempt only).
      return await pretrain(config, { ...rest, worker, resume, overwrite: restarts > 0 ? !resume : rest.overwrite });
    } catch (error) {
      if (!(error instanceof MixmaskError) || !RESTARTABLE.has(error.code) || restarts >= maxRestarts) throw error;
      const latest = readCheckpointManifest(runDir);
      resume = resume || (latest !== undefined && latest.checksum !== before);
      progress.log(
        `worker failure (${error.code}); restart ${restarts + 1} of ${maxRestarts} ${resume && latest ? `from the checkpoint of step ${latest.step}` : "from the start"}:\n${error.message}`,
      );
    } finally {
      if (worker !== given) await worker.close();
    }
  }
}

function latestChecksum(runDir: RunDirectory): string | undefined {
  try {
    return readCheckpointManifest(runDir)?.checksum;
  } catch {
    return undefined; // an unreadable leftover of another run: a fresh run does not use it
  }
}
