import type { ImageDataset } from "../data/image-dataset.js";
import { MixmaskError } from "../errors.js";

/** Images to embed: N uint8 HWC images of one size, concatenated. Every `ImageDataset` is one. */
export type ImageBatch = Pick<ImageDataset, "count" | "height" | "width" | "channels" | "pixels">;

/** Images [start, start + count) of a batch, without copying the pixels. */
export function sliceBatch(images: ImageBatch, start: number, count: number): ImageBatch {
  const size = images.height * images.width * images.channels;
  const n = Math.max(0, Math.min(count, images.count - start));
  return { ...images, count: n, pixels: images.pixels.subarray(start * size, (start + n) * size) };
}

/** Throws INVALID_OPTION unless the batch is N ≥ 1 images of 1 or 3 channels with N·H·W·C pixels. */
export function checkBatch(images: ImageBatch, path: string): void {
  const expected = images.count * images.height * images.width * images.channels;
  if (
    !(
      images.count >= 1 &&
      images.height >= 1 &&
      images.width >= 1 &&
      (images.channels === 1 || images.channels === 3) &&
      images.pixels.length === expected
    )
  ) {
    throw new MixmaskError({
      code: "INVALID_OPTION",
      path,
      message: "not a batch of uint8 HWC images",
      expected: "count ≥ 1, channels 1 or 3, count·height·width·channels pixel bytes",
      received: `count ${images.count}, ${images.height}x${images.width}x${images.channels}, ${images.pixels.length} bytes`,
    });
  }
}
