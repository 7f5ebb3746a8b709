import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { MixmaskError } from "../errors.js";

/**
 * The Fashion-MNIST subset committed in data/fashion-mnist-subset/ (its README.md: source, licence, how it was cut):
 * the first 10 000 training and 2 000 test images, exactly what the CPU preset uses. It is shipped in the npm package
 * and used when Debian's dataset-fashion-mnist is not installed and no folder is given, so a fresh machine needs no
 * third set-up command.
 */
export const EMBEDDED_FASHION_MNIST = {
  trainImages: 10_000,
  testImages: 2_000,
  /** SHA-256 of each gzipped IDX file as committed (scripts/make-fashion-mnist-subset.mjs prints them). */
  sha256: {
    "train-images-idx3-ubyte.gz": "7e73eabf1cc5e1aca3fb3f3f60a48ac56c7c393361d29b4f18ea9ad407e56b94",
    "train-labels-idx1-ubyte.gz": "3cb46e21e7c1f80de6a0810b8d238c1ae21a576d53c190e35eee8c09e527ed2a",
    "t10k-images-idx3-ubyte.gz": "a9b97d2cbf4070197effa2fa2a1ce0d25376ac56d3b1d172381a0ece6c0ab9b7",
    "t10k-labels-idx1-ubyte.gz": "555ffb9b8d1b0e6e4da296f1f6846d7eb06bf9081a26602dce72714de855d4b1",
  } as Record<string, string>,
} as const;

const SUBSET = "data/fashion-mnist-subset";

/**
 * The subset's folder: the nearest folder above this module holding data/fashion-mnist-subset (the repository from
 * src/data/, the installed package from dist/data/, the repository from the bundle in dist/), or undefined.
 */
export function embeddedFashionMnistDir(start = dirname(fileURLToPath(import.meta.url))): string | undefined {
  for (let dir = start; ; dir = dirname(dir)) {
    if (existsSync(join(dir, SUBSET, "README.md"))) return join(dir, SUBSET);
    if (dirname(dir) === dir) return undefined;
  }
}

/** Checks every file of the subset against its SHA-256; a changed or truncated file is INVALID_FILE. */
export function verifyEmbeddedFashionMnist(dir: string): void {
  for (const [name, expected] of Object.entries(EMBEDDED_FASHION_MNIST.sha256)) {
    const file = join(dir, name);
    const received = existsSync(file) ? createHash("sha256").update(readFileSync(file)).digest("hex") : "no such file";
    if (received !== expected) {
      throw new MixmaskError({
        code: "INVALID_FILE",
        path: file,
        message: "the embedded Fashion-MNIST subset differs from the one this SDK was released with",
        expected: `SHA-256 ${expected}`,
        received: received === "no such file" ? received : `SHA-256 ${received}`,
        fix: "reinstall mixmask (or `git checkout data/fashion-mnist-subset` in a clone), or pass --data-dir / dir",
      });
    }
  }
}
