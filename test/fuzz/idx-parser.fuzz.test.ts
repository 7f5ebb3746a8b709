import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseIdx, readIdx } from "../../src/data/idx.js";
import { MixmaskError } from "../../src/errors.js";
import { FuzzTally, fuzzParameters } from "../helpers/fuzz-budget.js";

/** A valid IDX file of unsigned bytes with the given dims. */
function idxFile(dims: number[], fill = 7): Uint8Array {
  const elements = dims.reduce((a, b) => a * b, 1);
  const bytes = new Uint8Array(4 + 4 * dims.length + elements).fill(fill);
  bytes.set([0, 0, 0x08, dims.length]);
  const view = new DataView(bytes.buffer);
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  return bytes;
}

/** The parser's contract on any input: a result consistent with its header, or INVALID_FILE with an offset. */
function checkParse(bytes: Uint8Array): void {
  try {
    const parsed = parseIdx(bytes, "fuzz.idx");
    expect(parsed.data.length).toBe(parsed.dims.reduce((a, b) => a * b, 1));
    expect(4 + 4 * parsed.dims.length + parsed.data.length).toBe(bytes.length);
  } catch (error) {
    expect(error).toBeInstanceOf(MixmaskError);
    expect((error as MixmaskError).code).toBe("INVALID_FILE");
    const offset = Number(/@(\d+)$/.exec((error as MixmaskError).path ?? "")?.[1]);
    expect(offset).toBeGreaterThanOrEqual(0);
    expect(offset).toBeLessThanOrEqual(bytes.length);
  }
}

const smallDims = fc.array(fc.integer({ min: 0, max: 12 }), { minLength: 1, maxLength: 4 });

describe("fuzz: IDX dataset parser", () => {
  it("random bytes never crash the parser", () => {
    const tally = new FuzzTally("idx: random bytes");
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 256 }), (bytes) => {
        tally.tried();
        checkParse(bytes);
      }),
      fuzzParameters(),
    );
    expect(tally.report()).toBeGreaterThan(0);
  });

  it("valid files with damaged headers, truncations and extra bytes are parsed or refused with the offset", () => {
    const tally = new FuzzTally("idx: damaged valid files");
    const damaged = fc.record({
      dims: smallDims,
      edits: fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 4 }),
      cut: fc.option(fc.nat(), { nil: undefined }),
      extra: fc.uint8Array({ maxLength: 8 }),
      headerOnly: fc.boolean(),
    });
    fc.assert(
      fc.property(damaged, ({ dims, edits, cut, extra, headerOnly }) => {
        tally.tried();
        const file = idxFile(dims);
        const span = headerOnly ? Math.min(file.length, 4 + 4 * dims.length) : file.length;
        for (const [at, value] of edits) if (span > 0) file[at % span] = value;
        let bytes: Uint8Array = cut === undefined ? file : file.subarray(0, cut % (file.length + 1));
        if (extra.length > 0) bytes = new Uint8Array([...bytes, ...extra]);
        checkParse(bytes);
      }),
      fuzzParameters(),
    );
    expect(tally.report()).toBeGreaterThan(0);
  });

  it("headers claiming huge dims are refused without allocating them", () => {
    const tally = new FuzzTally("idx: huge dims");
    const huge = fc.array(fc.integer({ min: 0, max: 0xffffffff }), { minLength: 1, maxLength: 6 });
    fc.assert(
      fc.property(huge, fc.uint8Array({ maxLength: 64 }), (dims, data) => {
        tally.tried();
        const header = idxFile(dims.map(() => 0)).subarray(0, 4 + 4 * dims.length);
        const view = new DataView(header.buffer, header.byteOffset);
        dims.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
        checkParse(new Uint8Array([...header, ...data]));
      }),
      fuzzParameters(),
    );
    expect(tally.report()).toBeGreaterThan(0);
  });

  it("damaged gzip files are refused with INVALID_FILE", async () => {
    const tally = new FuzzTally("idx: damaged gzip files");
    const dir = mkdtempSync(join(tmpdir(), "mixmask-idx-fuzz-"));
    const gz = gzipSync(idxFile([3, 5, 5]));
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 3 }),
        fc.option(fc.nat(), { nil: undefined }),
        async (edits, cut) => {
          tally.tried();
          const bytes = new Uint8Array(gz);
          for (const [at, xor] of edits) {
            const i = 2 + (at % (bytes.length - 2)); // keep the gzip magic
            bytes[i] = bytes[i]! ^ xor;
          }
          const file = join(dir, "f.idx.gz");
          writeFileSync(file, cut === undefined ? bytes : bytes.subarray(0, 2 + (cut % (bytes.length - 1))));
          try {
            const parsed = await readIdx(file);
            expect(parsed.data.length).toBe(parsed.dims.reduce((a, b) => a * b, 1));
          } catch (error) {
            expect(error).toBeInstanceOf(MixmaskError);
            expect((error as MixmaskError).code).toBe("INVALID_FILE");
          }
        },
      ),
      fuzzParameters(0.4),
    );
    expect(tally.report()).toBeGreaterThan(0);
  });
});
