import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MixmaskError } from "../../src/errors.js";
import { FASHION_MNIST_DIR, loadFashionMnist } from "../../src/data/fashion-mnist.js";

const REAL_PRESENT = [
  "train-images-idx3-ubyte",
  "train-labels-idx1-ubyte",
  "t10k-images-idx3-ubyte",
  "t10k-labels-idx1-ubyte",
].every((name) => existsSync(join(FASHION_MNIST_DIR, name)) || existsSync(join(FASHION_MNIST_DIR, `${name}.gz`)));

function idx(dims: number[], data: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + 4 * dims.length + data.length);
  out[2] = 0x08;
  out[3] = dims.length;
  const view = new DataView(out.buffer);
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  out.set(data, 4 + 4 * dims.length);
  return out;
}

/** Writes a tiny Fashion-MNIST look-alike: `train` images of 4×3 whose pixels encode their index, labels i mod 10. */
async function writeFixture(
  dir: string,
  train: number,
  test: number,
  options: { gzip?: boolean; labels?: Uint8Array } = {},
): Promise<void> {
  const write = (name: string, bytes: Uint8Array) =>
    writeFile(join(dir, options.gzip ? `${name}.gz` : name), options.gzip ? gzipSync(bytes) : bytes);
  const images = (n: number) =>
    idx(
      [n, 4, 3],
      Uint8Array.from({ length: n * 12 }, (_, k) => Math.floor(k / 12)),
    );
  const labels = (n: number) =>
    idx(
      [n],
      Uint8Array.from({ length: n }, (_, i) => i % 10),
    );
  await write("train-images-idx3-ubyte", images(train));
  await write("train-labels-idx1-ubyte", options.labels ? idx([options.labels.length], options.labels) : labels(train));
  await write("t10k-images-idx3-ubyte", images(test));
  await write("t10k-labels-idx1-ubyte", labels(test));
}

let root = "";
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "mixmask-fmnist-"));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

async function fixtureDir(name: string): Promise<string> {
  const dir = join(root, name);
  await mkdir(dir);
  return dir;
}

async function rejection(promise: Promise<unknown>): Promise<MixmaskError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(MixmaskError);
  return error as MixmaskError;
}

describe("loadFashionMnist on written fixtures", () => {
  it.each([false, true])("reads raw and gzipped files (gzip: %s)", async (gzip) => {
    const dir = await fixtureDir(`ok-${gzip}`);
    await writeFixture(dir, 12, 5, { gzip });
    const { train, test } = await loadFashionMnist({ dir });
    expect([train.count, train.height, train.width, train.channels]).toEqual([12, 4, 3, 1]);
    expect(train.pixels.length).toBe(12 * 12);
    expect(train.pixels[11 * 12]).toBe(11);
    expect(Array.from(train.labels)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1]);
    expect([test.split, test.count]).toEqual(["test", 5]);
    expect(train.classNames).toHaveLength(10);
    expect(train.classNames[9]).toBe("Ankle boot");
    expect(train.numClasses).toBe(10);
  });

  it("keeps the first N images with trainImages / testImages, and the whole split when N exceeds it", async () => {
    const dir = await fixtureDir("limits");
    await writeFixture(dir, 12, 5);
    const { train, test } = await loadFashionMnist({ dir, trainImages: 3, testImages: 50 });
    expect(train.count).toBe(3);
    expect(train.pixels.length).toBe(3 * 12);
    expect(Array.from(train.labels)).toEqual([0, 1, 2]);
    expect(test.count).toBe(5);
    await expect(loadFashionMnist({ dir, trainImages: 0 })).rejects.toThrow(/trainImages/);
    const e = await rejection(loadFashionMnist({ dir, trainImages: 1.5, testImages: -1 }));
    expect(e.code).toBe("INVALID_OPTION");
    expect(e.issues.map((i) => i.path)).toEqual(["trainImages", "testImages"]);
  });

  it("refuses a label file whose count differs from the image file", async () => {
    const dir = await fixtureDir("count-mismatch");
    await writeFixture(dir, 12, 5, { labels: new Uint8Array(11) });
    const e = await rejection(loadFashionMnist({ dir }));
    expect(e.code).toBe("INVALID_FILE");
    expect(e.path).toBe(`${join(dir, "train-labels-idx1-ubyte")}@4`);
    expect(e.expected).toMatch(/12 labels/);
  });

  it("refuses a label ≥ 10, naming the file and the index", async () => {
    const dir = await fixtureDir("bad-label");
    const labels = new Uint8Array(12);
    labels[7] = 10;
    await writeFixture(dir, 12, 5, { labels });
    const e = await rejection(loadFashionMnist({ dir }));
    expect(e.code).toBe("INVALID_FILE");
    expect(e.path).toBe(`${join(dir, "train-labels-idx1-ubyte")}@15`);
    expect(e.message).toMatch(/image 7/);
  });

  it("reports every missing file as DATASET_MISSING with the install fix", async () => {
    const dir = await fixtureDir("partial");
    await writeFile(join(dir, "train-images-idx3-ubyte.gz"), gzipSync(idx([1, 1, 1], new Uint8Array(1))));
    const e = await rejection(loadFashionMnist({ dir }));
    expect(e.code).toBe("DATASET_MISSING");
    expect(e.issues).toHaveLength(3);
    expect(e.fix).toMatch(/apt-get install dataset-fashion-mnist/);
    expect(e.fix).toMatch(/--data-dir/);
    const absent = await rejection(loadFashionMnist({ dir: join(root, "no-such-dir") }));
    expect(absent.code).toBe("DATASET_MISSING");
    expect(absent.issues).toHaveLength(4);
  });
});

describe("loadFashionMnist on the installed dataset", () => {
  it.skipIf(!REAL_PRESENT)(
    `loads 60000/10000 images of 28×28 with 6000 per class${REAL_PRESENT ? "" : ` — SKIPPED: ${FASHION_MNIST_DIR} is absent (apt-get install dataset-fashion-mnist)`}`,
    async () => {
      const { train, test } = await loadFashionMnist();
      expect([train.count, test.count]).toEqual([60000, 10000]);
      expect([train.height, train.width, train.channels]).toEqual([28, 28, 1]);
      expect(train.pixels.length).toBe(60000 * 784);
      const histogram = new Array<number>(10).fill(0);
      for (const label of train.labels) histogram[label]! += 1;
      expect(histogram).toEqual(new Array<number>(10).fill(6000));
      const testHistogram = new Array<number>(10).fill(0);
      for (const label of test.labels) testHistogram[label]! += 1;
      expect(testHistogram).toEqual(new Array<number>(10).fill(1000));
    },
  );
});
