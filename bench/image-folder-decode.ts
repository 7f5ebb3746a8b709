// Decode throughput of the image-folder reader: a folder of JPEG (and some PNG) photos-like images of mixed sizes is
// opened twice. The first open decodes every file with sharp, resizes it to --size (shorter side, centre crop) and
// writes the pixels to the content-hash cache; the second open only reads and hashes the files and finds every image
// in the cache. Then batches are read from the cache as streaming mode reads them.
//
//   npx tsx bench/image-folder-decode.ts [--images 600] [--size 64] [--out bench/results/image-folder-decode.json]
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import sharp from "sharp";
import { loadImageFolder } from "../src/data/image-folder.js";
import { Rng } from "../src/random/rng.js";

const { values } = parseArgs({
  options: {
    images: { type: "string", default: "600" },
    size: { type: "string", default: "64" },
    out: { type: "string", default: "bench/results/image-folder-decode.json" },
  },
});
const count = Number(values.images);
const size = Number(values.size);
const CLASSES = 10;

const root = mkdtempSync(join(tmpdir(), "mixmask-decode-bench-"));
try {
  // Photo-like content (smooth gradients plus noise) so JPEG decoding does realistic work; 1 in 5 files is PNG.
  const rng = new Rng(7);
  let encodedBytes = 0;
  for (let i = 0; i < count; i++) {
    const width = 200 + rng.int(201); // ImageNet-like sizes, 200–400 px, mixed
    const height = 150 + rng.int(201);
    const raw = new Uint8Array(width * height * 3);
    const [a, b, c] = [rng.int(256), rng.int(256), rng.int(256)];
    for (let y = 0; y < height; y++)
      for (let x = 0; x < width; x++) {
        const p = (y * width + x) * 3;
        raw[p] = (a + x) & 255;
        raw[p + 1] = (b + y) & 255;
        raw[p + 2] = (c + ((x * y) >> 6) + rng.int(16)) & 255;
      }
    const png = i % 5 === 4;
    const image = sharp(raw, { raw: { width, height, channels: 3 } });
    const bytes = png ? await image.png().toBuffer() : await image.jpeg({ quality: 90 }).toBuffer();
    encodedBytes += bytes.length;
    const dir = join(root, "images", `class-${i % CLASSES}`);
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, `img-${i}.${png ? "png" : "jpg"}`), bytes);
  }
  const options = {
    dir: join(root, "images"),
    imageSize: size,
    cacheDir: join(root, "cache"),
    validationFraction: 0.1,
  };
  const timed = async () => {
    const t0 = performance.now();
    const opened = await loadImageFolder(options);
    return { seconds: (performance.now() - t0) / 1000, opened };
  };
  const loadBefore = loadavg()[0]!;
  const first = await timed();
  const second = await timed();
  const decoded = first.opened.report.train.decoded + first.opened.report.test.decoded;
  const cached = second.opened.report.train.fromCache + second.opened.report.test.fromCache;
  if (decoded !== count || cached !== count)
    throw new Error(`expected ${count} decodes then ${count} cache hits, got ${decoded} and ${cached}`);

  // Streaming reads: batches of 256 random training images from the cache.
  const train = second.opened.train;
  const batch = Math.min(256, train.count);
  const sampler = new Rng(1);
  const t0 = performance.now();
  let read = 0;
  for (let k = 0; k < 8; k++) {
    await train.read(Array.from({ length: batch }, () => sampler.int(train.count)));
    read += batch;
  }
  const readSeconds = (performance.now() - t0) / 1000;

  const result = {
    bench: "image-folder-decode",
    command: `npx tsx bench/image-folder-decode.ts --images ${count} --size ${size}`,
    date: new Date().toISOString(),
    machine: {
      cpu: cpus()[0]?.model,
      cores: cpus().length,
      loadAverage1m: { before: loadBefore, after: loadavg()[0] },
      node: process.version,
      sharp: sharp.versions.sharp,
      libvips: sharp.versions.vips,
    },
    images: {
      count,
      encodedMB: Number((encodedBytes / 1e6).toFixed(1)),
      sizes: "200–400 × 150–350 px, 80 % JPEG q90, 20 % PNG",
      decodedTo: `${size}x${size} RGB`,
    },
    firstOpen: {
      seconds: Number(first.seconds.toFixed(2)),
      imagesPerSecond: Math.round(count / first.seconds),
      what: "read + sha256 + sharp decode + resize + cache write",
    },
    secondOpen: {
      seconds: Number(second.seconds.toFixed(2)),
      imagesPerSecond: Math.round(count / second.seconds),
      what: "read + sha256 + cache lookup (no decode)",
    },
    cachedBatchReads: {
      imagesPerSecond: Math.round(read / readSeconds),
      what: `batches of ${batch} random images read from the cache (streaming mode's reads)`,
    },
  };
  writeFileSync(values.out, `${JSON.stringify(result, null, 2)}\n`);
  console.log(`image folder of ${count} images (${result.images.encodedMB} MB encoded) → ${size}x${size}`);
  console.log(
    `first open  (decode + cache) ${String(result.firstOpen.imagesPerSecond).padStart(7)} images/s  (${result.firstOpen.seconds} s)`,
  );
  console.log(
    `second open (cache hits)     ${String(result.secondOpen.imagesPerSecond).padStart(7)} images/s  (${result.secondOpen.seconds} s)`,
  );
  console.log(`batch reads from the cache   ${String(result.cachedBatchReads.imagesPerSecond).padStart(7)} images/s`);
  console.log(`wrote ${values.out}`);
} finally {
  rmSync(root, { recursive: true, force: true });
}
