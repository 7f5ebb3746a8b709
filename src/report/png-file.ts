import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import sharp from "sharp";
import { writeFileAtomic } from "../io/atomic-write.js";

/** Rasterises an SVG document to a PNG file (sharp's librsvg: no browser), written atomically. */
export async function writeSvgAsPng(svg: string, file: string): Promise<void> {
  const png = await sharp(Buffer.from(svg), { density: 144 }).png({ compressionLevel: 9 }).toBuffer();
  mkdirSync(dirname(file), { recursive: true });
  writeFileAtomic(file, png);
}
