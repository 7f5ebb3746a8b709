import { mkdirSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { writeFileAtomic } from "../io/atomic-write.js";
import { importOptional } from "../optional-dependency.js";

type Sharp = typeof import("sharp");
let noted = false;

/**
 * Rasterises an SVG document to a PNG file (sharp's librsvg: no browser), written atomically, and returns the file
 * written. sharp is an optional dependency: without it (the bundled CLI on a GPU machine, an install that skipped
 * it) the plot is written as the SVG itself beside the PNG's name (`loss.png` → `loss.svg`), with one note on stderr.
 */
export async function writeSvgAsPng(svg: string, file: string): Promise<string> {
  mkdirSync(dirname(file), { recursive: true });
  let sharp: Sharp;
  try {
    sharp = await importOptional("sharp", async () => {
      const m = (await import("sharp")) as unknown as { default?: Sharp };
      return m.default ?? (m as unknown as Sharp);
    });
  } catch (error) {
    const svgFile = join(dirname(file), basename(file).replace(/\.png$/i, "") + ".svg");
    if (!noted) {
      noted = true;
      process.stderr.write(`mixmask: plots are written as SVG, not PNG: ${(error as Error).message.split("\n")[0]}\n`);
    }
    writeFileAtomic(svgFile, svg);
    return svgFile;
  }
  const png = await sharp(Buffer.from(svg), { density: 144 }).png({ compressionLevel: 9 }).toBuffer();
  writeFileAtomic(file, png);
  return file;
}
