import { describe, expect, it } from "vitest";
import type { ImageDataset } from "../../src/data/image-dataset.js";
import { headOf, isImageDataset, materialize, sourceOf } from "../../src/data/image-source.js";
import { MixmaskError } from "../../src/errors.js";

const ds: ImageDataset = {
  name: "tiny",
  split: "train",
  count: 5,
  height: 1,
  width: 2,
  channels: 1,
  pixels: Uint8Array.from([0, 1, 10, 11, 20, 21, 30, 31, 40, 41]),
  labels: Int32Array.from([0, 1, 0, 1, 0]),
  numClasses: 2,
  classNames: ["a", "b"],
};

describe("image sources", () => {
  it("reads images in the order asked, repeats included", async () => {
    expect(Array.from(await sourceOf(ds).read([3, 0, 3]))).toEqual([30, 31, 0, 1, 30, 31]);
  });

  it("headOf keeps the first N images and refuses indices beyond them", async () => {
    const head = headOf(sourceOf(ds), 2);
    expect([head.count, ...head.labels]).toEqual([2, 0, 1]);
    const error = await head.read([2]).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(MixmaskError);
    expect((error as MixmaskError).expected).toBe("an integer in [0, 1]");
    expect(headOf(sourceOf(ds), 99).count).toBe(5);
  });

  it("materialize reads a source back into the same dataset, in chunks", async () => {
    const done: number[] = [];
    const back = await materialize(sourceOf(ds), { chunkImages: 2, onImages: (d) => done.push(d) });
    expect(Array.from(back.pixels)).toEqual(Array.from(ds.pixels));
    expect(done).toEqual([2, 4, 5]);
    expect(isImageDataset(back)).toBe(true);
    expect(isImageDataset(sourceOf(ds))).toBe(false);
  });
});
