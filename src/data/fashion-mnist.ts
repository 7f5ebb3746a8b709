import { access } from "node:fs/promises";
import { join } from "node:path";
import { MixmaskError, type ErrorIssue } from "../errors.js";
import {
  EMBEDDED_FASHION_MNIST,
  embeddedFashionMnistDir,
  verifyEmbeddedFashionMnist,
} from "./embedded-fashion-mnist.js";
import type { ImageDataset } from "./image-dataset.js";
import { readIdx, type IdxArray } from "./idx.js";

/** Where Debian's `dataset-fashion-mnist` package installs the four gzipped IDX files. */
export const FASHION_MNIST_DIR = "/usr/share/datasets/fashion-mnist";

/** Fashion-MNIST's classes, indexed by label (Xiao, Rasul & Vollgraf 2017). */
const CLASS_NAMES = [
  "T-shirt/top",
  "Trouser",
  "Pullover",
  "Dress",
  "Coat",
  "Sandal",
  "Shirt",
  "Sneaker",
  "Bag",
  "Ankle boot",
];

const SPLITS = [
  { split: "train", images: "train-images-idx3-ubyte", labels: "train-labels-idx1-ubyte", limit: "trainImages" },
  { split: "test", images: "t10k-images-idx3-ubyte", labels: "t10k-labels-idx1-ubyte", limit: "testImages" },
] as const;

export interface FashionMnistOptions {
  /**
   * Folder holding the four IDX files, raw or `.gz`. Default: FASHION_MNIST_DIR (Debian's full set) when it is
   * installed, else the embedded subset of the first 10 000 / 2 000 images (data/fashion-mnist-subset/).
   */
  dir?: string;
  /**
   * Keep only the first N training images (file order; Fashion-MNIST's file order is already class-mixed, so small N
   * stay roughly balanced). Positive integer; a value above the split size keeps the whole split. Default: all 60,000.
   */
  trainImages?: number;
  /** Keep only the first N test images, as `trainImages`. Default: all 10,000. */
  testImages?: number;
}

/** Where the images came from: a folder given, Debian's package, or the subset shipped with mixmask. */
export interface FashionMnistSource {
  kind: "dir" | "debian" | "embedded";
  dir: string;
  /** One line for logs: which files, how many images. */
  description: string;
}

/**
 * Loads Fashion-MNIST (28×28 grey, 10 classes) from IDX files: `train-images-idx3-ubyte`, `train-labels-idx1-ubyte`,
 * `t10k-images-idx3-ubyte`, `t10k-labels-idx1-ubyte`, each raw or with a `.gz` suffix (the raw name wins when both
 * exist). Checks that each split's image and label counts agree and that every label is below 10.
 * Missing files are MixmaskError DATASET_MISSING (listing every missing file); malformed ones are INVALID_FILE.
 */
export async function loadFashionMnist(
  options: FashionMnistOptions = {},
): Promise<{ train: ImageDataset; test: ImageDataset; source: FashionMnistSource }> {
  const source = await fashionMnistSource(options);
  const dir = source.dir;
  const limitIssues: ErrorIssue[] = [];
  for (const { limit } of SPLITS) {
    const value = options[limit];
    if (value !== undefined && !(Number.isInteger(value) && value >= 1)) {
      limitIssues.push({
        path: limit,
        message: `${limit} must be a positive integer`,
        expected: "integer ≥ 1",
        received: String(value),
      });
    }
  }
  if (limitIssues.length > 0) {
    const first = limitIssues[0]!;
    throw new MixmaskError({
      code: "INVALID_OPTION",
      path: first.path,
      message: first.message,
      expected: first.expected,
      received: first.received,
      issues: limitIssues,
    });
  }

  const names = SPLITS.flatMap((s) => [s.images, s.labels]);
  const found = await Promise.all(names.map((name) => locate(dir, name)));
  const missing = names.filter((_, i) => found[i] === undefined);
  if (missing.length > 0) {
    throw new MixmaskError({
      code: "DATASET_MISSING",
      path: dir,
      message: `Fashion-MNIST files not found in ${dir}: ${missing.join(", ")} (raw or .gz)`,
      issues: missing.map((name) => ({
        path: join(dir, name),
        message: "file not found (looked for the raw and the .gz name)",
      })),
      fix: "apt-get install dataset-fashion-mnist (Debian/Ubuntu) or pass --data-dir DIR holding the four IDX files",
    });
  }
  const files = found as string[];
  const arrays = await Promise.all(files.map((file) => readIdx(file)));
  const [train, test] = SPLITS.map((s, k) =>
    toDataset(s.split, files[2 * k]!, arrays[2 * k]!, files[2 * k + 1]!, arrays[2 * k + 1]!, options[s.limit]),
  );
  return { train: train!, test: test!, source };
}

