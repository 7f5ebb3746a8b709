// Image search in Node: pretrain, export the backbone to ONNX, then — with the worker gone — embed a gallery with
// onnxruntime-node and answer "which images look like this one?" by cosine similarity. This is the path a Node
// service or a search index takes: no Python at query time.
//
//   npx tsx examples/04-image-search.ts          # 10 000 training images, 4 epochs (312 steps, about 3 minutes on
//                                                # 2 idle cores); a gallery of 2 000 test images
//   npx tsx examples/04-image-search.ts --tiny   # 256 training images, 2 epochs; a gallery of 128 (CI)
import { join } from "node:path";
import sharp from "sharp";
import {
  CPU_PRESET,
  exportRun,
  loadFashionMnist,
  OnnxEmbedder,
  pretrain,
  validatePretrainConfig,
  Worker,
  type Embeddings,
  type ImageDataset,
} from "mixmask";
import { exampleDir, heading, sized, table, TINY, TINY_MODEL, WORKER_OPTIONS } from "./support/example-size.js";

const K = 5;
const QUERIES = 5;

/** The k rows most similar to row q (unit rows: the dot product is the cosine), best first, q itself left out. */
function nearest(unit: Embeddings, q: number, k: number): { index: number; cosine: number }[] {
  const query = unit.row(q);
  const scored: { index: number; cosine: number }[] = [];
  for (let i = 0; i < unit.count; i++) {
    if (i === q) continue;
    const row = unit.row(i);
    let dot = 0;
    for (let j = 0; j < unit.dim; j++) dot += query[j]! * row[j]!;
    scored.push({ index: i, cosine: dot });
  }
  return scored.sort((a, b) => b.cosine - a.cosine).slice(0, k);
}

/** A contact sheet: one row per query, the query then its neighbours, each image scaled ×3. */
async function contactSheet(gallery: ImageDataset, rows: number[][], file: string): Promise<void> {
  const scale = 3;
  const cell = gallery.height * scale + 4;
  const width = rows[0]!.length * cell;
  const height = rows.length * cell;
  const raw = new Uint8Array(width * height).fill(255);
  rows.forEach((indices, r) =>
    indices.forEach((index, c) => {
      for (let y = 0; y < gallery.height * scale; y++) {
        for (let x = 0; x < gallery.width * scale; x++) {
          const pixel =
            gallery.pixels[
              index * gallery.height * gallery.width * gallery.channels +
                (Math.floor(y / scale) * gallery.width + Math.floor(x / scale)) * gallery.channels
            ]!;
          raw[(r * cell + 2 + y) * width + c * cell + 2 + x] = 255 - pixel; // Fashion-MNIST is white on black: invert
        }
      }
    }),
  );
  await sharp(raw, { raw: { width, height, channels: 1 } })
    .png()
    .toFile(file);
}

heading("1. Train and export");
const dir = exampleDir("image-search");
const config = validatePretrainConfig({
  ...CPU_PRESET,
  ...sized({ epochs: 4 }, { ...TINY_MODEL, trainImages: 256, testImages: 128, epochs: 2 }),
  runDir: join(dir, "run"),
});
{
  await using worker = await Worker.spawn(WORKER_OPTIONS);
  const summary = await pretrain(config, { worker });
  console.log(
    `pretrained ${config.arch} width ${config.baseWidth}: k-NN top-1 ${summary.knnInit.top1.toFixed(4)} → ${summary.knnFinal.top1.toFixed(4)}`,
  );
  const exported = await exportRun(worker, { runDir: config.runDir, outDir: join(dir, "export"), formats: ["onnx"] });
  console.log(`backbone.onnx: ${(exported.files.onnx!.bytes / 1e6).toFixed(1)} MB, ${exported.files.onnx!.check}`);
} // the worker is closed here: everything below runs in Node alone

heading("2. Embed a gallery with onnxruntime-node");
const { test: gallery } = await loadFashionMnist({ trainImages: 8, testImages: config.testImages });
await using onnx = await OnnxEmbedder.open(join(dir, "export"));
const started = performance.now();
const unit = await onnx.embed(gallery, { normalize: true });
const seconds = (performance.now() - started) / 1000;
console.log(
  `${unit.count} images → ${unit.count} × ${unit.dim} unit vectors in ${seconds.toFixed(2)} s (${(unit.count / seconds).toFixed(0)} images/s)`,
);

heading("3. Search");
const names = gallery.classNames;
const sheetRows: number[][] = [];
for (let q = 0; q < QUERIES; q++) {
  const hits = nearest(unit, q, K);
  sheetRows.push([q, ...hits.map((h) => h.index)]);
  console.log(`query ${q} (${names[gallery.labels[q]!]}):`);
  table(
    hits.map((h, rank) => [
      `  ${rank + 1}.`,
      `#${h.index}`,
      names[gallery.labels[h.index]!]!,
      `cosine ${h.cosine.toFixed(3)}`,
      gallery.labels[h.index] === gallery.labels[q] ? "same class" : "",
    ]),
  );
}
// How often do the K nearest neighbours share the query's class, over every gallery image as a query?
let same = 0;
for (let q = 0; q < unit.count; q++)
  for (const h of nearest(unit, q, K)) if (gallery.labels[h.index] === gallery.labels[q]) same++;
console.log(
  `\nprecision@${K} over all ${unit.count} queries: ${(same / (unit.count * K)).toFixed(3)} (chance ≈ ${(1 / gallery.numClasses).toFixed(3)})`,
);
const sheet = join(dir, "search-results.png");
await contactSheet(gallery, sheetRows, sheet);
console.log(`contact sheet (query, then its ${K} neighbours, one row per query): ${sheet}`);
if (TINY) console.log("(tiny size: a barely trained network; run without --tiny for a real search)");
