import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { MixmaskError } from "../errors.js";
import { specFromMessage, specToMessage, type BackboneSpec } from "../export/backbone-spec.js";
import { readExportManifest, specOfExport, verifyExportedFile } from "../export/export-manifest.js";
import { readCheckpointManifest } from "../train/checkpoint-manifest.js";
import { RunDirectory } from "../train/run-directory.js";
import type { Worker } from "../worker/worker.js";

/** Where a backbone comes from: a run directory's latest checkpoint, or an export folder's safetensors file. */
export type BackboneSource = { runDir: string } | { exportDir: string };

/** A backbone held by a worker under `modelId` (until the worker exits or an id is loaded again), ready for `embed`. */
export interface LoadedBackbone {
  modelId: string;
  spec: BackboneSpec;
  /** The file it was loaded from. */
  file: string;
}

/**
 * Loads a trained backbone into the worker (frozen, eval mode) so `embed` can use it after the run that trained it
 * is gone — from the run's latest checkpoint, or from an export (its backbone.safetensors, checked against
 * export.json's SHA-256 on the worker). The worker must see the files under the same paths.
 */
export async function loadBackbone(
  worker: Worker,
  source: BackboneSource,
  options: { modelId?: string } = {},
): Promise<LoadedBackbone> {
  // Named by the file's content by default: loading the same backbone again replaces it instead of holding a copy.
  const idOf = (sha256: string): string => options.modelId ?? `backbone-${sha256.slice(0, 16)}`;
  if ("exportDir" in source) {
    const dir = resolve(source.exportDir);
    const manifest = readExportManifest(dir);
    const file = verifyExportedFile(dir, manifest, "safetensors");
    const spec = specOfExport(manifest);
    const sha256 = manifest.files.safetensors!.sha256;
    const reply = await worker.loadBackbone({
      modelId: idOf(sha256),
      safetensors: { path: file, sha256, spec: specToMessage(spec) },
    });
    return { modelId: reply.modelId, spec: specFromMessage(reply.spec), file };
  }
  const runDir = resolve(source.runDir);
  const manifest = existsSync(join(runDir, "checkpoints", "latest.json"))
    ? readCheckpointManifest(new RunDirectory(runDir))
    : undefined;
  if (!manifest) {
    throw new MixmaskError({
      code: "INVALID_OPTION",
      path: "runDir",
      message: `no checkpoint in ${join(runDir, "checkpoints")}`,
      fix: "point runDir at a pretraining run (it writes a checkpoint at its end)",
    });
  }
  const file = join(runDir, "checkpoints", manifest.worker.file);
  const reply = await worker.loadBackbone({
    modelId: idOf(manifest.worker.sha256),
    checkpoint: { path: file, sha256: manifest.worker.sha256 },
  });
  return { modelId: reply.modelId, spec: specFromMessage(reply.spec), file };
}
