import { createHash } from "node:crypto";
import { mkdir, readFile, rename, unlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { crc32 } from "node:zlib";

/**
 * Decoded images on disk, keyed by the sha256 of the encoded file's bytes and the decoding variant (target size):
 * a second run over the same images reads raw pixels instead of decoding JPEG/PNG again, whatever the files are
 * named or wherever they moved. Each entry is one file, `<dir>/<key[0:2]>/<key>.rgb`:
 *
 *     "MMDI" | width uint32 LE | height uint32 LE | crc32 of the pixels uint32 LE | width·height·3 bytes RGB, HWC
 *
 * Written to a temporary name and renamed (no fsync: a cache needs atomicity, not durability); the header and the
 * checksum make a torn or damaged entry a miss, never wrong pixels.
 */
export class DecodedImageCache {
  constructor(readonly dir: string) {}

  /** The cache key of an encoded image under a decoding variant (e.g. "rgb-cover-64"). */
  static key(encoded: Uint8Array, variant: string): string {
    return createHash("sha256").update(`mixmask-decoded-v1;${variant};`).update(encoded).digest("hex");
  }

  path(key: string): string {
    return join(this.dir, key.slice(0, 2), `${key}.rgb`);
  }

  /** The cached image, or undefined when absent or damaged. */
  async get(key: string): Promise<{ width: number; height: number; pixels: Uint8Array } | undefined> {
    let bytes: Buffer;
    try {
      bytes = await readFile(this.path(key));
    } catch {
      return undefined;
    }
    if (bytes.length < HEADER_BYTES || bytes.toString("latin1", 0, 4) !== MAGIC) return undefined;
    const width = bytes.readUInt32LE(4);
    const height = bytes.readUInt32LE(8);
    const pixels = bytes.subarray(HEADER_BYTES);
    if (pixels.length !== width * height * 3 || crc32(pixels) !== bytes.readUInt32LE(12)) return undefined;
    return { width, height, pixels: new Uint8Array(pixels.buffer, pixels.byteOffset, pixels.byteLength) };
  }

  async put(key: string, width: number, height: number, pixels: Uint8Array): Promise<void> {
    const file = this.path(key);
    await mkdir(join(this.dir, key.slice(0, 2)), { recursive: true });
    const header = Buffer.alloc(HEADER_BYTES);
    header.write(MAGIC, 0, "latin1");
    header.writeUInt32LE(width, 4);
    header.writeUInt32LE(height, 8);
    header.writeUInt32LE(crc32(pixels), 12);
    counter = (counter + 1) % 1e9;
    const tmp = `${file}.${process.pid}.${counter}.tmp`;
    try {
      await writeFile(tmp, Buffer.concat([header, pixels]));
      await rename(tmp, file);
    } catch (error) {
      await unlink(tmp).catch(() => undefined);
      throw error;
    }
  }
}

const MAGIC = "MMDI";
const HEADER_BYTES = 16;
let counter = 0;
