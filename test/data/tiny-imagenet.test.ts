import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadTinyImagenet } from "../../src/data/tiny-imagenet.js";
import { MixmaskError } from "../../src/errors.js";
import { writeSolidImage } from "../fixtures/image-files.js";

let root = "";
let n = 0;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "mixmask-tiny-"));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

async function rejection(promise: Promise<unknown>): Promise<MixmaskError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(MixmaskError);
  return error as MixmaskError;
}

// wnids.txt lists them unsorted, as the real file does; labels follow the sorted order.
const WNIDS = ["n09256479", "n01443537", "n02124075"];
const COLOURS: Record<string, [number, number, number]> = {
  n01443537: [240, 120, 0],
  n02124075: [20, 20, 20],
  n09256479: [250, 250, 250],
};

/** `parent/tiny-imagenet-200/` in the archive's layout: 2 training JPEGs per class, 4 validation images. */
async function writeTiny(parent: string): Promise<string> {
  const dir = join(parent, "tiny-imagenet-200");
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, "wnids.txt"), `${WNIDS.join("\n")}\n`);
  await writeFile(
    join(dir, "words.txt"),
    "n01443537\tgoldfish, Carassius auratus\nn02124075\tEgyptian cat\nn09256479\tcoral reef\nn99999999\tunused\n",
  );
  for (const wnid of WNIDS) {
    for (let k = 0; k < 2; k++)
      await writeSolidImage(join(dir, "train", wnid, "images", `${wnid}_${k}.JPEG`), 64, 64, COLOURS[wnid]!, "jpeg");
    await writeFile(join(dir, "train", wnid, `${wnid}_boxes.txt`), `${wnid}_0.JPEG\t0\t0\t63\t63\n`);
  }
  const val = ["n02124075", "n01443537", "n09256479", "n02124075"];
  for (const [k, wnid] of val.entries())
    await writeSolidImage(join(dir, "val", "images", `val_${k}.JPEG`), 64, 64, COLOURS[wnid]!, "jpeg");
  await writeFile(
    join(dir, "val", "val_annotations.txt"),
    val.map((w, k) => `val_${k}.JPEG\t${w}\t0\t10\t50\t63`).join("\n") + "\n",
  );
  return dir;
}

describe("Tiny-ImageNet reader", () => {
  it("reads train/<wnid>/images and the validation annotations, labels in sorted wnid order, names from words.txt", async () => {
    const parent = join(root, `ok-${n++}`);
    await writeTiny(parent);
    const { train, test, report } = await loadTinyImagenet({ dir: parent, cacheDir: join(parent, "cache") });
    expect([train.count, train.height, train.width, train.channels, train.numClasses]).toEqual([6, 64, 64, 3, 3]);
    expect(Array.from(train.labels)).toEqual([0, 0, 1, 1, 2, 2]);
    expect(train.classNames).toEqual(["goldfish, Carassius auratus", "Egyptian cat", "coral reef"]);
    expect([test.split, ...test.labels]).toEqual(["val", 1, 0, 2, 1]);
    expect(report.train.decoded).toBe(6);
    const pixels = await test.read([1]);
    expect(Math.abs(pixels[(10 * 64 + 10) * 3]! - 240)).toBeLessThan(4); // goldfish orange
  });

  it("resizes on request; a second open decodes nothing", async () => {
    const parent = join(root, `resize-${n++}`);
    const dir = await writeTiny(parent);
    const first = await loadTinyImagenet({ dir, imageSize: 32, cacheDir: join(parent, "cache") });
    expect([first.train.height, first.test.width]).toEqual([32, 32]);
    const second = await loadTinyImagenet({ dir, imageSize: 32, cacheDir: join(parent, "cache") });
    expect([second.report.train.decoded, second.report.test.decoded, second.report.train.fromCache]).toEqual([0, 0, 6]);
  });

  it("names the annotation line (byte offset) whose class is not in wnids.txt", async () => {
    const parent = join(root, `label-${n++}`);
    const dir = await writeTiny(parent);
    const file = join(dir, "val", "val_annotations.txt");
    const lines = (await readFile(file, "utf8")).split("\n");
    lines[2] = "val_2.JPEG\tn00000001\t0\t0\t1\t1";
    await writeFile(file, lines.join("\n"));
    const error = await rejection(loadTinyImagenet({ dir, cacheDir: join(parent, "cache") }));
    expect(error.code).toBe("INVALID_FILE");
    expect(error.path).toBe(`${file}@${Buffer.byteLength(`${lines[0]}\n${lines[1]}\n`)}`);
    expect(error.message).toContain("line 3");
    expect(error.message).toContain("label out of range");
    expect(error.received).toBe("n00000001");
  });

  it("refuses a malformed annotation line and one naming a missing image", async () => {
    const parent = join(root, `lines-${n++}`);
    const dir = await writeTiny(parent);
    const file = join(dir, "val", "val_annotations.txt");
    await writeFile(file, "val_0.JPEG n02124075 0 0 1 1\n"); // spaces, not tabs
    expect((await rejection(loadTinyImagenet({ dir, cacheDir: join(parent, "cache") }))).message).toContain(
      "line 1 is not",
    );
    await writeFile(file, "val_0.JPEG\tn02124075\nval_9.JPEG\tn02124075\n");
    const error = await rejection(loadTinyImagenet({ dir, cacheDir: join(parent, "cache") }));
    expect(error.path).toBe(`${file}@${"val_0.JPEG\tn02124075\n".length}`);
    expect(error.message).toContain("does not exist");
  });

  it("refuses an image that is not 64×64 unless a size is declared, and can skip it when asked", async () => {
    const parent = join(root, `size-${n++}`);
    const dir = await writeTiny(parent);
    const odd = join(dir, "train", "n02124075", "images", "n02124075_1.JPEG");
    await writeSolidImage(odd, 48, 64, [1, 2, 3], "jpeg");
    const error = await rejection(loadTinyImagenet({ dir, cacheDir: join(parent, "cache") }));
    expect([error.path, error.expected, error.received]).toEqual([
      odd,
      "64x64 pixels (Tiny-ImageNet's image size)",
      "48x64",
    ]);
    expect(error.message).toContain("train image 3");
    const skipped = await loadTinyImagenet({ dir, cacheDir: join(parent, "cache"), skipBadImages: true });
    expect([skipped.train.count, skipped.report.train.skipped.length, skipped.report.train.skipped[0]!.file]).toEqual([
      5,
      1,
      odd,
    ]);
    const resized = await loadTinyImagenet({ dir, cacheDir: join(parent, "cache"), imageSize: 16 });
    expect(resized.train.count).toBe(6);
  });

  it("says what is missing and how to get it", async () => {
    const parent = join(root, `missing-${n++}`);
    const dir = await writeTiny(parent);
    await rm(join(dir, "val", "val_annotations.txt"));
    const error = await rejection(loadTinyImagenet({ dir: parent }));
    expect(error.code).toBe("DATASET_MISSING");
    expect(error.fix).toContain("tiny-imagenet-200.zip");
    await writeTiny(join(root, `nofolder-${n}`));
    await rm(join(root, `nofolder-${n}`, "tiny-imagenet-200", "train", "n01443537"), { recursive: true });
    expect((await rejection(loadTinyImagenet({ dir: join(root, `nofolder-${n}`) }))).path).toContain("n01443537");
  });
});
