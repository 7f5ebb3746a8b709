// Your own images: pretrain on a folder with one sub-folder of images per class. This story draws its own folder —
// circles, squares and stripes in random colours, sizes and places — so it runs anywhere; point `dir` at your photos.
//
//   npx tsx examples/03-custom-image-folder.ts          # 400 images per class, 32 × 32 px, 10 epochs: 140 steps,
//                                                       # measured 14 min on 2 cores shared with other jobs (their
//                                                       # load slows torch's threads tenfold; minutes when idle)
//   npx tsx examples/03-custom-image-folder.ts --tiny   # 40 images per class, 3 epochs (CI)
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import sharp from "sharp";
import { CPU_PRESET, loadImageFolder, pretrain, validatePretrainConfig, Worker } from "mixmask";
import { Rng } from "mixmask/method";
import { exampleDir, heading, sized, table, TINY, TINY_MODEL, WORKER_OPTIONS } from "./support/example-size.js";

const SIDE = 32;
const PER_CLASS = sized(400, 40);
const CLASSES = ["circles", "squares", "stripes"] as const;

/** One image as SVG: a shape of the class on a background, both in random colours; sharp rasterises it. */
function drawing(kind: (typeof CLASSES)[number], rng: Rng): string {
  const colour = () => `rgb(${rng.int(256)},${rng.int(256)},${rng.int(256)})`;
  const size = rng.uniform(8, 20);
  const x = rng.uniform(2, SIDE - size - 2);
  const y = rng.uniform(2, SIDE - size - 2);
  const fill = colour();
  const shape =
    kind === "circles"
      ? `<circle cx="${x + size / 2}" cy="${y + size / 2}" r="${size / 2}" fill="${fill}"/>`
      : kind === "squares"
        ? `<rect x="${x}" y="${y}" width="${size}" height="${size}" fill="${fill}" transform="rotate(${rng.uniform(-20, 20)} ${x + size / 2} ${y + size / 2})"/>`
        : Array.from(
            { length: 4 },
            (_, i) =>
              `<rect x="0" y="${i * 8 + rng.uniform(0, 3)}" width="${SIDE}" height="${rng.uniform(2, 4)}" fill="${fill}"/>`,
          ).join("");
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${SIDE}" height="${SIDE}"><rect width="100%" height="100%" fill="${colour()}"/>${shape}</svg>`;
}

heading("1. A folder of images");
const dir = join(exampleDir("image-folder"), "images");
const rng = Rng.stream(7, "example-images");
for (const kind of CLASSES) {
  mkdirSync(join(dir, kind), { recursive: true });
  for (let i = 0; i < PER_CLASS; i++) {
    await sharp(Buffer.from(drawing(kind, rng)))
      .png()
      .toFile(join(dir, kind, `${String(i).padStart(4, "0")}.png`));
  }
}
console.log(`${dir}/{${CLASSES.join(",")}}/NNNN.png: ${PER_CLASS} PNGs per class, ${SIDE} × ${SIDE} RGB`);

heading("2. Reading it");
// One pool of class folders: a seeded quarter of each class is held out as the test split (k-NN queries).
// Decoded pixels are cached by content hash, so a second run does not decode again.
const splits = await loadImageFolder({ dir, imageSize: SIDE, validationFraction: 0.25 });
table([
  ["split", "images", "classes", "size"],
  [
    "train",
    String(splits.train.count),
    splits.train.classNames.join(", "),
    `${splits.train.height} × ${splits.train.width} × ${splits.train.channels}`,
  ],
  [
    "test",
    String(splits.test.count),
    splits.test.classNames.join(", "),
    `${splits.test.height} × ${splits.test.width} × ${splits.test.channels}`,
  ],
]);

heading("3. Pretraining on it");
const config = validatePretrainConfig({
  ...CPU_PRESET,
  ...(TINY ? { ...TINY_MODEL, batchSize: 32, epochs: 3 } : { epochs: 10, batchSize: 64 }),
  dataset: "image-folder",
  dataDir: dir,
  imageSize: SIDE,
  trainImages: splits.train.count,
  testImages: splits.test.count,
  knnK: Math.min(CPU_PRESET.knnK, splits.train.count),
  runDir: join(dir, "..", "run"),
});
await using worker = await Worker.spawn(WORKER_OPTIONS);
const summary = await pretrain(config, { worker, datasets: splits });
table([
  ["k-NN top-1 on the held-out images", "untrained", "trained"],
  [
    `(${CLASSES.length} classes, chance ${(1 / CLASSES.length).toFixed(3)})`,
    summary.knnInit.top1.toFixed(4),
    summary.knnFinal.top1.toFixed(4),
  ],
]);
console.log(`\n${summary.steps} steps; the run is in ${config.runDir}`);
if (TINY) console.log("(tiny size: these numbers are noise)");
