import { mkdtemp, readFile, rm, truncate, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadCifar10, loadCifar100 } from "../../src/data/cifar.js";
import { MixmaskError } from "../../src/errors.js";
import { CIFAR10_NAMES, CIFAR_PIXELS, fixturePixel, writeCifar10, writeCifar100 } from "../fixtures/cifar-files.js";

let root = "";
let n = 0;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "mixmask-cifar-"));
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

/** HWC value of pixel (y, x, c) of fixture image `image`. */
const expectedPixel = (image: number, y: number, x: number, c: number) => fixturePixel(image, c, y * 32 + x);

describe("CIFAR-10 binary version", () => {
  it("reads the five training batches as one split, the test batch, labels and the class names", async () => {
    const dir = fresh();
    await writeCifar10(dir);
    const { train, test } = await loadCifar10({ dir });
    expect([train.name, train.split, train.count, train.height, train.width, train.channels]).toEqual([
      "cifar10",
      "train",
      10,
      32,
      32,
      3,
    ]);
    expect(Array.from(train.labels)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect([test.count, ...test.labels]).toEqual([3, 3, 4, 5]);
    expect(train.classNames).toEqual(CIFAR10_NAMES);
    expect(train.numClasses).toBe(10);
  });

  it("transposes the planes to HWC for any indices, across files, repeated and out of order", async () => {
    const dir = fresh();
    await writeCifar10(dir);
    const { train } = await loadCifar10({ dir: join(dir, "cifar-10-batches-bin") }); // the folder itself works too
    const indices = [9, 0, 5, 5, 6, 1];
    const pixels = await train.read(indices);
    expect(pixels.length).toBe(indices.length * CIFAR_PIXELS);
    for (const [k, image] of indices.entries()) {
      for (const [y, x, c] of [
        [0, 0, 0],
        [0, 1, 2],
        [31, 31, 1],
        [17, 4, 2],
      ] as const) {
        expect(pixels[k * CIFAR_PIXELS + (y * 32 + x) * 3 + c]).toBe(expectedPixel(image, y, x, c));
      }
    }
  });

  it("refuses an index outside the split", async () => {
    const dir = fresh();
    await writeCifar10(dir);
    const { test } = await loadCifar10({ dir });
    const error = await rejection(test.read([0, 3]));
    expect(error.code).toBe("INVALID_OPTION");
    expect(error.path).toBe("cifar10/test.read(indices[1])");
  });

  it("names the truncated file, the byte offset of the cut record and the expected length", async () => {
    const dir = fresh();
    const folder = await writeCifar10(dir);
    const file = join(folder, "data_batch_2.bin");
    await truncate(file, 2 * 3073 + 100); // 3 records written; the third is cut after 100 bytes
    const error = await rejection(loadCifar10({ dir }));
    expect(error.code).toBe("INVALID_FILE");
    expect(error.path).toBe(`${file}@${2 * 3073}`);
    expect(error.message).toContain("ends inside record 2");
    expect(error.expected).toContain("a multiple of 3073 bytes");
    expect(error.received).toBe(`${2 * 3073 + 100} bytes`);
  });

  it("names the record whose label is out of range and the byte that holds it", async () => {
    const dir = fresh();
    const folder = await writeCifar10(dir);
    const file = join(folder, "data_batch_4.bin");
    const bytes = await readFile(file);
    bytes[3073] = 10; // label byte of record 1
    await writeFile(file, bytes);
    const error = await rejection(loadCifar10({ dir }));
    expect(error.code).toBe("INVALID_FILE");
    expect(error.path).toBe(`${file}@3073`);
    expect(error.message).toContain("label of record 1 is out of range");
    expect([error.expected, error.received]).toEqual(["label in [0, 9]", "10"]);
  });

  it("lists every missing file and how to get them", async () => {
    const dir = fresh();
    const folder = await writeCifar10(dir);
    await rm(join(folder, "data_batch_3.bin"));
    await rm(join(folder, "batches.meta.txt"));
    const error = await rejection(loadCifar10({ dir }));
    expect(error.code).toBe("DATASET_MISSING");
    expect(error.issues.map((i) => i.path)).toEqual([
      join(folder, "data_batch_3.bin"),
      join(folder, "batches.meta.txt"),
    ]);
    expect(error.fix).toContain("cifar-10-binary.tar.gz");
  });

  it("says where it looked when the folder is not there at all", async () => {
    const error = await rejection(loadCifar10({ dir: fresh() }));
    expect(error.code).toBe("DATASET_MISSING");
    expect(error.fix).toContain("binary version");
  });

  it("refuses an empty batch file and a class-name file of the wrong length", async () => {
    const dir = fresh();
    const folder = await writeCifar10(dir);
    await writeFile(join(folder, "test_batch.bin"), new Uint8Array(0));
    expect((await rejection(loadCifar10({ dir }))).path).toBe(`${join(folder, "test_batch.bin")}@0`);
    const dir2 = fresh();
    const folder2 = await writeCifar10(dir2);
    await writeFile(join(folder2, "batches.meta.txt"), "cat\ndog\n");
    const error = await rejection(loadCifar10({ dir: dir2 }));
    expect([error.code, error.expected, error.received]).toEqual(["INVALID_FILE", "10 names", "2 names"]);
  });
});

describe("CIFAR-100 binary version", () => {
  it("reads fine labels by default and coarse ones on request, with their names", async () => {
    const dir = fresh();
    await writeCifar100(dir);
    const fine = await loadCifar100({ dir });
    expect(Array.from(fine.train.labels)).toEqual([95, 96, 97, 98, 99, 0]);
    expect([fine.train.numClasses, fine.train.classNames[99]]).toEqual([100, "fine_99"]);
    const coarse = await loadCifar100({ dir, labels: "coarse" });
    expect(Array.from(coarse.train.labels)).toEqual([15, 16, 17, 18, 19, 0]);
    expect([coarse.train.numClasses, coarse.train.name]).toEqual([20, "cifar100-coarse"]);
    const pixels = await fine.test.read([1]);
    expect(pixels[(5 * 32 + 6) * 3 + 1]).toBe(expectedPixel(501, 5, 6, 1));
  });

  it("checks both label bytes of every record: a fine label of 100 is named with its offset", async () => {
    const dir = fresh();
    const folder = await writeCifar100(dir);
    const file = join(folder, "train.bin");
    const bytes = await readFile(file);
    bytes[3 * 3074 + 1] = 100; // fine label of record 3
    await writeFile(file, bytes);
    const error = await rejection(loadCifar100({ dir, labels: "coarse" }));
    expect(error.path).toBe(`${file}@${3 * 3074 + 1}`);
    expect(error.message).toContain("fine label of record 3");
    expect(error.expected).toBe("fine label in [0, 99]");
  });

  it("refuses a coarse label of 20 and a truncated test file", async () => {
    const dir = fresh();
    const folder = await writeCifar100(dir);
    const train = join(folder, "train.bin");
    const bytes = await readFile(train);
    bytes[0] = 20;
    await writeFile(train, bytes);
    const error = await rejection(loadCifar100({ dir }));
    expect([error.path, error.expected]).toEqual([`${train}@0`, "coarse label in [0, 19]"]);
    const dir2 = fresh();
    const folder2 = await writeCifar100(dir2);
    await truncate(join(folder2, "test.bin"), 3074 + 1);
    expect((await rejection(loadCifar100({ dir: dir2 }))).path).toBe(`${join(folder2, "test.bin")}@3074`);
  });
});
