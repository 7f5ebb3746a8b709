import { createHash } from "node:crypto";
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { mixmaskCacheDir } from "../io/cache-dir.js";
import { writeFileAtomic } from "../io/atomic-write.js";
import type { FeatureSource, KnnResult } from "./knn.js";
import type { LinearProbeResult } from "./linear-probe.js";

/** A k-NN result as baselines.json records it: which features, and the bank and query counts spelled out. */
export interface BaselineKnn extends KnnResult {
  features: FeatureSource;
  bankImages: number;
  testImages: number;
}

export interface BaselineResults {
  knn: BaselineKnn;
  linearProbe: LinearProbeResult | null;
}

/**
 * What a trained encoder is measured against (baselines.json, summary.json `baselines`): the centred pixels and the
 * untrained encoder, under the same protocols, split and seed as the trained encoder.
 */
export interface RunBaselines {
  pixels: BaselineResults & { description: string; cached: boolean };
  untrained: BaselineResults;
}

/** Everything the pixel baseline's numbers depend on: the cache key. */
export interface PixelBaselineKey {
  /** Dataset ids of the bank and the queries; each carries its content hash (src/worker/upload-dataset.ts). */
  bankId: string;
  testId: string;
  knn: { k: number; temperature: number };
  /** The probe's settings (epochs, lr, seed, ...), or null when the run measures no probe. */
  linearProbe: Readonly<Record<string, unknown>> | null;
}

export interface PixelBaselineMeasures {
  knn(): Promise<KnnResult>;
  linearProbe(): Promise<LinearProbeResult>;
}

export const PIXEL_FEATURES_DESCRIPTION =
  "each image's pixels / 255 at the dataset's own size, minus the bank's (training images') mean image";

/** Bumped whenever the worker computes pixel features differently, so older cache entries are not read. */
const CACHE_VERSION = 1;

/**
 * k-NN and linear probe on centred pixels, measured on the worker once per (dataset content, protocol) and cached as
 * JSON under `cacheDir` (default: the mixmask cache folder's `pixel-baselines/`), so a second run reads them back.
 * An unreadable or mismatching cache entry is measured again and replaced.
 */
export async function pixelBaseline(
  measure: PixelBaselineMeasures,
  key: PixelBaselineKey,
  options: { cacheDir?: string; log?: (line: string) => void } = {},
): Promise<RunBaselines["pixels"]> {
  const dir = options.cacheDir ?? join(mixmaskCacheDir(), "pixel-baselines");
  const wanted = JSON.stringify({ version: CACHE_VERSION, ...key });
  const file = join(dir, `${createHash("sha256").update(wanted).digest("hex").slice(0, 32)}.json`);
  const hit = readCached(file, wanted);
  if (hit) return { ...hit, description: PIXEL_FEATURES_DESCRIPTION, cached: true };
  const knn = await measure.knn();
  const linearProbe = key.linearProbe ? await measure.linearProbe() : null;
  const results: BaselineResults = { knn: baselineKnn(knn, "centred-pixels"), linearProbe };
  try {
    mkdirSync(dir, { recursive: true });
    writeFileAtomic(file, JSON.stringify({ key: JSON.parse(wanted) as unknown, ...results }, null, 2));
  } catch (error) {
    // A cache that cannot be written costs the next run a recomputation, nothing else.
    options.log?.(
      `pixel baseline not cached (${(error as NodeJS.ErrnoException).code ?? (error as Error).message} at ${file})`,
    );
  }
  return { ...results, description: PIXEL_FEATURES_DESCRIPTION, cached: false };
}

export function baselineKnn(r: KnnResult, features: FeatureSource): BaselineKnn {
  return { ...r, features, bankImages: r.trainCount, testImages: r.testCount };
}

function readCached(file: string, wanted: string): BaselineResults | undefined {
  let entry: { key?: unknown } & Partial<BaselineResults>;
  try {
    entry = JSON.parse(readFileSync(file, "utf8")) as typeof entry;
  } catch {
    return undefined;
  }
  if (JSON.stringify(entry.key) !== wanted || !entry.knn || entry.linearProbe === undefined) return undefined;
  return { knn: entry.knn, linearProbe: entry.linearProbe };
}

/**
 * The trained encoder's shortfalls against the centred pixels, in words (empty when it beats them on every protocol
 * both were measured with): a trained encoder that does not beat its own input is no better index than no model.
 */
export function belowPixels(
  pixels: BaselineResults | undefined,
  trained: { knn: KnnResult; linearProbe?: LinearProbeResult },
): string[] {
  if (!pixels) return [];
  const out: string[] = [];
  const points = (a: number, b: number): string => `${((a - b) * 100).toFixed(2)} points`;
  if (trained.knn.top1 <= pixels.knn.top1) {
    out.push(
      `the trained encoder's k-NN top-1 ${trained.knn.top1.toFixed(4)} does not beat the centred pixels' ` +
        `${pixels.knn.top1.toFixed(4)} (${points(trained.knn.top1, pixels.knn.top1)}): as a k-NN index it is worse than no model`,
    );
  }
  if (trained.linearProbe && pixels.linearProbe && trained.linearProbe.lastTop1 <= pixels.linearProbe.lastTop1) {
    out.push(
      `the trained encoder's linear probe top-1 ${trained.linearProbe.lastTop1.toFixed(4)} (last epoch) does not beat ` +
        `the centred pixels' ${pixels.linearProbe.lastTop1.toFixed(4)} (${points(trained.linearProbe.lastTop1, pixels.linearProbe.lastTop1)})`,
    );
  }
  return out;
}

/** "pixel baseline (centred pixels, cached): k-NN top-1 0.7910, linear probe top-1 0.8135" for logs. */
export function describePixelBaseline(p: RunBaselines["pixels"]): string {
  const probe = p.linearProbe ? `, linear probe top-1 ${p.linearProbe.lastTop1.toFixed(4)} (last epoch)` : "";
  return `pixel baseline (centred pixels${p.cached ? ", from the cache" : ""}): k-NN top-1 ${p.knn.top1.toFixed(4)}${probe}`;
}
