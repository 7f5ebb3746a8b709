import { MixmaskError } from "../errors.js";
import type { ImageDataset } from "./image-dataset.js";

/**
 * A labelled image dataset read on demand: every reader produces one per split. Labels and names are held in memory
 * (4 bytes per image); pixels are read when asked for, so a source over files larger than memory stays small.
 * `materialize` turns a source into an in-memory `ImageDataset` (resident upload); streaming mode reads batches.
 */
export interface ImageSource {
  /** Dataset name, e.g. "cifar10". */
  readonly name: string;
  /** Split name, e.g. "train", "test", "val". */
  readonly split: string;
  /** N, the number of images. */
  readonly count: number;
  /** H and W in pixels: every image of a source has this size. */
  readonly height: number;
  readonly width: number;
  /** C: 1 (grey) or 3 (RGB). */
  readonly channels: 1 | 3;
  /** N labels in [0, numClasses). */
  readonly labels: Int32Array;
  readonly numClasses: number;
  /** Human-readable name of each class, indexed by label. */
  readonly classNames: readonly string[];
  /**
   * The images at `indices`, in that order, as one buffer of indices.length·H·W·C bytes (each image HWC).
   * Rejects with INVALID_OPTION for an index outside [0, count), and with INVALID_FILE when the file behind an
   * image turned out to be bad (named, with its byte offset or index).
   */
  read(indices: ArrayLike<number>): Promise<Uint8Array>;
}

/** The train and test (or validation) split of a dataset, as every reader returns them. */
export interface DatasetSplits {
  train: ImageSource;
  /** The held-out split: "test" for CIFAR and Fashion-MNIST, "val" for Tiny-ImageNet and image folders. */
  test: ImageSource;
}

/** Bytes of one image of a source. */
export function imageBytes(s: { height: number; width: number; channels: number }): number {
  return s.height * s.width * s.channels;
}

/** Throws INVALID_OPTION naming the first index outside [0, count). */
export function checkIndices(source: { name: string; split: string; count: number }, indices: ArrayLike<number>): void {
  for (let i = 0; i < indices.length; i++) {
    const index = indices[i]!;
    if (!(Number.isInteger(index) && index >= 0 && index < source.count)) {
      throw new MixmaskError({
        code: "INVALID_OPTION",
        path: `${source.name}/${source.split}.read(indices[${i}])`,
        message: "image index out of range",
        expected: `an integer in [0, ${source.count - 1}]`,
        received: String(index),
      });
    }
  }
}

/** An in-memory dataset seen as a source (reads copy out of its pixel buffer). */
export function sourceOf(ds: ImageDataset): ImageSource {
  const size = imageBytes(ds);
  return {
    name: ds.name,
    split: ds.split,
    count: ds.count,
    height: ds.height,
    width: ds.width,
    channels: ds.channels,
    labels: ds.labels,
    numClasses: ds.numClasses,
    classNames: ds.classNames,
    async read(indices) {
      checkIndices(ds, indices);
      const out = new Uint8Array(indices.length * size);
      for (let i = 0; i < indices.length; i++) {
        const start = indices[i]! * size;
        out.set(ds.pixels.subarray(start, start + size), i * size);
      }
      return out;
    },
  };
}

/** The first `count` images of a source (all of them when it has fewer). */
export function headOf(source: ImageSource, count: number): ImageSource {
  const n = Math.min(count, source.count);
  if (n === source.count) return source;
  const labels = source.labels.subarray(0, n);
  return {
    name: source.name,
    split: source.split,
    count: n,
    height: source.height,
    width: source.width,
    channels: source.channels,
    labels,
    numClasses: source.numClasses,
    classNames: source.classNames,
    async read(indices) {
      checkIndices({ name: source.name, split: source.split, count: n }, indices);
      return source.read(indices);
    },
  };
}

export interface MaterializeOptions {
  /** Images read per call of `source.read`; bounds the extra memory while reading. Default 4096. */
  chunkImages?: number;
  /** Called after each chunk with the images read so far. */
  onImages?: (done: number, total: number) => void;
}

/** Reads every image of a source into one in-memory dataset (what a resident upload sends). */
export async function materialize(source: ImageSource, options: MaterializeOptions = {}): Promise<ImageDataset> {
  const chunk = Math.max(1, options.chunkImages ?? 4096);
  const size = imageBytes(source);
  const pixels = new Uint8Array(source.count * size);
  for (let start = 0; start < source.count; start += chunk) {
    const end = Math.min(source.count, start + chunk);
    const indices = Uint32Array.from({ length: end - start }, (_, i) => start + i);
    pixels.set(await source.read(indices), start * size);
    options.onImages?.(end, source.count);
  }
  return {
    name: source.name,
    split: source.split,
    count: source.count,
    height: source.height,
    width: source.width,
    channels: source.channels,
    pixels,
    labels: source.labels,
    numClasses: source.numClasses,
    classNames: [...source.classNames],
  };
}

/** Whether a value is an in-memory dataset (it carries its pixels) rather than a source. */
export function isImageDataset(value: ImageDataset | ImageSource): value is ImageDataset {
  return (value as ImageDataset).pixels instanceof Uint8Array;
}