/** The folder `loadFashionMnist` reads: `dir` when given, else Debian's when complete, else the embedded subset. */
export async function fashionMnistSource(
  options: FashionMnistOptions,
  debianDir = FASHION_MNIST_DIR,
): Promise<FashionMnistSource> {
  if (options.dir !== undefined)
    return { kind: "dir", dir: options.dir, description: `Fashion-MNIST from ${options.dir}` };
  const names = SPLITS.flatMap((s) => [s.images, s.labels]);
  const debian = await Promise.all(names.map((name) => locate(debianDir, name)));
  const embedded = embeddedFashionMnistDir();
  if (debian.some((f) => f === undefined) && embedded !== undefined) {
    verifyEmbeddedFashionMnist(embedded);
    const { trainImages, testImages } = EMBEDDED_FASHION_MNIST;
    return {
      kind: "embedded",
      dir: embedded,
      description:
        `Fashion-MNIST: the subset shipped with mixmask (first ${trainImages} train / ${testImages} test images, SHA-256 checked, ${embedded}); ` +
        "for all 60000 / 10000: apt-get install dataset-fashion-mnist, or --data-dir DIR",
    };
  }
  return {
    kind: "debian",
    dir: debianDir,
    description: `Fashion-MNIST from ${debianDir} (Debian's dataset-fashion-mnist)`,
  };
}

async function locate(dir: string, name: string): Promise<string | undefined> {
  for (const candidate of [join(dir, name), join(dir, `${name}.gz`)]) {
    try {
      await access(candidate);
      return candidate;
    } catch {
      // try the next spelling
    }
  }
  return undefined;
}

function toDataset(
  split: string,
  imagesFile: string,
  images: IdxArray,
  labelsFile: string,
  labels: IdxArray,
  limit: number | undefined,
): ImageDataset {
  if (images.dims.length !== 3) {
    throw new MixmaskError({
      code: "INVALID_FILE",
      path: `${imagesFile}@3`,
      message: "an image file must hold a 3-d array (count, height, width)",
      expected: "3 dims",
      received: `${images.dims.length} dims`,
    });
  }
  if (labels.dims.length !== 1) {
    throw new MixmaskError({
      code: "INVALID_FILE",
      path: `${labelsFile}@3`,
      message: "a label file must hold a 1-d array",
      expected: "1 dim",
      received: `${labels.dims.length} dims`,
    });
  }
  const [total, height, width] = images.dims as [number, number, number];
  if (labels.dims[0] !== total) {
    throw new MixmaskError({
      code: "INVALID_FILE",
      path: `${labelsFile}@4`,
      message: "label count differs from the image count",
      expected: `${total} labels (as many as ${imagesFile} has images)`,
      received: `${labels.dims[0]} labels`,
    });
  }
  for (let i = 0; i < total; i++) {
    const label = labels.data[i]!;
    if (label >= CLASS_NAMES.length) {
      throw new MixmaskError({
        code: "INVALID_FILE",
        path: `${labelsFile}@${8 + i}`,
        message: `label of image ${i} is out of range`,
        expected: `label in [0, ${CLASS_NAMES.length - 1}]`,
        received: String(label),
      });
    }
  }
  const count = limit === undefined ? total : Math.min(limit, total);
  const imageBytes = height * width;
  // With a limit, copy the kept prefix so the rest of the decompressed file can be garbage-collected.
  const pixels = count === total ? images.data : images.data.slice(0, count * imageBytes);
  return {
    name: "fashion-mnist",
    split,
    count,
    height,
    width,
    channels: 1,
    pixels,
    labels: Int32Array.from(labels.data.subarray(0, count)),
    numClasses: CLASS_NAMES.length,
    classNames: [...CLASS_NAMES],
  };
}
