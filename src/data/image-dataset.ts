import { MixmaskError } from "../errors.js";

/**
 * A labelled image dataset held in memory as uint8 pixels: the form every reader produces and the form uploaded to
 * the worker (proto DatasetHeader). All images share one size.
 */
export interface ImageDataset {
  /** Dataset name, e.g. "fashion-mnist". */
  name: string;
  /** Split name, e.g. "train" or "test". */
  split: string;
  /** N, the number of images. */
  count: number;
  /** H, image height in pixels. */
  height: number;
  /** W, image width in pixels. */
  width: number;
  /** C: 1 (grey) or 3 (RGB). Grey images are repeated to 3 channels by the worker before augmentation. */
  channels: 1 | 3;
  /** N·H·W·C bytes, images concatenated, each image HWC (row-major, channels innermost), 0…255. */
  pixels: Uint8Array;
  /** N labels in [0, numClasses). */
  labels: Int32Array;
  /** Number of classes; `classNames.length`. */
  numClasses: number;
  /** Human-readable name of each class, indexed by label. */
  classNames: string[];
}

/**
 * Per-channel mean and standard deviation (population, over every pixel of every image) in [0, 1] units — the
 * `Normalize` constants for this dataset. Always 3 values each, because the network input has 3 channels: for a
 * grey dataset the single channel's value is repeated ×3 (the worker repeats grey pixels to RGB).
 */
export function channelMeanStd(ds: ImageDataset): { mean: number[]; std: number[] } {
  const expectedBytes = ds.count * ds.height * ds.width * ds.channels;
  if (ds.count < 1 || ds.pixels.length !== expectedBytes) {
    throw new MixmaskError({
      code: "INVALID_OPTION",
      path: `${ds.name}/${ds.split}.pixels`,
      message:
        ds.count < 1
          ? "the mean and std of an empty dataset are undefined"
          : "pixel buffer length does not match count·height·width·channels",
      expected: `count ≥ 1 and ${expectedBytes} bytes`,
      received: `count ${ds.count}, ${ds.pixels.length} bytes`,
    });
  }
  // A 256-bin histogram per channel makes the sums exact integers, so the result does not depend on summation order.
  const c = ds.channels;
  const histograms = Array.from({ length: c }, () => new Float64Array(256));
  const pixels = ds.pixels;
  for (let ch = 0; ch < c; ch++) {
    const h = histograms[ch]!;
    for (let i = ch; i < pixels.length; i += c) h[pixels[i]!]! += 1;
  }
  const perPixel = pixels.length / c;
  const mean: number[] = [];
  const std: number[] = [];
  for (const h of histograms) {
    let sum = 0;
    for (let v = 0; v < 256; v++) sum += v * h[v]!;
    const m = sum / perPixel / 255;
    let squares = 0;
    for (let v = 0; v < 256; v++) squares += (v / 255 - m) ** 2 * h[v]!;
    mean.push(m);
    std.push(Math.sqrt(squares / perPixel));
  }
  if (c === 1) return { mean: [mean[0]!, mean[0]!, mean[0]!], std: [std[0]!, std[0]!, std[0]!] };
  return { mean, std };
}

/** The first `count` images of a dataset (views into the same memory, no copy). */
export function firstImages(ds: ImageDataset, count: number): ImageDataset {
  const n = Math.min(count, ds.count);
  const size = ds.height * ds.width * ds.channels;
  return { ...ds, count: n, pixels: ds.pixels.subarray(0, n * size), labels: ds.labels.subarray(0, n) };
}
