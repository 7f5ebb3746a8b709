import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { PretrainConfig } from "../config/pretrain-config.js";
import { MixmaskError } from "../errors.js";
import type { KnnResult } from "../eval/knn.js";
import type { BackboneSpec } from "./backbone-spec.js";

export const EXPORT_FORMATS = ["safetensors", "torchscript", "onnx", "detectron2"] as const;
/** An export format: `safetensors` (torchvision keys), `torchscript`, `onnx`, `detectron2` (the release's pickle). */
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export const EXPORT_MANIFEST = "export.json";
export const EXPORT_MANIFEST_FORMAT = "mixmask-export";
export const EXPORT_MANIFEST_VERSION = 1;

/** One exported file, as the worker wrote and checked it. */
export interface ExportedFile {
  /** The file's name inside the export folder. */
  file: string;
  bytes: number;
  sha256: string;
  /** How the worker checked the file against the eager backbone, in words. */
  check: string;
  /** Largest |feature difference| of that check (null: the check compared no outputs). */
  maxAbsDiff: number | null;
}

/**
 * `export.json`: everything needed to use the exported files without the run that made them — the run's config, the
 * input the network expects, the output it gives, and the size and SHA-256 of every file.
 */
export interface ExportManifest {
  format: typeof EXPORT_MANIFEST_FORMAT;
  version: typeof EXPORT_MANIFEST_VERSION;
  exportedAt: string;
  sdkVersion: string;
  protocolVersion: number;
  torchVersion: string;
  run: {
    /** The run directory the checkpoint came from. */
    dir: string;
    /** Training steps done when the checkpoint was written. */
    step: number;
    checkpoint: { file: string; sha256: string };
    /** The run's resolved options (its config.json), so the exported files carry how they were trained. */
    config: PretrainConfig;
    /** k-NN top-1 of the untrained encoder, as recorded by the run. */
    knnInit: KnnResult;
  };
  backbone: Omit<BackboneSpec, "imageSize" | "mean" | "std"> & { stateDictKeys: string };
  /** The input the network expects (also what src/embed/model-input.ts builds from uint8 images). */
  input: {
    name: "images";
    layout: "NCHW";
    dtype: "float32";
    channels: 3;
    imageSize: number;
    mean: number[];
    std: number[];
    preprocessing: string;
  };
  output: { name: "features"; shape: ["batch", number]; meaning: string };
  files: Partial<Record<ExportFormat, ExportedFile>>;
  /** ONNX opset of backbone.onnx (when exported). */
  onnxOpset?: number;
  /** detectron2 config values that match backbone.detectron2.pkl (when exported). */
  detectron2?: Record<string, string | number | boolean | number[]>;
}

/** The BackboneSpec an export describes. */
export function specOfExport(manifest: ExportManifest): BackboneSpec {
  const { arch, baseWidth, cifarStem, featureDim } = manifest.backbone;
  return {
    arch,
    baseWidth,
    cifarStem,
    featureDim,
    imageSize: manifest.input.imageSize,
    mean: manifest.input.mean,
    std: manifest.input.std,
  };
}

/** Reads `<dir>/export.json`; with `verify`, checks the size and SHA-256 of each file it lists (or of `only`). */
export function readExportManifest(
  dir: string,
  options: { verify?: boolean; only?: ExportFormat[] } = {},
): ExportManifest {
  const file = join(resolve(dir), EXPORT_MANIFEST);
  if (!existsSync(file)) {
    throw new MixmaskError({
      code: "INVALID_OPTION",
      path: file,
      message: "no export.json: this is not an export folder",
      fix: "export a run first: `npx mixmask export --run-dir RUN --out DIR`",
    });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    throw new MixmaskError({
      code: "INVALID_FILE",
      path: file,
      message: `not JSON (${(error as Error).message})`,
      fix: "export the run again",
    });
  }
  const manifest = parsed as Partial<ExportManifest>;
  if (manifest?.format !== EXPORT_MANIFEST_FORMAT || manifest.version !== EXPORT_MANIFEST_VERSION) {
    throw new MixmaskError({
      code: "INVALID_FILE",
      path: file,
      message: "not a mixmask export manifest this SDK reads",
      expected: `format "${EXPORT_MANIFEST_FORMAT}", version ${EXPORT_MANIFEST_VERSION}`,
      received: `format ${JSON.stringify(manifest?.format)}, version ${JSON.stringify(manifest?.version)}`,
      fix: "export the run again with this SDK",
    });
  }
  const complete = manifest as ExportManifest;
  if (options.verify) {
    for (const format of options.only ?? (Object.keys(complete.files) as ExportFormat[]))
      verifyExportedFile(dir, complete, format);
  }
  return complete;
}

/** Checks that an exported file exists with the size and SHA-256 export.json records; returns its path. */
export function verifyExportedFile(dir: string, manifest: ExportManifest, format: ExportFormat): string {
  const entry = manifest.files[format];
  if (!entry) {
    throw new MixmaskError({
      code: "INVALID_OPTION",
      path: join(dir, EXPORT_MANIFEST),
      message: `the export has no ${format} file (it has: ${Object.keys(manifest.files).join(", ") || "none"})`,
      fix: `export the run again with --format ${format}`,
    });
  }
  const path = join(resolve(dir), entry.file);
  if (!existsSync(path)) {
    throw new MixmaskError({
      code: "INVALID_FILE",
      path,
      message: "missing: export.json lists it",
      fix: "export the run again, or restore the file",
    });
  }
  const bytes = readFileSync(path);
  const sha256 = createHash("sha256").update(bytes).digest("hex");
  if (bytes.length !== entry.bytes || sha256 !== entry.sha256) {
    throw new MixmaskError({
      code: "INVALID_FILE",
      path,
      message: "was changed or damaged after export",
      expected: `${entry.bytes} bytes, sha256 ${entry.sha256}`,
      received: `${bytes.length} bytes, sha256 ${sha256}`,
      fix: "export the run again",
    });
  }
  return path;
}

/**
 * detectron2 config values for backbone.detectron2.pkl, as the release's detection config sets them
 * (configs/coco_R_50_C4_1x_moco.yaml: RGB input, pixel statistics in 0–255 units, stride on the 3x3 convolution).
 */
export function detectron2Config(spec: BackboneSpec): Record<string, string | number | boolean | number[]> {
  const depth = Number(spec.arch.replace("resnet", ""));
  return {
    "MODEL.WEIGHTS": "backbone.detectron2.pkl",
    "MODEL.RESNETS.DEPTH": depth,
    "MODEL.RESNETS.STEM_OUT_CHANNELS": spec.baseWidth,
    "MODEL.RESNETS.RES2_OUT_CHANNELS": spec.baseWidth * (depth >= 50 ? 4 : 1),
    "MODEL.RESNETS.STRIDE_IN_1X1": false,
    "MODEL.PIXEL_MEAN": spec.mean.map((m) => round3(m * 255)),
    "MODEL.PIXEL_STD": spec.std.map((s) => round3(s * 255)),
    "INPUT.FORMAT": "RGB",
    note: spec.cifarStem
      ? "trained with the CIFAR stem (3x3 stride-1 conv, no max-pool): detectron2's BasicStem (7x7 stride 2 + max-pool) does not fit stem.conv1.weight; use a custom stem, or pretrain without cifarStem for detection"
      : "as the release's detection config; the weights load with matching_heuristics like MoCo's",
  };
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}
