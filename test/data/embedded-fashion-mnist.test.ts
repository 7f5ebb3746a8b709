import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  EMBEDDED_FASHION_MNIST,
  embeddedFashionMnistDir,
  verifyEmbeddedFashionMnist,
} from "../../src/data/embedded-fashion-mnist.js";
import { FASHION_MNIST_DIR, fashionMnistSource, loadFashionMnist } from "../../src/data/fashion-mnist.js";
import { MixmaskError } from "../../src/errors.js";

const DEBIAN_PRESENT = existsSync(join(FASHION_MNIST_DIR, "train-images-idx3-ubyte.gz"));
const tmp = mkdtempSync(join(tmpdir(), "mixmask-embedded-fmnist-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe("the embedded Fashion-MNIST subset", () => {
  it("is found from the sources and matches its SHA-256", () => {
    const dir = embeddedFashionMnistDir();
    expect(dir).toBeDefined();
    expect(() => verifyEmbeddedFashionMnist(dir!)).not.toThrow();
  });

  it("refuses a subset with one changed byte, naming the file", () => {
    const copy = join(tmp, "changed");
    cpSync(embeddedFashionMnistDir()!, copy, { recursive: true });
    const file = join(copy, "t10k-labels-idx1-ubyte.gz");
    const bytes = readFileSync(file);
    bytes[bytes.length - 1]! ^= 1;
    writeFileSync(file, bytes);
    let error: unknown;
    try {
      verifyEmbeddedFashionMnist(copy);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(MixmaskError);
    expect((error as MixmaskError).code).toBe("INVALID_FILE");
    expect((error as MixmaskError).path).toBe(file);
  });

  it("is chosen when Debian's package is absent, and loads the CPU preset's 10 000 / 2 000 images", async () => {
    const source = await fashionMnistSource({}, join(tmp, "no-debian-here"));
    expect(source.kind).toBe("embedded");
    expect(source.description).toMatch(/subset shipped with mixmask .*10000 train \/ 2000 test/);
    const { train, test } = await loadFashionMnist({ dir: source.dir });
    expect([train.count, test.count]).toEqual([EMBEDDED_FASHION_MNIST.trainImages, EMBEDDED_FASHION_MNIST.testImages]);
    expect([train.height, train.width, train.channels]).toEqual([28, 28, 1]);
    // Fashion-MNIST is class-balanced overall and roughly so in any long prefix.
    const perClass = Array.from({ length: 10 }, (_, c) => train.labels.filter((l) => l === c).length);
    expect(Math.min(...perClass)).toBeGreaterThan(900);
  });

  it.skipIf(!DEBIAN_PRESENT)("holds exactly the first images and labels of the full set", async () => {
    expect((await fashionMnistSource({})).kind).toBe("debian");
    const full = await loadFashionMnist({
      trainImages: EMBEDDED_FASHION_MNIST.trainImages,
      testImages: EMBEDDED_FASHION_MNIST.testImages,
    });
    const subset = await loadFashionMnist({ dir: embeddedFashionMnistDir()! });
    for (const split of ["train", "test"] as const) {
      expect(Buffer.from(subset[split].pixels).equals(Buffer.from(full[split].pixels))).toBe(true);
      expect(Array.from(subset[split].labels)).toEqual(Array.from(full[split].labels));
    }
  });
});
