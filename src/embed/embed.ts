import { MixmaskError } from "../errors.js";
import type { Worker } from "../worker/worker.js";
import { Embeddings } from "./embeddings.js";
import { checkBatch, sliceBatch, type ImageBatch } from "./image-batch.js";
import type { LoadedBackbone } from "./load-backbone.js";

/** Images already on the worker: an uploaded dataset (by its id), all of it or the given indices. */
export interface UploadedImages {
  datasetId: string;
  indices?: number[];
}

export interface EmbedOptions {
  /** L2-normalise every row (what k-NN and cosine search compare). Default false: the raw pooled features. */
  normalize?: boolean;
  /** Images per forward pass on the worker. Default 256. */
  batchSize?: number;
  /** Bytes of pixels sent per Embed call, for inline images (the gRPC message limit is 256 MiB). Default 64 MiB. */
  bytesPerCall?: number;
}

/**
 * Backbone features of images, computed by the worker with the preprocessing of its k-NN (evaluation/knn.py): grey repeated to
 * RGB, resized to the network's S × S when needed (bilinear, antialiased), normalised with the run's mean and std,
 * the backbone in eval mode. `model` is a run id on this worker (`"pretrain"` after `pretrain` on it) or a backbone
 * loaded with `loadBackbone`. Returns one row per image, in order.
 */
export async function embed(
  worker: Worker,
  model: string | LoadedBackbone,
  images: ImageBatch | UploadedImages,
  options: EmbedOptions = {},
): Promise<Embeddings> {
  const target = typeof model === "string" ? { runId: model } : { modelId: model.modelId };
  const common = { ...target, normalize: options.normalize ?? false, batchSize: options.batchSize ?? 256 };
  if ("datasetId" in images) {
    const reply = await worker.embed({
      ...common,
      dataset: { datasetId: images.datasetId, indices: images.indices ?? [] },
    });
    return new Embeddings(reply.count, reply.dim, featuresOf(reply.features));
  }
  checkBatch(images, "embed.images");
  const bytesPerImage = images.height * images.width * images.channels;
  const perCall = Math.max(1, Math.floor((options.bytesPerCall ?? 64 * 1024 * 1024) / bytesPerImage));
  const parts: Float32Array[] = [];
  let dim = 0;
  for (let start = 0; start < images.count; start += perCall) {
    const part = sliceBatch(images, start, perCall);
    const reply = await worker.embed({
      ...common,
      inline: {
        count: part.count,
        height: part.height,
        width: part.width,
        channels: part.channels,
        pixels: part.pixels,
      },
    });
    if (reply.count !== part.count) {
      throw new MixmaskError({
        code: "WORKER_ERROR",
        message: `Embed returned ${reply.count} rows for ${part.count} images`,
        fix: "a worker bug: please report it",
      });
    }
    dim = reply.dim;
    parts.push(featuresOf(reply.features));
  }
  const data = new Float32Array(images.count * dim);
  let offset = 0;
  for (const p of parts) {
    data.set(p, offset);
    offset += p.length;
  }
  return new Embeddings(images.count, dim, data);
}

/** float32 little-endian bytes (the wire format; every platform Node runs on here is little-endian) → a copy. */
function featuresOf(bytes: Uint8Array): Float32Array {
  // The message's bytes are a view into a larger (pooled) Buffer at any offset, and Buffer#slice does not copy:
  // copy them into a buffer of their own, aligned for float32.
  const copy = new Uint8Array(bytes.byteLength);
  copy.set(bytes);
  return new Float32Array(copy.buffer);
}
