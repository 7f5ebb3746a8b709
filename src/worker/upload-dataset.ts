import { createHash } from "node:crypto";
import { endianness } from "node:os";
import type { ImageDataset } from "../data/image-dataset.js";
import { laneValue, type BulkLane, type LaneKind, type LanePreference } from "./bulk-lane.js";
import { withLane } from "./choose-lane.js";
import { clientOf, type Worker } from "./worker.js";

/**
 * sha256 (hex) of a dataset's content: "<count>x<height>x<width>x<channels>;" then the pixels, then the labels as
 * int32 little-endian. The worker computes the same digest over the bytes it receives and refuses a mismatch; its
 * dataset cache is keyed by it.
 */
export function contentSha256(ds: ImageDataset): string {
  const h = createHash("sha256");
  h.update(`${ds.count}x${ds.height}x${ds.width}x${ds.channels};`);
  h.update(ds.pixels);
  h.update(littleEndian(ds.labels));
  return h.digest("hex");
}

function littleEndian(labels: Int32Array): Uint8Array {
  if (endianness() === "LE") return new Uint8Array(labels.buffer, labels.byteOffset, labels.byteLength);
  const out = new DataView(new ArrayBuffer(labels.length * 4));
  labels.forEach((v, i) => out.setInt32(4 * i, v, true));
  return new Uint8Array(out.buffer);
}

/** Content-derived id the worker keeps a dataset under (same bytes → same id): name, split, 16 hex of the hash. */
export function datasetId(ds: ImageDataset, sha256 = contentSha256(ds)): string {
  return `${ds.name}-${ds.split}-${sha256.slice(0, 16)}`;
}

/** Progress of one transfer, for progress bars. */
export interface TransferProgress {
  /** What moves, e.g. "cifar10/train". */
  label: string;
  lane: LaneKind;
  sentBytes: number;
  totalBytes: number;
}

export interface UploadOptions {
  /** Transport of the pixels. Default "auto": zeromq when the worker has it, else gRPC. */
  lane?: LanePreference;
  /** Called as bytes leave (not called when the worker had the dataset already). */
  onProgress?: (p: TransferProgress) => void;
  /** Notes for the user, e.g. that "auto" took the gRPC lane because the zeromq endpoint was unreachable. */
  log?: (line: string) => void;
}

export interface UploadResult {
  /** The dataset id to name in CreateRun and Knn. */
  id: string;
  /** Where the worker keeps it: "cuda:0" or "cpu". */
  placement: string;
  lane: LaneKind;
  /** false: the bytes were sent; "resident": the worker held it in memory; "disk": it reloaded it from its cache. */
  cached: false | "resident" | "disk";
  bytesSent: number;
  seconds: number;
}

/**
 * Makes a dataset resident on the worker, sending its bytes only when the worker does not hold that content yet
 * (in memory, or in its on-disk dataset cache from an earlier process). The worker checks the content hash of what
 * arrives before keeping it.
 */
export async function uploadDataset(
  worker: Worker,
  ds: ImageDataset,
  options: UploadOptions = {},
): Promise<UploadResult> {
  const t0 = performance.now();
  const sha256 = contentSha256(ds);
  const id = datasetId(ds, sha256);
  const send = (lane: BulkLane) => sendOnLane(worker, ds, sha256, id, lane, options, t0);
  return withLane(clientOf(worker), worker.info.capabilities, options.lane, send, options.log);
}

async function sendOnLane(
  worker: Worker,
  ds: ImageDataset,
  sha256: string,
  id: string,
  lane: BulkLane,
  options: UploadOptions,
  t0: number,
): Promise<UploadResult> {
  const header = {
    datasetId: id,
    count: ds.count,
    height: ds.height,
    width: ds.width,
    channels: ds.channels,
    labels: ds.labels as unknown as number[],
    totalBytes: ds.pixels.length,
  };
  const begun = await clientOf(worker).beginUpload({ header, contentSha256: sha256, lane: laneValue(lane.kind) });
  const seconds = () => (performance.now() - t0) / 1000;
  if (begun.cached) {
    const source = begun.cacheSource === "disk" ? "disk" : "resident";
    return {
      id,
      placement: begun.dataset?.placement ?? "",
      lane: lane.kind,
      cached: source,
      bytesSent: 0,
      seconds: seconds(),
    };
  }
  const label = `${ds.name}/${ds.split}`;
  const total = ds.pixels.length;
  options.onProgress?.({ label, lane: lane.kind, sentBytes: 0, totalBytes: total });
  const info = await lane.sendUpload(begun, ds.pixels, (sent) =>
    options.onProgress?.({ label, lane: lane.kind, sentBytes: sent, totalBytes: total }),
  );
  return { id, placement: info.placement, lane: lane.kind, cached: false, bytesSent: total, seconds: seconds() };
}
