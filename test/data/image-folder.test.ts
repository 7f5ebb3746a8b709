import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadImageFolder } from "../../src/data/image-folder.js";
import { MixmaskError } from "../../src/errors.js";
import { writeSolidImage } from "../fixtures/image-files.js";

let root = "";
let n = 0;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "mixmask-imgdir-"));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});
const fresh = () => join(root, `case-${n++}`);

async function rejection(promise: Promise<unknown>): Promise<MixmaskError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(MixmaskError);
  return error as MixmaskError;
}

const RED: [number, number, number] = [200, 20, 30];
const BLUE: [number, number, number] = [10, 40, 220];

/** DIR/red/ with PNGs (one grey, one RGBA-free JPEG), DIR/blue/ with PNGs; different sizes unless `size` given. */
async function writePool(dir: string, perClass = 5, size?: number): Promise<void> {
  for (let i = 0; i < perClass; i++) {
    await writeSolidImage(join(dir, "red", `r${i}.png`), size ?? 12 + i, size ?? 10 + i, RED);
    await writeSolidImage(join(dir, "blue", `b${i}.png`), size ?? 9 + i, size ?? 14, BLUE);
  }
}

function meanColour(pixels: Uint8Array, image: number, side: number): number[] {
  const sums = [0, 0, 0];
  const size = side * side * 3;
  for (let p = 0; p < side * side; p++) for (let c = 0; c < 3; c++) sums[c]! += pixels[image * size + p * 3 + c]!;
  return sums.map((s) => s / (side * side));
}

