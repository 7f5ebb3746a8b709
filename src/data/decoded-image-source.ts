import { readFile } from "node:fs/promises";
import { MixmaskError, type ErrorIssue } from "../errors.js";
import { DecodedImageCache } from "./decoded-image-cache.js";
import { decodeImage, decodeVariant, type DecodeTarget } from "./image-decoder.js";
import { checkIndices, type ImageSource } from "./image-source.js";

/** Bad images an error lists one by one; the rest are counted. */
export const LISTED_BAD_IMAGES = 10;

/** One image file of a split and its label. */
export interface LabelledImageFile {
  file: string;
  label: number;
}

export interface ImageFilesOptions {
  /** Decode to `size`×`size` (shorter side scaled, centre crop), or keep each image's own size (then all must match). */
  target: DecodeTarget;
  /** Where decoded pixels are cached by content hash (DecodedImageCache). */
  cacheDir: string;
  /** With `target.size` undefined, the size every image must have (e.g. Tiny-ImageNet's 64×64); else the first's. */
  nativeSize?: { width: number; height: number; why: string };
  /**
   * Skip images that cannot be used (wrong magic number, truncated, undecodable, wrong size) instead of failing, and
   * list them in the report. Default false: the first bad image (by index) is an error naming it; all are listed.
   */
  skipBadImages?: boolean;
  /** Files decoded at once (sharp runs them on libuv's thread pool). Default 4. */
  concurrency?: number;
  /** Called as images are checked. */
  onProgress?: (done: number, total: number) => void;
}

/** What opening a split did: how many images were decoded, found in the cache, or skipped (and why). */
export interface DecodeReport {
  images: number;
  decoded: number;
  fromCache: number;
  skipped: { file: string; index: number; reason: string }[];
}

interface CheckedImage {
  width: number;
  height: number;
  key: string;
}

/**
 * Opens a split of encoded image files: every file is read once, hashed, and decoded unless the cache holds it
 * (so errors surface now, naming the file, not halfway through training), then the source reads decoded pixels
 * from the cache on demand — memory stays flat however many images there are.
 */
