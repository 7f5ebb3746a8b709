import { createHash } from "node:crypto";
import { existsSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import type { PretrainConfig } from "../config/pretrain-config.js";
import { MixmaskError } from "../errors.js";
import type { KnnResult } from "../eval/knn.js";
import type { LinearProbeResult } from "../eval/linear-probe.js";
import type { RunDirectory } from "./run-directory.js";
import type { TrainerState } from "./trainer-state.js";

export const MANIFEST_FORMAT = "mixmask-checkpoint";
export const MANIFEST_VERSION = 2;

/**
 * One checkpoint, described by one versioned manifest: the TypeScript state (step, sampler, random streams, schedule
 * position, config) inline, and the worker state (query encoder, momentum encoder, optimizer, queue) in the .pt file
 * it names with its size and SHA-256. The manifest carries its own SHA-256 (`checksum`, over the other fields), so a
 * damaged or hand-edited manifest is refused instead of resuming something else.
 *
 * Written as checkpoints/step-NNNNNNN.json beside its .pt file, then as checkpoints/latest.json, each atomically
 * (temporary file, fsync, rename): a crash or a full disk at any moment leaves the previous latest.json and the
 * files it names intact.
 */
export interface CheckpointManifest {
  format: typeof MANIFEST_FORMAT;
  version: typeof MANIFEST_VERSION;
  sdkVersion: string;
  protocolVersion: number;
  writtenAt: string;
  /** Steps done; the resumed run continues with this step. */
  step: number;
  config: PretrainConfig;
  trainer: TrainerState;
  worker: { file: string; bytes: number; sha256: string; holds: string[] };
  knnInit: KnnResult;
  /** The untrained encoder's linear probe, when the run measures one (absent in manifests of earlier versions). */
  linearProbeInit?: LinearProbeResult;
  checksum: string;
}

export type UnsignedManifest = Omit<CheckpointManifest, "format" | "version" | "checksum">;

const LATEST = "checkpoints/latest.json";
/** What the worker's .pt holds (training/run.py save()). */
export const WORKER_STATE_PARTS = [
  "online encoder",
  "predictor (BYOL, SimSiam)",
  "momentum encoder (MoCo, BYOL)",
  "optimizer (SGD momentum buffers)",
  "key queue (MoCo)",
];

export function checkpointFileName(step: number, extension: "pt" | "json"): string {
  return `step-${String(step).padStart(7, "0")}.${extension}`;
}

/** JSON with keys sorted at every level: the same object always gives the same bytes to hash. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

function checksumOf(manifest: Omit<CheckpointManifest, "checksum">): string {
  return createHash("sha256").update(canonicalJson(manifest)).digest("hex");
}

export function signManifest(fields: UnsignedManifest): CheckpointManifest {
  const unsigned = { format: MANIFEST_FORMAT, version: MANIFEST_VERSION, ...fields } as const;
  return { ...unsigned, checksum: checksumOf(unsigned) };
}

/** Writes the step's own manifest, then latest.json, each atomically. */
export function writeCheckpointManifest(runDir: RunDirectory, manifest: CheckpointManifest): void {
  runDir.writeJson(`checkpoints/${checkpointFileName(manifest.step, "json")}`, manifest);
  runDir.writeJson(LATEST, manifest);
}

/** The latest checkpoint's manifest, verified; undefined when the run has none. */
export function readCheckpointManifest(runDir: RunDirectory, name = LATEST): CheckpointManifest | undefined {
  const file = runDir.file(name);
  if (!existsSync(file)) return undefined;
  const invalid = (message: string, fix: string): MixmaskError =>
    new MixmaskError({ code: "INVALID_FILE", path: file, message, fix });
  const fallback = previousManifests(runDir).find((f) => `checkpoints/${f}` !== name);
  const useFallback = fallback
    ? `the manifest of an earlier checkpoint is checkpoints/${fallback}: copy it over checkpoints/latest.json to resume from there, or start a new run directory`
    : "start a new run directory";
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    throw invalid(`the checkpoint manifest is corrupt (not JSON: ${(error as Error).message})`, useFallback);
  }
  const m = parsed as Partial<CheckpointManifest> & { version?: unknown };
  if (!m || typeof m !== "object" || (m.format !== MANIFEST_FORMAT && (m.version as unknown) !== 1)) {
    throw invalid("not a mixmask checkpoint manifest", useFallback);
  }
  if (m.version !== MANIFEST_VERSION) {
    throw invalid(
      `checkpoint manifest version ${String(m.version)}; this SDK reads version ${MANIFEST_VERSION}`,
      "resume with the mixmask version that wrote the checkpoint, or start a new run directory",
    );
  }
  const { checksum, ...rest } = m as CheckpointManifest;
  if (typeof checksum !== "string" || checksumOf(rest) !== checksum) {
    throw invalid(
      "the checkpoint manifest is corrupt or was edited: its checksum does not match its content",
      useFallback,
    );
  }
  const manifest = m as CheckpointManifest;
  if (!existsSync(join(runDir.checkpointsDir, manifest.worker.file))) {
    // The step's own manifest names the same missing file: only an earlier checkpoint is a way out.
    const own = checkpointFileName(manifest.step, "json");
    const earlier = previousManifests(runDir).find((f) => f < own);
    const way = earlier
      ? `the manifest of an earlier checkpoint is checkpoints/${earlier}: copy it over checkpoints/latest.json to resume from there, or start a new run directory`
      : "start a new run directory";
    throw invalid(
      `names the worker state ${manifest.worker.file}, which is missing`,
      `restore ${manifest.worker.file}, or ${way}`,
    );
  }
  return manifest;
}

/** Manifests of individual checkpoints, newest first. */
function previousManifests(runDir: RunDirectory): string[] {
  return readdirSync(runDir.checkpointsDir)
    .filter((f) => /^step-\d+\.json$/.test(f))
    .sort()
    .reverse();
}

/**
 * Deletes all but the newest `keep` checkpoints (.pt and its .json; names sort by step), never the one latest.json
 * names. Called only after latest.json moved on, so the previous checkpoint survives any failure of the newest.
 */
export function pruneCheckpoints(runDir: RunDirectory, keep: number, current: string): void {
  const files = readdirSync(runDir.checkpointsDir)
    .filter((f) => /^step-\d+\.pt$/.test(f))
    .sort();
  for (const f of files.slice(0, Math.max(0, files.length - keep))) {
    if (f === current) continue;
    rmSync(join(runDir.checkpointsDir, f), { force: true });
    rmSync(join(runDir.checkpointsDir, f.replace(/\.pt$/, ".json")), { force: true });
  }
}
