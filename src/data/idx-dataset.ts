import { basename } from "node:path";
import { MixmaskError } from "../errors.js";
import type { ImageDataset } from "./image-dataset.js";
import { readIdx } from "./idx.js";

/**
 * Any image dataset stored as an IDX pair (MNIST, Fashion-MNIST, KMNIST, EMNIST…): an images file of shape
 * (N, H, W) for grey or (N, H, W, C) with C = 1 or 3, and a labels file of shape (N). Raw or gzipped.
 */
export interface IdxDatasetOptions {
  imagesFile: string;
  labelsFile: string;
  /** Dataset name in ids and messages. Default: the images file's name. */
  name?: string;
  /** Split name. Default "train". */
  split?: string;
  /** Class names by label; their count bounds the labels. Default: "0", "1", … up to `numClasses`. */
  classNames?: string[];
  /** Number of classes when no names are given; labels must be below it. Default: the largest label + 1. */
  numClasses?: number;
}

export async function loadIdxDataset(options: IdxDatasetOptions): Promise<ImageDataset> {
  const { imagesFile, labelsFile } = options;
  const [images, labels] = await Promise.all([readIdx(imagesFile), readIdx(labelsFile)]);
  const rank = images.dims.length;
  const channels = rank === 4 ? images.dims[3]! : 1;
  if (!(rank === 3 || (rank === 4 && (channels === 1 || channels === 3)))) {
    throw new MixmaskError({
      code: "INVALID_FILE",
      path: `${imagesFile}@3`,
      message:
        "an IDX image file holds (count, height, width) or (count, height, width, channels) with 1 or 3 channels",
      expected: "3 dims, or 4 dims ending in 1 or 3",
      received: `${rank} dims (${images.dims.join("×")})`,
    });
  }
  if (labels.dims.length !== 1) {
    throw new MixmaskError({
      code: "INVALID_FILE",
      path: `${labelsFile}@3`,
      message: "an IDX label file holds a 1-d array",
      expected: "1 dim",
      received: `${labels.dims.length} dims`,
    });
  }
  const [count, height, width] = images.dims as [number, number, number];
  if (labels.dims[0] !== count) {
    throw new MixmaskError({
      code: "INVALID_FILE",
      path: `${labelsFile}@4`,
      message: "label count differs from the image count",
      expected: `${count} labels (as many as ${imagesFile} has images)`,
      received: `${labels.dims[0]} labels`,
    });
  }
  let numClasses = options.classNames?.length ?? options.numClasses;
  if (numClasses === undefined) {
    numClasses = 0;
    for (let i = 0; i < count; i++) numClasses = Math.max(numClasses, labels.data[i]! + 1);
  }
  // The data of a 1-d IDX file starts after its 8-byte header: label i is at byte 8 + i.
  for (let i = 0; i < count; i++) {
    const label = labels.data[i]!;
    if (label >= numClasses) {
      throw new MixmaskError({
        code: "INVALID_FILE",
        path: `${labelsFile}@${8 + i}`,
        message: `label of image ${i} is out of range`,
        expected: `label in [0, ${numClasses - 1}]`,
        received: String(label),
        fix: "pass the dataset's class names (or numClasses), or fix the label file",
      });
    }
  }
  return {
    name: options.name ?? basename(imagesFile).replace(/\.gz$/, ""),
    split: options.split ?? "train",
    count,
    height,
    width,
    channels: channels as 1 | 3,
    pixels: images.data,
    labels: Int32Array.from(labels.data),
    numClasses,
    classNames: options.classNames ?? Array.from({ length: numClasses }, (_, k) => String(k)),
  };
}
