import { readdir, stat } from "node:fs/promises";
import { extname, join } from "node:path";
import { MixmaskError } from "../errors.js";
import { mixmaskCacheDir } from "../io/cache-dir.js";
import { Rng } from "../random/rng.js";
import { openImageFiles, type DecodeReport, type LabelledImageFile } from "./decoded-image-source.js";
import type { DatasetSplits } from "./image-source.js";

/**
 * Your own images, ImageNet-style: one sub-folder per class, JPEG or PNG files inside (at any depth). Two layouts:
 *
 *     DIR/train/<class>/…   DIR/val/<class>/…     splits given (val may also be named validation/ or test/)
 *     DIR/<class>/…                               one pool: a seeded, per-class holdout becomes the validation split
 *
 * Classes are the sub-folder names sorted (torchvision's ImageFolder order), so label k names the same class in
 * both splits. Files other than .jpg/.jpeg/.png are not images and are counted in the report, not read.
 */
export interface ImageFolderOptions {
  dir: string;
  /**
   * Side S of the decoded images: each is scaled so its shorter side is S and centre-cropped to S×S. Omitted: images
   * keep their own size, and they must all share it (a mixed size is an error naming the file).
   */
  imageSize?: number;
  /** Cache of decoded pixels by content hash. Default `<mixmask cache>/decoded-images` (io/cache-dir.ts). */
  cacheDir?: string;
  /** Skip unusable images (counted and listed in the report) instead of failing on the first. Default false. */
  skipBadImages?: boolean;
  /** One-pool layout: fraction of each class held out as the validation split, in [0, 1). Default 0.1. */
  validationFraction?: number;
  /** One-pool layout: seed of the holdout draw. Default 0. */
  seed?: number;
  /** Dataset name in ids and messages. Default "image-folder". */
  name?: string;
  /** Progress of the decode pass: split, images checked, total. */
  onProgress?: (split: string, done: number, total: number) => void;
}

export interface ImageFolderSplits extends DatasetSplits {
  report: { train: DecodeReport; test: DecodeReport; ignoredFiles: string[] };
}

const IMAGE_EXTENSIONS = new Set([".jpg", ".jpeg", ".png"]);
const VALIDATION_FOLDERS = ["val", "validation", "test"];

export async function loadImageFolder(options: ImageFolderOptions): Promise<ImageFolderSplits> {
  const { dir } = options;
  const name = options.name ?? "image-folder";
  const fraction = options.validationFraction ?? 0.1;
  if (!(fraction >= 0 && fraction < 1)) {
    throw new MixmaskError({
      code: "INVALID_OPTION",
      path: "validationFraction",
      message: "the held-out fraction must be in [0, 1)",
      expected: "a number in [0, 1)",
      received: String(fraction),
    });
  }
  if (
    options.imageSize !== undefined &&
    !(Number.isInteger(options.imageSize) && options.imageSize >= 1 && options.imageSize <= 4096)
  ) {
    throw new MixmaskError({
      code: "INVALID_OPTION",
      path: "imageSize",
      message: "the decode size must be a positive integer",
      expected: "an integer in [1, 4096]",
      received: String(options.imageSize),
    });
  }
  if (!(await isDirectory(dir))) {
    throw new MixmaskError({
      code: "DATASET_MISSING",
      path: dir,
      message: `no folder ${dir}`,
      fix: "pass --data-dir a folder holding one sub-folder of images per class (or train/ and val/ folders of those)",
    });
  }
  const ignoredFiles: string[] = [];
  const trainDir = join(dir, "train");
  let train: LabelledImageFile[];
  let test: LabelledImageFile[];
  let classNames: string[];
  if (await isDirectory(trainDir)) {
    classNames = await classFolders(trainDir);
    train = await listClassImages(trainDir, classNames, ignoredFiles);
    const valDir = await firstDirectory(VALIDATION_FOLDERS.map((f) => join(dir, f)));
    if (valDir) {
      const valClasses = await classFolders(valDir, false);
      const unknown = valClasses.filter((c) => !classNames.includes(c));
      if (unknown.length > 0) {
        throw new MixmaskError({
          code: "INVALID_FILE",
          path: join(valDir, unknown[0]!),
          message: `the validation split has class folders the training split lacks: ${unknown.join(", ")}`,
          expected: `class folders among those of ${trainDir}: ${classNames.join(", ")}`,
          received: unknown.join(", "),
          fix: "give every class a training folder, or remove the extra validation folders",
        });
      }
      test = await listClassImages(valDir, valClasses, ignoredFiles, classNames);
    } else {
      ({ train, test } = holdout(train, classNames.length, fraction, options.seed ?? 0));
    }
  } else {
    classNames = await classFolders(dir);
    ({ train, test } = holdout(
      await listClassImages(dir, classNames, ignoredFiles),
      classNames.length,
      fraction,
      options.seed ?? 0,
    ));
  }
  const common = {
    target: { size: options.imageSize },
    cacheDir: options.cacheDir ?? join(mixmaskCacheDir(), "decoded-images"),
    skipBadImages: options.skipBadImages,
  };
  const trainOpened = await openImageFiles(name, "train", train, classNames, {
    ...common,
    onProgress: (d, t) => options.onProgress?.("train", d, t),
  });
  if (test.length === 0) {
    throw new MixmaskError({
      code: "DATASET_MISSING",
      path: dir,
      message: `${name}: the validation split is empty`,
      fix: "add a val/ folder, or raise validationFraction so each class holds some images out",
    });
  }
  // Validation images must have the training images' size, whatever the first validation image says.
  const nativeSize =
    options.imageSize === undefined
      ? { width: trainOpened.source.width, height: trainOpened.source.height, why: "the size of the training images" }
      : undefined;
  const testOpened = await openImageFiles(name, "val", test, classNames, {
    ...common,
    nativeSize,
    onProgress: (d, t) => options.onProgress?.("val", d, t),
  });
  return {
    train: trainOpened.source,
    test: testOpened.source,
    report: { train: trainOpened.report, test: testOpened.report, ignoredFiles },
  };
}

