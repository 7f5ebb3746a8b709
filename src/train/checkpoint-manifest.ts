import { existsSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import type { PretrainConfig } from "../config/pretrain-config.js";
import { MixmaskError } from "../errors.js";
import type { KnnResult } from "../eval/knn.js";
import type { RunDirectory } from "./run-directory.js";

/**
 * checkpoints/latest.json: the TypeScript half of a checkpoint. The worker's half (networks, optimizer, queue) is the
 * .pt file it names, verified by its sha256 on load. Plans depend only on (seed, step), so `step` is the whole
 * sampler/augmentation/mask state.
 */
export interface CheckpointManifest {
  version: 1;
  step: number;
  file: string;
  sha256: string;
  bytes: number;
  config: PretrainConfig;
  knnInit: KnnResult;
}

const MANIFEST = "checkpoints/latest.json";

export function writeCheckpointManifest(runDir: RunDirectory, manifest: CheckpointManifest): void {
  runDir.writeJson(MANIFEST, manifest);
}

export function readCheckpointManifest(runDir: RunDirectory): CheckpointManifest | undefined {
  const manifest = runDir.readJson<CheckpointManifest>(MANIFEST);
  if (!manifest) return undefined;
  if (manifest.version !== 1 || typeof manifest.step !== "number" || typeof manifest.file !== "string") {
    throw new MixmaskError({ code: "INVALID_FILE", path: runDir.file(MANIFEST), message: "not a mixmask checkpoint manifest (version 1)", fix: "start a new run directory" });
  }
  if (!existsSync(join(runDir.checkpointsDir, manifest.file))) {
    throw new MixmaskError({ code: "INVALID_FILE", path: runDir.file(MANIFEST), message: `names ${manifest.file}, which is missing`, fix: "restore the file or start a new run directory" });
  }
  return manifest;
}

/** Deletes all but the newest `keep` worker checkpoint files (names sort by step); called after the manifest moved on. */
export function pruneCheckpoints(runDir: RunDirectory, keep: number): void {
  const files = readdirSync(runDir.checkpointsDir).filter((f) => /^step-\d+\.pt$/.test(f)).sort();
  for (const f of files.slice(0, Math.max(0, files.length - keep))) rmSync(join(runDir.checkpointsDir, f));
}
