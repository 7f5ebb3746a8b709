import { existsSync, mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { MixmaskError } from "../errors.js";
import { writeFileAtomic } from "../io/atomic-write.js";
import { readCheckpointManifest } from "../train/checkpoint-manifest.js";
import { RunDirectory } from "../train/run-directory.js";
import { PROTOCOL_VERSION, SDK_VERSION } from "../worker/protocol-version.js";
import { EXPORT_FORMAT_VALUES } from "../worker/worker-client.js";
import type { Worker } from "../worker/worker.js";
import { specFromMessage } from "./backbone-spec.js";
import {
  detectron2Config,
  EXPORT_FORMATS,
  EXPORT_MANIFEST,
  EXPORT_MANIFEST_FORMAT,
  EXPORT_MANIFEST_VERSION,
  type ExportedFile,
  type ExportFormat,
  type ExportManifest,
} from "./export-manifest.js";

export interface ExportOptions {
  /** The run directory (`pretrain`'s `runDir`) whose latest checkpoint is exported. */
  runDir: string;
  /** Folder to write the files and export.json into; created when missing. Existing files of the same names are replaced. */
  outDir: string;
  /** Formats to write. Default: all four, `["safetensors", "torchscript", "onnx", "detectron2"]`. */
  formats?: readonly ExportFormat[];
}

/** What `input.preprocessing` says in every export.json (the worker's evaluation/knn.py and src/embed/model-input.ts do this). */
const PREPROCESSING =
  "uint8 RGB pixels (grey repeated to 3 channels) → float32 / 255 → (x − mean) / std per channel, at imageSize × imageSize " +
  "(the worker resizes other sizes bilinearly with antialiasing; the ONNX path in Node expects imageSize already)";

/**
 * Exports the backbone of a run's latest checkpoint: the worker (which owns checkpoint files) writes and checks the
 * files, then `export.json` records the run's config, the input spec and every file's SHA-256. The worker must see
 * the run directory and the output folder under the same paths (a local worker, or a shared disk).
 */
export async function exportRun(worker: Worker, options: ExportOptions): Promise<ExportManifest> {
  const formats = [...new Set(options.formats ?? EXPORT_FORMATS)];
  const unknown = formats.filter((f) => !EXPORT_FORMATS.includes(f));
  if (formats.length === 0 || unknown.length > 0) {
    throw new MixmaskError({
      code: "INVALID_OPTION",
      path: "--format",
      message: "unknown export format",
      expected: `one or more of ${EXPORT_FORMATS.join(", ")}`,
      received: formats.join(",") || "none",
    });
  }
  const runDir = resolve(options.runDir);
  if (!existsSync(join(runDir, "checkpoints", "latest.json"))) {
    throw new MixmaskError({
      code: "INVALID_OPTION",
      path: "--run-dir",
      message: `no checkpoint in ${join(runDir, "checkpoints")}`,
      fix: "point --run-dir at a pretraining run (it writes a checkpoint at its end), e.g. `npx mixmask pretrain --run-dir runs/a` first",
    });
  }
  const manifest = readCheckpointManifest(new RunDirectory(runDir));
  if (!manifest)
    throw new MixmaskError({
      code: "INVALID_OPTION",
      path: "--run-dir",
      message: `no checkpoint in ${runDir}`,
      fix: "pretrain first",
    });
  const outDir = resolve(options.outDir);
  mkdirSync(outDir, { recursive: true });
  const reply = await worker.exportBackbone(
    join(runDir, "checkpoints", manifest.worker.file),
    manifest.worker.sha256,
    outDir,
    formats.map((f) => EXPORT_FORMAT_VALUES[f]),
  );
  const spec = specFromMessage(reply.spec);
  const byValue = new Map<number, ExportFormat>(EXPORT_FORMATS.map((f) => [EXPORT_FORMAT_VALUES[f], f]));
  const files: Partial<Record<ExportFormat, ExportedFile>> = {};
  for (const f of reply.files) {
    const format = byValue.get(f.format ?? 0);
    const maxAbsDiff = f.maxAbsDiff ?? -1;
    if (format)
      files[format] = {
        file: f.file ?? "",
        bytes: Number(f.bytes ?? 0),
        sha256: f.sha256 ?? "",
        check: f.check ?? "",
        maxAbsDiff: maxAbsDiff < 0 ? null : maxAbsDiff,
      };
  }
  const exported: ExportManifest = {
    format: EXPORT_MANIFEST_FORMAT,
    version: EXPORT_MANIFEST_VERSION,
    exportedAt: new Date().toISOString(),
    sdkVersion: SDK_VERSION,
    protocolVersion: PROTOCOL_VERSION,
    torchVersion: reply.torchVersion,
    run: {
      dir: runDir,
      step: manifest.step,
      checkpoint: { file: manifest.worker.file, sha256: manifest.worker.sha256 },
      config: manifest.config,
      knnInit: manifest.knnInit,
    },
    backbone: {
      arch: spec.arch,
      baseWidth: spec.baseWidth,
      cifarStem: spec.cifarStem,
      featureDim: spec.featureDim,
      stateDictKeys: "torchvision ResNet (conv1, bn1, layer1.0.conv1, …), no fc",
    },
    input: {
      name: "images",
      layout: "NCHW",
      dtype: "float32",
      channels: 3,
      imageSize: spec.imageSize,
      mean: spec.mean,
      std: spec.std,
      preprocessing: PREPROCESSING,
    },
    output: {
      name: "features",
      shape: ["batch", spec.featureDim],
      meaning: "global-average-pooled backbone features, not L2-normalised (k-NN and cosine search normalise them)",
    },
    files,
    ...(files.onnx ? { onnxOpset: reply.onnxOpset } : {}),
    ...(files.detectron2 ? { detectron2: detectron2Config(spec) } : {}),
  };
  writeFileAtomic(join(outDir, EXPORT_MANIFEST), `${JSON.stringify(exported, null, 2)}\n`);
  return exported;
}