describe("image folder reader (sharp)", () => {
  it("decodes PNG and JPEG, resizes to the declared size, labels by sorted class folder, holds out a seeded split", async () => {
    const dir = fresh();
    await writePool(dir, 5);
    await writeSolidImage(join(dir, "red", "deep", "r-jpeg.jpg"), 20, 16, RED, "jpeg");
    await writeSolidImage(join(dir, "blue", "grey.png"), 8, 8, [90, 90, 90], "png", true);
    const cacheDir = join(dir, "..", `cache-${n}`);
    const opened = await loadImageFolder({ dir, imageSize: 8, cacheDir, validationFraction: 0.34 });
    const { train, test, report } = opened;
    expect(train.classNames).toEqual(["blue", "red"]);
    expect(train.count + test.count).toBe(12);
    expect(test.count).toBe(4); // round(0.34 · 6) = 2 per class
    expect([train.height, train.width, train.channels]).toEqual([8, 8, 3]);
    expect(report.train.decoded + report.test.decoded).toBe(12);
    const pixels = await train.read(Array.from({ length: train.count }, (_, i) => i));
    for (let i = 0; i < train.count; i++) {
      const colour = meanColour(pixels, i, 8);
      const label = train.labels[i]!;
      if (label === 1)
        colour.forEach((v, c) => expect(Math.abs(v - RED[c]!)).toBeLessThan(3)); // JPEG is lossy
      else expect(Math.abs(colour[2]! - BLUE[2]!) < 3 || Math.abs(colour[2]! - 90) < 3).toBe(true); // grey → RGB
    }
    const again = await loadImageFolder({ dir, imageSize: 8, cacheDir, validationFraction: 0.34 });
    expect(Array.from(again.test.labels)).toEqual(Array.from(test.labels)); // the holdout is seeded
  });

  it("does not decode again on the second run: pixels come from the content-hash cache", async () => {
    const dir = fresh();
    await writePool(dir, 3);
    const cacheDir = join(dir, "..", `cache-${n}`);
    const first = await loadImageFolder({ dir, imageSize: 6, cacheDir, validationFraction: 0.34 });
    expect([first.report.train.decoded + first.report.test.decoded, first.report.train.fromCache]).toEqual([6, 0]);
    // Renaming the folder does not matter: the cache is keyed by the files' content.
    const moved = fresh();
    await writePool(moved, 3);
    const second = await loadImageFolder({ dir: moved, imageSize: 6, cacheDir, validationFraction: 0.34 });
    expect(second.report.train.decoded + second.report.test.decoded).toBe(0);
    expect(second.report.train.fromCache + second.report.test.fromCache).toBe(6);
    const all = (s: typeof first.train) => s.read(Array.from({ length: s.count }, (_, i) => i));
    expect(await all(second.train)).toEqual(await all(first.train));
    // Another declared size is another cache entry: decoded again.
    const third = await loadImageFolder({ dir: moved, imageSize: 5, cacheDir, validationFraction: 0.34 });
    expect(third.report.train.decoded).toBe(third.train.count);
  });

  it("uses train/ and val/ folders when present", async () => {
    const dir = fresh();
    await writePool(join(dir, "train"), 2, 8);
    await writeSolidImage(join(dir, "val", "red", "v.png"), 8, 8, RED);
    const { train, test } = await loadImageFolder({ dir, cacheDir: join(dir, "cache") });
    expect([train.count, test.count, test.split, test.labels[0]]).toEqual([4, 1, "val", 1]);
    expect([train.height, train.width]).toEqual([8, 8]); // native size: all images share it
  });

  it("refuses mixed image sizes without a declared size, naming the file, its index and the expected size", async () => {
    const dir = fresh();
    await writePool(join(dir, "train"), 2, 8);
    await writeSolidImage(join(dir, "train", "red", "r1.png"), 9, 8, RED);
    await writeSolidImage(join(dir, "val", "red", "v.png"), 8, 8, RED);
    const error = await rejection(loadImageFolder({ dir, cacheDir: join(dir, "cache") }));
    expect(error.code).toBe("INVALID_FILE");
    expect(error.path).toBe(join(dir, "train", "red", "r1.png"));
    expect(error.message).toContain("train image 3");
    expect(error.message).toContain("mixed image sizes");
    expect(error.expected).toContain("8x8 pixels");
    expect(error.received).toBe("9x8");
    expect(error.fix).toContain("--decode-size");
  });

  it("names a file with the wrong magic number, a truncated PNG and an undecodable JPEG; lists them all", async () => {
    const dir = fresh();
    await writePool(join(dir, "train"), 3, 8);
    await writeSolidImage(join(dir, "val", "red", "v.png"), 8, 8, RED);
    const notImage = join(dir, "train", "red", "r0.png");
    await writeFile(notImage, "this is text, not an image");
    const truncated = join(dir, "train", "red", "r1.png");
    const png = await readFile(truncated);
    await writeFile(truncated, png.subarray(0, png.length - 30));
    // A real JPEG whose header tables are overwritten: right magic number, undecodable content.
    const corrupt = join(dir, "train", "blue", "b0.jpg");
    const jpeg = Buffer.from(await writeSolidImage(corrupt, 8, 8, BLUE, "jpeg"));
    jpeg.fill(0x55, 3, 6); // FF D8 FF stays; the quantisation table marker after it (DB) becomes junk
    await writeFile(corrupt, jpeg);
    const error = await rejection(loadImageFolder({ dir, cacheDir: join(dir, "cache") }));
    expect(error.code).toBe("INVALID_FILE");
    // Images by index: blue/b0.jpg 0, blue/b0.png 1 … red/r0.png 4, red/r1.png 5.
    expect(error.message).toContain("3 of 7 image-folder train images cannot be used; the first: train image 0");
    expect(error.issues.map((i) => i.path)).toEqual([corrupt, `${notImage}@0`, `${truncated}@${png.length - 30}`]);
    const [undecodable, wrongMagic, cut] = error.issues as [
      MixmaskError["issues"][0],
      MixmaskError["issues"][0],
      MixmaskError["issues"][0],
    ];
    expect(undecodable.message).toContain("cannot decode the image");
    expect(undecodable.expected).toBe("a complete JPEG image");
    expect(wrongMagic.message).toBe("train image 4 is not a JPEG or PNG image: wrong magic number");
    expect(wrongMagic.expected).toBe("ff d8 ff (JPEG) or 89 50 4e 47 0d 0a 1a 0a (PNG)");
    expect(wrongMagic.received).toBe("74 68 69 73 20 69 73 20");
    expect(cut.message).toBe("train image 5: truncated image file: the data ends before the image does");
  });

  it("skips bad images only when asked, and reports how many and which", async () => {
    const dir = fresh();
    await writePool(join(dir, "train"), 3, 8);
    await writeSolidImage(join(dir, "val", "red", "v.png"), 8, 8, RED);
    await writeFile(join(dir, "train", "red", "r2.png"), "garbage");
    await writeFile(join(dir, "train", "blue", "b1.png"), Buffer.alloc(0));
    await writeFile(join(dir, "train", "blue", "notes.txt"), "not an image");
    expect((await rejection(loadImageFolder({ dir, cacheDir: join(dir, "cache") }))).issues).toHaveLength(2);
    const { train, report } = await loadImageFolder({ dir, cacheDir: join(dir, "cache"), skipBadImages: true });
    expect(train.count).toBe(4);
    expect(report.train.skipped.map((s) => [s.file, s.index])).toEqual([
      [join(dir, "train", "blue", "b1.png"), 1],
      [join(dir, "train", "red", "r2.png"), 5],
    ]);
    expect(report.train.skipped[0]!.reason).toContain("wrong magic number");
    expect(report.ignoredFiles).toEqual([join(dir, "train", "blue", "notes.txt")]);
    expect(Array.from(train.labels)).toEqual([0, 0, 1, 1]);
  });

  it("explains a folder without class folders and a missing folder", async () => {
    const dir = fresh();
    await mkdir(dir, { recursive: true });
    expect((await rejection(loadImageFolder({ dir, cacheDir: join(dir, "c") }))).code).toBe("DATASET_MISSING");
    expect((await rejection(loadImageFolder({ dir: join(dir, "nope") }))).fix).toContain(
      "one sub-folder of images per class",
    );
  });
});
