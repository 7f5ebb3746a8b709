import { PNG } from "pngjs";
import type { PreviewBatch } from "./preview-batch.js";

const GAP = 4;
const BACKGROUND = 40;

/**
 * A PNG grid of a preview: one row per sample, one column per picture (batch.columns order), each image enlarged by
 * nearest neighbour to about 96 pixels so 28-px images stay legible, on a dark background.
 */
export function renderPreviewPng(batch: PreviewBatch): Buffer {
  const s = batch.imageSize;
  const scale = Math.max(1, Math.floor(96 / s));
  const cell = s * scale;
  const cols = batch.columns.length;
  const width = GAP + cols * (cell + GAP);
  const height = GAP + batch.samples * (cell + GAP);
  const png = new PNG({ width, height });
  png.data.fill(BACKGROUND);
  for (let i = 3; i < png.data.length; i += 4) png.data[i] = 255;
  batch.columns.forEach((column, c) => {
    for (let m = 0; m < batch.samples; m++) {
      const x0 = GAP + c * (cell + GAP);
      const y0 = GAP + m * (cell + GAP);
      for (let y = 0; y < cell; y++) {
        for (let x = 0; x < cell; x++) {
          const from = ((m * s + Math.floor(y / scale)) * s + Math.floor(x / scale)) * 3;
          const to = ((y0 + y) * width + x0 + x) * 4;
          png.data[to] = column.pixels[from]!;
          png.data[to + 1] = column.pixels[from + 1]!;
          png.data[to + 2] = column.pixels[from + 2]!;
        }
      }
    }
  });
  return PNG.sync.write(png);
}