/** Sub-folder names, sorted; at least one unless `required` is false. */
async function classFolders(dir: string, required = true): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const names = entries
    .filter((e) => e.isDirectory() && !e.name.startsWith("."))
    .map((e) => e.name)
    .sort();
  if (required && names.length === 0) {
    throw new MixmaskError({
      code: "DATASET_MISSING",
      path: dir,
      message: "no class folders: an image folder holds one sub-folder of images per class",
      fix: "arrange the images as DIR/<class>/<image>.jpg",
    });
  }
  return names;
}

/** Every image under each class folder (recursively, sorted), labelled by the class's index in `labelOrder`. */
async function listClassImages(
  dir: string,
  classes: string[],
  ignored: string[],
  labelOrder: string[] = classes,
): Promise<LabelledImageFile[]> {
  const out: LabelledImageFile[] = [];
  for (const c of classes) {
    const label = labelOrder.indexOf(c);
    for (const file of await walk(join(dir, c), ignored)) out.push({ file, label });
  }
  return out;
}

async function walk(dir: string, ignored: string[]): Promise<string[]> {
  const entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) =>
    a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
  );
  const files: string[] = [];
  for (const e of entries) {
    const path = join(dir, e.name);
    if (e.isDirectory()) files.push(...(await walk(path, ignored)));
    else if (IMAGE_EXTENSIONS.has(extname(e.name).toLowerCase())) files.push(path);
    else ignored.push(path);
  }
  return files;
}

/** A seeded per-class holdout: the same seed holds out the same files on every machine. */
function holdout(
  all: LabelledImageFile[],
  numClasses: number,
  fraction: number,
  seed: number,
): { train: LabelledImageFile[]; test: LabelledImageFile[] } {
  const heldOut = new Set<number>();
  for (let c = 0; c < numClasses; c++) {
    const members = all.flatMap((e, i) => (e.label === c ? [i] : []));
    const order = Rng.stream(seed, "image-folder-holdout", c).permutation(members.length);
    const k = Math.round(fraction * members.length);
    for (let j = 0; j < k; j++) heldOut.add(members[order[j]!]!);
  }
  return { train: all.filter((_, i) => !heldOut.has(i)), test: all.filter((_, i) => heldOut.has(i)) };
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

async function firstDirectory(paths: string[]): Promise<string | undefined> {
  for (const p of paths) if (await isDirectory(p)) return p;
  return undefined;
}
