import { access, readFile, readdir } from "node:fs/promises";
import { extname, join } from "node:path";
import { MixmaskError } from "../errors.js";
import { mixmaskCacheDir } from "../io/cache-dir.js";
import { openImageFiles, type DecodeReport, type LabelledImageFile } from "./decoded-image-source.js";
import type { DatasetSplits } from "./image-source.js";

/**
 * Tiny-ImageNet (CS231n, `tiny-imagenet-200.zip` extracted): 200 classes, 500 training and 50 validation JPEGs of
 * 64×64 each. The layout read:
 *
 *     tiny-imagenet-200/wnids.txt                          the 200 class ids (WordNet ids), one per line
 *     tiny-imagenet-200/words.txt                          "<wnid>\t<names>" for ImageNet's synsets (optional)
 *     tiny-imagenet-200/train/<wnid>/images/<wnid>_<k>.JPEG
 *     tiny-imagenet-200/val/images/val_<k>.JPEG
 *     tiny-imagenet-200/val/val_annotations.txt            "<file>\t<wnid>\t<x0>\t<y0>\t<x1>\t<y1>" per image
 *
 * Labels are the index of the wnid in **sorted** order (what torchvision's ImageFolder gives over train/), so
 * weights and label files interoperate. The unlabelled test/ split is not read. `dir` may be the extracted folder
 * or its parent.
 */
export interface TinyImagenetOptions {
  dir: string;
  /** Resize to S×S (shorter side, centre crop). Omitted: images stay 64×64 and any other size is an error. */
  imageSize?: number;
  /** Cache of decoded pixels by content hash. Default `<mixmask cache>/decoded-images`. */
  cacheDir?: string;
  /** Skip unusable images (counted and listed in the report) instead of failing. Default false. */
  skipBadImages?: boolean;
  onProgress?: (split: string, done: number, total: number) => void;
}

export interface TinyImagenetSplits extends DatasetSplits {
  report: { train: DecodeReport; test: DecodeReport };
}

const FOLDER = "tiny-imagenet-200";
const SIDE = 64;

