import { createHash } from "node:crypto";
import type { ImageDataset } from "../data/image-dataset.js";
import type { Worker } from "./worker.js";

/** Content hash of a dataset: the id the worker keeps it under (same bytes → same id). */
export function datasetId(ds: ImageDataset): string {
  const h = createHash("sha256");
  h.update(`${ds.count}x${ds.height}x${ds.width}x${ds.channels};`);
  h.update(ds.pixels);
  h.update(new Uint8Array(ds.labels.buffer, ds.labels.byteOffset, ds.labels.byteLength));
  return `${ds.name}-${ds.split}-${h.digest("hex").slice(0, 16)}`;
}

/** Uploads once over the gRPC lane; the worker keeps the uint8 images resident on its device. */
export async function uploadDataset(worker: Worker, ds: ImageDataset, onBytes?: (sent: number, total: number) => void): Promise<{ id: string; placement: string }> {
  const id = datasetId(ds);
  const header = {
    datasetId: id,
    count: ds.count,
    height: ds.height,
    width: ds.width,
    channels: ds.channels,
    labels: ds.labels as unknown as number[],
    totalBytes: ds.pixels.length,
  };
  const info = await worker.client.uploadDataset(header, ds.pixels, (sent) => onBytes?.(sent, ds.pixels.length));
  return { id, placement: info.placement };
}
