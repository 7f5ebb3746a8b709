import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MixmaskError } from "../../src/errors.js";
import { parseIdx, readIdx } from "../../src/data/idx.js";

/** Builds IDX bytes: 00 00 <type> <rank>, big-endian uint32 dims, data. */
function idxBytes(dims: number[], data: number[], type = 0x08): Uint8Array {
  const header = new Uint8Array(4 + 4 * dims.length);
  header[2] = type;
  header[3] = dims.length;
  const view = new DataView(header.buffer);
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  const out = new Uint8Array(header.length + data.length);
  out.set(header);
  out.set(data, header.length);
  return out;
}

async function expectError(
  promise: Promise<unknown>,
  code: string,
  path: string,
  pattern: RegExp,
): Promise<MixmaskError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(MixmaskError);
  const e = error as MixmaskError;
  expect(e.code).toBe(code);
  expect(e.path).toBe(path);
  expect(e.message).toMatch(pattern);
  return e;
}

let dir = "";
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "mixmask-idx-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("parseIdx", () => {
  it("reads dims and data of a 3-d unsigned-byte array", () => {
    const data = Array.from({ length: 2 * 3 * 4 }, (_, i) => i * 10);
    const array = parseIdx(idxBytes([2, 3, 4], data), "x");
    expect(array.dims).toEqual([2, 3, 4]);
    expect(Array.from(array.data)).toEqual(data);
    expect(array.data.constructor).toBe(Uint8Array);
  });

  it("reads big-endian dims above 255", () => {
    const array = parseIdx(idxBytes([300], new Array<number>(300).fill(7)), "labels");
    expect(array.dims).toEqual([300]);
  });

  it("names the unsupported element type", () => {
    expect(() => parseIdx(idxBytes([1], [0, 0, 0, 0], 0x0d), "floats")).toThrow(/0x0d \(float32\)/);
    try {
      parseIdx(idxBytes([1], [0], 0x0c), "ints");
    } catch (e) {
      expect((e as MixmaskError).path).toBe("ints@2");
    }
  });

  it("hints at gzip when handed compressed bytes", () => {
    expect(() => parseIdx(gzipSync(idxBytes([1], [1])), "f.gz")).toThrow(/gzip's magic bytes/);
  });
});

describe("readIdx", () => {
  it("reads raw and gzipped files to the same array", async () => {
    const bytes = idxBytes(
      [3, 2, 2],
      Array.from({ length: 12 }, (_, i) => 255 - i),
    );
    await writeFile(join(dir, "raw-idx3-ubyte"), bytes);
    await writeFile(join(dir, "zipped-idx3-ubyte.gz"), gzipSync(bytes));
    const raw = await readIdx(join(dir, "raw-idx3-ubyte"));
    const zipped = await readIdx(join(dir, "zipped-idx3-ubyte.gz"));
    expect(raw.dims).toEqual([3, 2, 2]);
    expect(zipped).toEqual(raw);
  });

  it("detects gzip by magic bytes, not by name", async () => {
    const file = join(dir, "no-suffix");
    await writeFile(file, gzipSync(idxBytes([2], [4, 5])));
    expect(Array.from((await readIdx(file)).data)).toEqual([4, 5]);
  });

  it("refuses a wrong magic number, saying what was expected and what came", async () => {
    const file = join(dir, "wrong-magic");
    await writeFile(file, Uint8Array.from([0x12, 0x34, 0x08, 0x01, 0, 0, 0, 1, 9]));
    const e = await expectError(readIdx(file), "INVALID_FILE", `${file}@0`, /wrong magic/);
    expect(e.expected).toMatch(/00 00 08 0d/);
    expect(e.received).toBe("12 34 08 01");
  });

  it("refuses a truncated header", async () => {
    const short = join(dir, "short");
    await writeFile(short, Uint8Array.from([0, 0]));
    await expectError(readIdx(short), "INVALID_FILE", `${short}@2`, /truncated IDX header/);
    const dims = join(dir, "short-dims");
    await writeFile(dims, idxBytes([5, 5, 5], []).subarray(0, 10));
    const e = await expectError(readIdx(dims), "INVALID_FILE", `${dims}@10`, /16-byte header/);
    expect(e.received).toBe("10 bytes");
  });

  it("refuses data shorter than the dims imply, with both byte counts", async () => {
    const file = join(dir, "truncated-data");
    await writeFile(file, idxBytes([4, 2, 2], new Array<number>(10).fill(1)));
    const e = await expectError(readIdx(file), "INVALID_FILE", `${file}@26`, /truncated IDX data/);
    expect(e.expected).toMatch(/^16 data bytes/);
    expect(e.received).toMatch(/^10 data bytes/);
  });

  it("refuses trailing bytes", async () => {
    const file = join(dir, "trailing");
    await writeFile(file, idxBytes([2], [1, 2, 3]));
    await expectError(readIdx(file), "INVALID_FILE", `${file}@10`, /1 trailing bytes/);
  });

  it("refuses truncated and corrupt gzip", async () => {
    const zipped = gzipSync(
      idxBytes(
        [1000],
        new Array<number>(1000).fill(3).map((v, i) => (v * i) % 251),
      ),
    );
    const truncated = join(dir, "truncated.gz");
    await writeFile(truncated, zipped.subarray(0, zipped.length - 20));
    await expectError(readIdx(truncated), "INVALID_FILE", `${truncated}@${zipped.length - 20}`, /truncated gzip/);
    const corrupt = join(dir, "corrupt.gz");
    const bad = Uint8Array.from(zipped);
    bad[bad.length - 6] = bad[bad.length - 6]! ^ 0xff; // inside the CRC/size trailer
    await writeFile(corrupt, bad);
    await expectError(readIdx(corrupt), "INVALID_FILE", `${corrupt}@0`, /corrupt gzip/);
  });

  it("reports a missing file as DATASET_MISSING", async () => {
    const file = join(dir, "absent");
    await expectError(readIdx(file), "DATASET_MISSING", file, /not found/);
  });
});
