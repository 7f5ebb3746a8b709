import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadIdxDataset } from "../../src/data/idx-dataset.js";
import { MixmaskError } from "../../src/errors.js";

let root = "";
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "mixmask-idxds-"));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

function idx(dims: number[], data: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + 4 * dims.length + data.length);
  out[2] = 0x08;
  out[3] = dims.length;
  const view = new DataView(out.buffer);
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  out.set(data, 4 + 4 * dims.length);
  return out;
}

async function pair(
  name: string,
  dims: number[],
  labels: number[],
  gzip = false,
): Promise<{ imagesFile: string; labelsFile: string }> {
  const count = dims.reduce((a, b) => a * b, 1);
  const imagesFile = join(root, `${name}-images${gzip ? ".gz" : ""}`);
  const labelsFile = join(root, `${name}-labels`);
  const images = idx(
    dims,
    Uint8Array.from({ length: count }, (_, k) => k % 251),
  );
  await writeFile(imagesFile, gzip ? gzipSync(images) : images);
  await writeFile(labelsFile, idx([labels.length], Uint8Array.from(labels)));
  return { imagesFile, labelsFile };
}

async function rejection(promise: Promise<unknown>): Promise<MixmaskError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(MixmaskError);
  return error as MixmaskError;
}

describe("IDX image datasets (MNIST-style pairs)", () => {
  it("reads grey (N, H, W) images, raw or gzipped, with names or inferred classes", async () => {
    const files = await pair("grey", [4, 3, 2], [0, 2, 1, 2], true);
    const ds = await loadIdxDataset({ ...files, name: "mnist", split: "test" });
    expect([ds.name, ds.split, ds.count, ds.height, ds.width, ds.channels, ds.numClasses]).toEqual([
      "mnist",
      "test",
      4,
      3,
      2,
      1,
      3,
    ]);
    expect(ds.pixels[6]).toBe(6);
    expect(ds.classNames).toEqual(["0", "1", "2"]);
    const named = await loadIdxDataset({ ...files, classNames: ["a", "b", "c", "d"] });
    expect(named.numClasses).toBe(4);
  });

  it("reads RGB (N, H, W, 3) images", async () => {
    const ds = await loadIdxDataset(await pair("rgb", [2, 2, 2, 3], [1, 0]));
    expect([ds.channels, ds.pixels.length]).toEqual([3, 24]);
  });

  it("names the label byte that is out of range for the declared classes", async () => {
    const files = await pair("range", [3, 2, 2], [0, 1, 7]);
    const error = await rejection(loadIdxDataset({ ...files, numClasses: 5 }));
    expect([error.code, error.path, error.expected, error.received]).toEqual([
      "INVALID_FILE",
      `${files.labelsFile}@10`,
      "label in [0, 4]",
      "7",
    ]);
  });

  it("refuses a label count that differs from the image count and an image file of the wrong rank", async () => {
    const files = await pair("count", [3, 2, 2], [0, 1]);
    expect((await rejection(loadIdxDataset(files))).path).toBe(`${files.labelsFile}@4`);
    const rank = await pair("rank", [2, 2, 2, 2], [0, 1]);
    const error = await rejection(loadIdxDataset(rank));
    expect([error.path, error.received]).toEqual([`${rank.imagesFile}@3`, "4 dims (2×2×2×2)"]);
  });

  it("reports a truncated images file and a wrong magic number through the IDX parser", async () => {
    const files = await pair("cut", [3, 2, 2], [0, 1, 0]);
    await writeFile(files.imagesFile, idx([3, 2, 2], new Uint8Array(12)).subarray(0, 20));
    expect((await rejection(loadIdxDataset(files))).message).toContain("truncated IDX data");
    await writeFile(files.imagesFile, Uint8Array.from([1, 2, 8, 3]));
    expect((await rejection(loadIdxDataset(files))).message).toContain("wrong magic number");
  });
});
