import { MixmaskError } from "../errors.js";
import { importOptional } from "../optional-dependency.js";

/** One decoded image: RGB, HWC, 0…255. */
export interface DecodedImage {
  width: number;
  height: number;
  pixels: Uint8Array;
}

/**
 * How images are decoded: to their own size (`size` undefined) or resized to `size`×`size` — scaled so the shorter
 * side is `size`, then centre-cropped (sharp's `fit: "cover"`), so no image is distorted. Grey and palette images
 * become RGB, alpha is dropped, EXIF orientation is applied.
 */
export interface DecodeTarget {
  size?: number;
}

/** The cache variant of a target: decoded pixels differ per target, so the cache key includes it. */
export function decodeVariant(target: DecodeTarget): string {
  return target.size === undefined ? "rgb-native" : `rgb-cover-${target.size}`;
}

const JPEG_MAGIC = [0xff, 0xd8, 0xff];
const PNG_MAGIC = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/**
 * Decodes a JPEG or PNG file's bytes with sharp (libvips). Errors are INVALID_FILE naming the file (and the image's
 * index in its split, `where`): a wrong magic number at offset 0, a truncated file, or what libvips could not decode.
 * Strict on purpose: libvips' warnings (e.g. a JPEG missing its end) are failures, not silently grey pixels.
 * @param bytes the whole encoded file.
 * @param file its path, for messages.
 * @param where e.g. "train image 17", for messages.
 */
export async function decodeImage(
  bytes: Uint8Array,
  file: string,
  where: string,
  target: DecodeTarget,
): Promise<DecodedImage> {
  const isJpeg = startsWith(bytes, JPEG_MAGIC);
  if (!isJpeg && !startsWith(bytes, PNG_MAGIC)) {
    throw new MixmaskError({
      code: "INVALID_FILE",
      path: `${file}@0`,
      message: `${where} is not a JPEG or PNG image: wrong magic number`,
      expected: "ff d8 ff (JPEG) or 89 50 4e 47 0d 0a 1a 0a (PNG)",
      received:
        bytes.length === 0
          ? "an empty file"
          : Array.from(bytes.subarray(0, 8), (b) => b.toString(16).padStart(2, "0")).join(" "),
      fix: "remove or convert the file (image folders hold .jpg, .jpeg or .png files), or pass skipBadImages / --skip-bad-images to skip it and count it",
    });
  }
  const sharp = await loadSharp();
  try {
    let image = sharp(bytes, { failOn: "warning" }).rotate();
    if (target.size !== undefined) image = image.resize(target.size, target.size, { fit: "cover", position: "centre" });
    const { data, info } = await image.removeAlpha().toColourspace("srgb").raw().toBuffer({ resolveWithObject: true });
    if (info.channels !== 3) throw new Error(`decoded to ${info.channels} channels instead of 3`);
    return {
      width: info.width,
      height: info.height,
      pixels: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
    };
  } catch (error) {
    const reason = (error as Error).message;
    const truncated =
      lacksEnd(bytes, isJpeg) || /premature end|end of stream|truncat|unexpected end|not enough data/i.test(reason);
    throw new MixmaskError({
      code: "INVALID_FILE",
      path: truncated ? `${file}@${bytes.length}` : file,
      message: `${where}: ${truncated ? "truncated image file: the data ends before the image does" : "cannot decode the image"}`,
      expected: `a complete ${isJpeg ? "JPEG" : "PNG"} image`,
      received: `${bytes.length} bytes that libvips rejects (${reason.split("\n")[0]})`,
      fix: "re-copy or re-export the file, or pass skipBadImages / --skip-bad-images to skip it and count it",
      cause: error,
    });
  }
}

const PNG_END = [0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82]; // "IEND" and its CRC: the last 8 bytes of a PNG

/**
 * Whether a file that failed to decode lacks its format's end marker (PNG's IEND chunk, JPEG's FF D9), i.e. was cut
 * short. libvips reports such files with a generic warning; naming the truncation tells the user what happened.
 */
function lacksEnd(bytes: Uint8Array, isJpeg: boolean): boolean {
  if (!isJpeg) return !PNG_END.every((b, i) => bytes[bytes.length - PNG_END.length + i] === b);
  // A JPEG may carry padding after its end marker: look for FF D9 near the end.
  for (let i = bytes.length - 2; i >= Math.max(0, bytes.length - 64); i--)
    if (bytes[i] === 0xff && bytes[i + 1] === 0xd9) return false;
  return true;
}

function startsWith(bytes: Uint8Array, magic: number[]): boolean {
  return bytes.length >= magic.length && magic.every((b, i) => bytes[i] === b);
}

type Sharp = typeof import("sharp");

/**
 * sharp is loaded on first use: it is a native addon, and readers that decode nothing (CIFAR, IDX, synthetic) and
 * the bundled CLI on machines without it must not need it.
 */
function loadSharp(): Promise<Sharp> {
  return importOptional("sharp", async () => {
    const m = (await import("sharp")) as unknown as { default?: Sharp };
    return m.default ?? (m as unknown as Sharp);
  });
}
