import { readFile } from "node:fs/promises";
import { promisify } from "node:util";
import { gunzip } from "node:zlib";
import { MixmaskError } from "../errors.js";

/**
 * One array read from an IDX file (LeCun's MNIST format, also used by Fashion-MNIST). Only unsigned bytes (type 0x08)
 * are supported: that is what image and label files of these datasets hold.
 */
export interface IdxArray {
  /** Extent of each dimension, outermost first, e.g. [60000, 28, 28] for images or [60000] for labels. */
  dims: number[];
  /** The elements in row-major order; length is the product of `dims`. */
  data: Uint8Array;
}

/** IDX element types by their type byte, to name what a file holds when it is not unsigned bytes. */
const IDX_TYPES: Record<number, string> = {
  0x08: "unsigned byte",
  0x09: "signed byte",
  0x0b: "int16",
  0x0c: "int32",
  0x0d: "float32",
  0x0e: "float64",
};

/**
 * Parses the bytes of an uncompressed IDX file: 00 00 <type> <number of dims>, then each dim as a big-endian uint32,
 * then the data. Errors are MixmaskError INVALID_FILE with `path` = `${file}@${byteOffset}`, the offset where the
 * problem is (for a gzipped file, counted in the decompressed bytes).
 * @param bytes the whole file, already decompressed.
 * @param file the file's name, used only in error messages.
 */
export function parseIdx(bytes: Uint8Array, file: string): IdxArray {
  const fail = (offset: number, message: string, expected: string, received: string): never => {
    throw new MixmaskError({
      code: "INVALID_FILE",
      path: `${file}@${offset}`,
      message,
      expected,
      received,
      fix: "re-create or re-install the file; IDX files are 00 00 08 <dims> + big-endian uint32 dims + data",
    });
  };
  if (bytes.length < 4)
    fail(
      bytes.length,
      "truncated IDX header: the file ends inside the 4-byte magic number",
      "at least 4 bytes",
      `${bytes.length} bytes`,
    );
  const b0 = bytes[0]!;
  const b1 = bytes[1]!;
  const type = bytes[2]!;
  const rank = bytes[3]!;
  if (b0 !== 0 || b1 !== 0) {
    const gzipHint =
      b0 === 0x1f && b1 === 0x8b
        ? " (these are gzip's magic bytes: read the file with readIdx, which decompresses it)"
        : "";
    fail(
      0,
      `not an IDX file: wrong magic number${gzipHint}`,
      "00 00 08 0d (0d = number of dims, e.g. 03 for images, 01 for labels)",
      hex(bytes.subarray(0, 4)),
    );
  }
  if (type !== 0x08) {
    fail(
      2,
      `unsupported IDX element type 0x${hex2(type)} (${IDX_TYPES[type] ?? "not an IDX type"}); only unsigned bytes are supported`,
      "08 (unsigned byte)",
      `${hex2(type)}`,
    );
  }
  if (rank === 0) fail(3, "an IDX array needs at least one dimension", "number of dims ≥ 1", "0");
  const headerBytes = 4 + 4 * rank;
  if (bytes.length < headerBytes) {
    fail(
      bytes.length,
      `truncated IDX header: ${rank} dims need a ${headerBytes}-byte header`,
      `at least ${headerBytes} bytes`,
      `${bytes.length} bytes`,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dims: number[] = [];
  let elements = 1;
  for (let d = 0; d < rank; d++) {
    const dim = view.getUint32(4 + 4 * d, false);
    dims.push(dim);
    elements *= dim;
  }
  if (!Number.isSafeInteger(elements))
    fail(
      4,
      `dims ${dims.join("×")} describe more elements than can be addressed`,
      "a product of dims below 2^53",
      dims.join("×"),
    );
  const available = bytes.length - headerBytes;
  if (available < elements) {
    fail(
      bytes.length,
      `truncated IDX data: dims ${dims.join("×")} need ${elements} data bytes`,
      `${elements} data bytes (${headerBytes + elements} bytes in all)`,
      `${available} data bytes (${bytes.length} in all)`,
    );
  }
  if (available > elements) {
    fail(
      headerBytes + elements,
      `${available - elements} trailing bytes after the data that dims ${dims.join("×")} describe`,
      `${headerBytes + elements} bytes in all`,
      `${bytes.length} bytes`,
    );
  }
  // A plain Uint8Array view (not a Buffer subclass), sharing the file's memory: no copy of a 47 MB image file.
  return { dims, data: new Uint8Array(bytes.buffer, bytes.byteOffset + headerBytes, elements) };
}

/**
 * Reads an IDX file, raw or gzip-compressed (detected by the magic bytes 1f 8b, whatever the file name says).
 * A missing file is MixmaskError DATASET_MISSING; an unreadable, corrupt or truncated one is INVALID_FILE.
 * @param file path of the file.
 */
export async function readIdx(file: string): Promise<IdxArray> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(file);
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === "ENOENT";
    throw new MixmaskError({
      code: missing ? "DATASET_MISSING" : "INVALID_FILE",
      path: file,
      message: missing ? "file not found" : `cannot read the file (${(error as Error).message})`,
      cause: error,
    });
  }
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      bytes = await gunzipAsync(bytes);
    } catch (error) {
      // zlib does not say where corruption starts; truncation is at the end of what we have, anything else is
      // reported at the start of the gzip stream.
      const truncated = (error as NodeJS.ErrnoException).code === "Z_BUF_ERROR";
      throw new MixmaskError({
        code: "INVALID_FILE",
        path: `${file}@${truncated ? bytes.length : 0}`,
        message: truncated
          ? "truncated gzip stream: the file ends before the compressed data does"
          : `corrupt gzip stream (zlib: ${(error as Error).message})`,
        fix: "re-download or re-install the file",
        cause: error,
      });
    }
  }
  return parseIdx(bytes, file);
}

const gunzipAsync = promisify(gunzip);

function hex2(byte: number): string {
  return byte.toString(16).padStart(2, "0");
}

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, hex2).join(" ");
}