export async function openImageFiles(
  name: string,
  split: string,
  entries: LabelledImageFile[],
  classNames: string[],
  options: ImageFilesOptions,
): Promise<{ source: ImageSource; report: DecodeReport }> {
  const cache = new DecodedImageCache(options.cacheDir);
  const variant = decodeVariant(options.target);
  const checked: (CheckedImage | MixmaskError)[] = new Array(entries.length);
  let decoded = 0;
  let fromCache = 0;
  let done = 0;
  let next = 0;
  const work = async (): Promise<void> => {
    while (next < entries.length) {
      const index = next++;
      const entry = entries[index]!;
      try {
        const bytes = await readEncoded(entry.file, `${split} image ${index}`);
        const key = DecodedImageCache.key(bytes, variant);
        const hit = await cache.get(key);
        if (hit) {
          fromCache++;
          checked[index] = { width: hit.width, height: hit.height, key };
        } else {
          const image = await decodeImage(bytes, entry.file, `${split} image ${index}`, options.target);
          await cache.put(key, image.width, image.height, image.pixels);
          decoded++;
          checked[index] = { width: image.width, height: image.height, key };
        }
      } catch (error) {
        if (!(error instanceof MixmaskError)) throw error;
        checked[index] = error;
      }
      options.onProgress?.(++done, entries.length);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, options.concurrency ?? 4) }, work));

  // Sizes are checked in index order once all are known, so the error names the same image however decodes raced.
  const expected =
    options.target.size !== undefined
      ? { width: options.target.size, height: options.target.size, why: "the declared decode size" }
      : (options.nativeSize ?? firstSize(entries, checked));
  for (let i = 0; i < checked.length; i++) {
    const c = checked[i];
    if (c && !(c instanceof MixmaskError) && expected && (c.width !== expected.width || c.height !== expected.height)) {
      checked[i] = new MixmaskError({
        code: "INVALID_FILE",
        path: entries[i]!.file,
        message: `${split} image ${i} has another size than the images before it (mixed image sizes)`,
        expected: `${expected.width}x${expected.height} pixels (${expected.why})`,
        received: `${c.width}x${c.height}`,
        fix: "declare a size to resize every image to (imageSize / --decode-size), or remove the odd image, or pass skipBadImages / --skip-bad-images",
      });
    }
  }

  const bad = checked.flatMap((c, i) => (c instanceof MixmaskError ? [{ index: i, error: c }] : []));
  if (bad.length > 0 && !options.skipBadImages) {
    const first = bad[0]!.error;
    // A folder of a thousand mixed sizes would print a thousand lines: the first few name the kind of fault.
    const issues: ErrorIssue[] = bad.slice(0, LISTED_BAD_IMAGES).map(({ error }) => ({
      path: error.path ?? "",
      message: error.issues[0]?.message ?? error.message,
      expected: error.expected,
      received: error.received,
    }));
    if (bad.length > LISTED_BAD_IMAGES) {
      issues.push({
        path: `${name} ${split}`,
        message: `and ${bad.length - LISTED_BAD_IMAGES} more images that cannot be used (not listed)`,
      });
    }
    throw new MixmaskError({
      code: "INVALID_FILE",
      path: first.path,
      message: `${bad.length} of ${entries.length} ${name} ${split} images cannot be used; the first: ${first.issues[0]?.message ?? first.message}`,
      expected: first.expected,
      received: first.received,
      issues,
      fix: first.fix,
    });
  }

  const kept: { entry: LabelledImageFile; image: CheckedImage }[] = [];
  for (let i = 0; i < entries.length; i++) {
    const c = checked[i]!;
    if (!(c instanceof MixmaskError)) kept.push({ entry: entries[i]!, image: c });
  }
  if (kept.length === 0) {
    throw new MixmaskError({
      code: "DATASET_MISSING",
      message: `${name} ${split}: no usable images (${entries.length} files, ${bad.length} bad)`,
      fix: "point the reader at a folder of .jpg/.jpeg/.png images",
    });
  }
  const width = expected?.width ?? kept[0]!.image.width;
  const height = expected?.height ?? kept[0]!.image.height;
  const report: DecodeReport = {
    images: kept.length,
    decoded,
    fromCache,
    skipped: bad.map(({ index, error }) => ({
      file: entries[index]!.file,
      index,
      reason: error.issues[0]?.message ?? error.message,
    })),
  };
  const labels = Int32Array.from(kept, (k) => k.entry.label);
  const imageSize = width * height * 3;

  const source: ImageSource = {
    name,
    split,
    count: kept.length,
    height,
    width,
    channels: 3,
    labels,
    numClasses: classNames.length,
    classNames,
    async read(indices) {
      checkIndices(source, indices);
      const out = new Uint8Array(indices.length * imageSize);
      let position = 0;
      const readOne = async (): Promise<void> => {
        while (position < indices.length) {
          const i = position++;
          const { entry, image } = kept[indices[i]!]!;
          const hit = await cache.get(image.key);
          // The cache may have been cleared since the split was opened: decode again rather than fail.
          const pixels =
            hit?.pixels ??
            (await redecode(cache, entry.file, `${split} image ${indices[i]}`, image.key, options.target)).pixels;
          out.set(pixels, i * imageSize);
        }
      };
      await Promise.all(Array.from({ length: Math.min(16, indices.length) }, readOne));
      return out;
    },
  };
  return { source, report };
}

function firstSize(
  entries: LabelledImageFile[],
  checked: (CheckedImage | MixmaskError)[],
): { width: number; height: number; why: string } | undefined {
  const i = checked.findIndex((c) => c !== undefined && !(c instanceof MixmaskError));
  if (i < 0) return undefined;
  const c = checked[i] as CheckedImage;
  return { width: c.width, height: c.height, why: `the size of the first image, ${entries[i]!.file}` };
}

async function readEncoded(file: string, where: string): Promise<Uint8Array> {
  try {
    return await readFile(file);
  } catch (error) {
    throw new MixmaskError({
      code: "INVALID_FILE",
      path: file,
      message: `${where}: unreadable file (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
      expected: "a readable JPEG or PNG file",
      received: (error as Error).message,
      fix: "check the file's permissions, or pass skipBadImages / --skip-bad-images to skip it and count it",
      cause: error,
    });
  }
}

async function redecode(
  cache: DecodedImageCache,
  file: string,
  where: string,
  key: string,
  target: DecodeTarget,
): Promise<{ pixels: Uint8Array }> {
  const bytes = await readEncoded(file, where);
  if (DecodedImageCache.key(bytes, decodeVariant(target)) !== key) {
    throw new MixmaskError({
      code: "INVALID_FILE",
      path: file,
      message: `${where} changed on disk after the dataset was opened`,
      fix: "re-open the dataset (restart the run) after changing its files",
    });
  }
  const image = await decodeImage(bytes, file, where, target);
  await cache.put(key, image.width, image.height, image.pixels);
  return image;
}
