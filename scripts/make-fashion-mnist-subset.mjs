#!/usr/bin/env node
// Writes data/fashion-mnist-subset/: the first 10 000 training and 2 000 test images of Fashion-MNIST (the CPU
// preset's trainImages / testImages) with their labels, as gzipped IDX files, from Debian's dataset-fashion-mnist
// (or the folder given as the first argument), and prints the SHA-256 of each file for
// src/data/embedded-fashion-mnist.ts. gzip level 9 with no timestamp, so the output is reproducible.
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { gunzipSync, gzipSync } from "node:zlib";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const from = process.argv[2] ?? "/usr/share/datasets/fashion-mnist";
const out = join(root, "data/fashion-mnist-subset");
mkdirSync(out, { recursive: true });
const splits = [
  ["train-images-idx3-ubyte", 10_000],
  ["train-labels-idx1-ubyte", 10_000],
  ["t10k-images-idx3-ubyte", 2_000],
  ["t10k-labels-idx1-ubyte", 2_000],
];
for (const [name, count] of splits) {
  const idx = gunzipSync(readFileSync(join(from, `${name}.gz`)));
  const rank = idx[3];
  const header = 4 + 4 * rank;
  let itemBytes = 1;
  for (let d = 1; d < rank; d++) itemBytes *= idx.readUInt32BE(4 + 4 * d);
  const subset = Buffer.from(idx.subarray(0, header + count * itemBytes));
  subset.writeUInt32BE(count, 4);
  const gz = gzipSync(subset, { level: 9 });
  writeFileSync(join(out, `${name}.gz`), gz);
  console.log(`${name}.gz ${gz.length} bytes sha256 ${createHash("sha256").update(gz).digest("hex")}`);
}