export async function loadTinyImagenet(options: TinyImagenetOptions): Promise<TinyImagenetSplits> {
  const dir = (await exists(join(options.dir, "wnids.txt"))) ? options.dir : join(options.dir, FOLDER);
  const wnidsFile = join(dir, "wnids.txt");
  const annotationsFile = join(dir, "val", "val_annotations.txt");
  const missing = [];
  for (const f of [wnidsFile, join(dir, "train"), annotationsFile]) if (!(await exists(f))) missing.push(f);
  if (missing.length > 0) {
    throw new MixmaskError({
      code: "DATASET_MISSING",
      path: options.dir,
      message: `Tiny-ImageNet not found in ${options.dir}: missing ${missing.join(", ")}`,
      issues: missing.map((f) => ({ path: f, message: "not found" })),
      fix: `extract tiny-imagenet-200.zip and pass --data-dir the ${FOLDER} folder or its parent`,
    });
  }
  const wnids = lines(await readFile(wnidsFile, "utf8"))
    .map((l) => l.text.trim())
    .filter(Boolean);
  const duplicate = wnids.find((w, i) => wnids.indexOf(w) !== i);
  if (wnids.length === 0 || duplicate) {
    throw new MixmaskError({
      code: "INVALID_FILE",
      path: wnidsFile,
      message: duplicate ? `class id ${duplicate} is listed twice` : "no class ids",
      expected: "one distinct WordNet id per line (200 in the real dataset)",
      received: duplicate ?? "an empty file",
      fix: "re-extract tiny-imagenet-200.zip",
    });
  }
  const classes = [...wnids].sort();
  const classNames = await readClassNames(join(dir, "words.txt"), classes);

  const train: LabelledImageFile[] = [];
  const trainFolders = (await readdir(join(dir, "train"), { withFileTypes: true }))
    .filter((e) => e.isDirectory())
    .map((e) => e.name);
  const unlisted = trainFolders.filter((f) => !classes.includes(f));
  if (unlisted.length > 0) {
    throw new MixmaskError({
      code: "INVALID_FILE",
      path: join(dir, "train", unlisted[0]!),
      message: `training folders of classes not in wnids.txt: ${unlisted.join(", ")}`,
      expected: "a folder per wnid of wnids.txt",
      received: unlisted.join(", "),
      fix: "re-extract tiny-imagenet-200.zip, or add the ids to wnids.txt",
    });
  }
  for (const [label, wnid] of classes.entries()) {
    const imagesDir = join(dir, "train", wnid, "images");
    let files: string[];
    try {
      files = (await readdir(imagesDir))
        .filter((f) => extname(f).toLowerCase() === ".jpeg" || extname(f).toLowerCase() === ".jpg")
        .sort();
    } catch {
      throw new MixmaskError({
        code: "DATASET_MISSING",
        path: imagesDir,
        message: `class ${wnid} of wnids.txt has no training images folder`,
        fix: "re-extract tiny-imagenet-200.zip",
      });
    }
    for (const f of files) train.push({ file: join(imagesDir, f), label });
  }

  const test: LabelledImageFile[] = [];
  for (const { text, line, offset } of lines(await readFile(annotationsFile, "utf8"))) {
    if (text.trim() === "") continue;
    const fields = text.split("\t");
    const where = `${annotationsFile}@${offset}`;
    if (fields.length < 2 || !fields[0] || !fields[1]) {
      throw new MixmaskError({
        code: "INVALID_FILE",
        path: where,
        message: `line ${line} is not "<file>\\t<wnid>\\t<box>"`,
        expected: "tab-separated fields: file name, wnid, x0, y0, x1, y1",
        received: JSON.stringify(text.slice(0, 80)),
        fix: "re-extract tiny-imagenet-200.zip",
      });
    }
    const [file, wnid] = fields as [string, string];
    const label = classes.indexOf(wnid);
    if (label < 0) {
      throw new MixmaskError({
        code: "INVALID_FILE",
        path: `${where}`,
        message: `line ${line}: the class of ${file} is not one of wnids.txt (label out of range)`,
        expected: `one of the ${classes.length} wnids of ${wnidsFile}`,
        received: wnid,
        fix: "re-extract tiny-imagenet-200.zip; the annotation file and wnids.txt must come from the same archive",
      });
    }
    const path = join(dir, "val", "images", file);
    if (!(await exists(path))) {
      throw new MixmaskError({
        code: "INVALID_FILE",
        path: where,
        message: `line ${line} names a validation image that does not exist: ${path}`,
        expected: "an existing file in val/images/",
        received: file,
        fix: "re-extract tiny-imagenet-200.zip",
      });
    }
    test.push({ file: path, label });
  }

  const common = {
    target: { size: options.imageSize },
    nativeSize: { width: SIDE, height: SIDE, why: "Tiny-ImageNet's image size" },
    cacheDir: options.cacheDir ?? join(mixmaskCacheDir(), "decoded-images"),
    skipBadImages: options.skipBadImages,
  };
  const trainOpened = await openImageFiles("tiny-imagenet", "train", train, classNames, {
    ...common,
    onProgress: (d, t) => options.onProgress?.("train", d, t),
  });
  const testOpened = await openImageFiles("tiny-imagenet", "val", test, classNames, {
    ...common,
    onProgress: (d, t) => options.onProgress?.("val", d, t),
  });
  return {
    train: trainOpened.source,
    test: testOpened.source,
    report: { train: trainOpened.report, test: testOpened.report },
  };
}

/** Names from words.txt ("<wnid>\t<names>"); the wnid itself where the file or its line is missing. */
async function readClassNames(file: string, classes: string[]): Promise<string[]> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch {
    return [...classes];
  }
  const names = new Map<string, string>();
  for (const { text: l } of lines(text)) {
    const tab = l.indexOf("\t");
    if (tab > 0) names.set(l.slice(0, tab), l.slice(tab + 1).trim());
  }
  return classes.map((w) => names.get(w) ?? w);
}

/** Lines with their 1-based number and the byte offset where each starts (for `file@offset` error paths). */
function lines(text: string): { text: string; line: number; offset: number }[] {
  const out: { text: string; line: number; offset: number }[] = [];
  let offset = 0;
  const parts = text.split("\n");
  for (let i = 0; i < parts.length; i++) {
    const raw = parts[i]!;
    out.push({ text: raw.replace(/\r$/, ""), line: i + 1, offset });
    offset += Buffer.byteLength(raw, "utf8") + 1;
  }
  return out;
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}
