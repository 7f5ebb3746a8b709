import { access, readFile } from "node:fs/promises";
import { join } from "node:path";
import { MixmaskError } from "../errors.js";
import type { DatasetSplits } from "./image-source.js";
import { openRecordFiles, type RecordLayout } from "./record-file-source.js";

/**
 * CIFAR-10 and CIFAR-100 in their **binary version** (Krizhevsky 2009, https://www.cs.toronto.edu/~kriz/cifar.html),
 * the archives `cifar-10-binary.tar.gz` and `cifar-100-binary.tar.gz` extracted:
 *
 *     cifar-10-batches-bin/   data_batch_1.bin … data_batch_5.bin, test_batch.bin, batches.meta.txt
 *                             record = <1 byte label 0–9> <3072 bytes: 1024 red, 1024 green, 1024 blue, row-major 32×32>
 *     cifar-100-binary/       train.bin, test.bin, coarse_label_names.txt, fine_label_names.txt
 *                             record = <1 byte coarse label 0–19> <1 byte fine label 0–99> <3072 pixel bytes>
 *
 * `dir` may name the extracted folder itself or the folder that holds it. Images come out 32×32 RGB, HWC. Every
 * file's length and every label byte are checked when the dataset is opened.
 */
export interface CifarOptions {
  /** The extracted folder (`cifar-10-batches-bin` / `cifar-100-binary`) or its parent. */
  dir: string;
}

export interface Cifar100Options extends CifarOptions {
  /** Which label to train and evaluate with: the 100 fine classes or the 20 superclasses. Default "fine". */
  labels?: "fine" | "coarse";
}

const SIDE = 32;
const CIFAR10_FOLDER = "cifar-10-batches-bin";
const CIFAR100_FOLDER = "cifar-100-binary";
const CIFAR10_TRAIN = [1, 2, 3, 4, 5].map((k) => `data_batch_${k}.bin`);

/** CIFAR-10: 50 000 training and 10 000 test images of 10 classes (names from batches.meta.txt). */
export async function loadCifar10(options: CifarOptions): Promise<DatasetSplits> {
  const dir = await locateFolder(options.dir, CIFAR10_FOLDER, "test_batch.bin", "cifar-10-binary.tar.gz");
  const files = [...CIFAR10_TRAIN, "test_batch.bin", "batches.meta.txt"];
  await requireFiles(dir, files, "CIFAR-10", "cifar-10-binary.tar.gz");
  const classNames = await readNames(join(dir, "batches.meta.txt"), 10);
  const layout: RecordLayout = {
    labelBytes: 1,
    labelByte: 0,
    labelLimits: [10],
    labelNames: ["label"],
    height: SIDE,
    width: SIDE,
    channels: 3,
  };
  const [train, test] = await Promise.all([
    openRecordFiles({
      name: "cifar10",
      split: "train",
      files: CIFAR10_TRAIN.map((f) => join(dir, f)),
      layout,
      classNames,
    }),
    openRecordFiles({ name: "cifar10", split: "test", files: [join(dir, "test_batch.bin")], layout, classNames }),
  ]);
  return { train: train!, test: test! };
}

/** CIFAR-100: 50 000 training and 10 000 test images; 100 fine classes in 20 superclasses. */
export async function loadCifar100(options: Cifar100Options): Promise<DatasetSplits> {
  const dir = await locateFolder(options.dir, CIFAR100_FOLDER, "test.bin", "cifar-100-binary.tar.gz");
  await requireFiles(
    dir,
    ["train.bin", "test.bin", "fine_label_names.txt", "coarse_label_names.txt"],
    "CIFAR-100",
    "cifar-100-binary.tar.gz",
  );
  const fine = (options.labels ?? "fine") === "fine";
  const classNames = fine
    ? await readNames(join(dir, "fine_label_names.txt"), 100)
    : await readNames(join(dir, "coarse_label_names.txt"), 20);
  const layout: RecordLayout = {
    labelBytes: 2,
    labelByte: fine ? 1 : 0,
    labelLimits: [20, 100],
    labelNames: ["coarse label", "fine label"],
    height: SIDE,
    width: SIDE,
    channels: 3,
  };
  const name = fine ? "cifar100" : "cifar100-coarse";
  const [train, test] = await Promise.all([
    openRecordFiles({ name, split: "train", files: [join(dir, "train.bin")], layout, classNames }),
    openRecordFiles({ name, split: "test", files: [join(dir, "test.bin")], layout, classNames }),
  ]);
  return { train: train!, test: test! };
}

/** `dir` itself when it holds `marker`, else `dir/folder` when that does; else DATASET_MISSING with the fix. */
async function locateFolder(dir: string, folder: string, marker: string, archive: string): Promise<string> {
  for (const candidate of [dir, join(dir, folder)]) {
    if (await exists(join(candidate, marker))) return candidate;
  }
  throw new MixmaskError({
    code: "DATASET_MISSING",
    path: dir,
    message: `no ${folder}/ with ${marker} in ${dir}`,
    expected: `${dir}/${marker} or ${dir}/${folder}/${marker}`,
    fix: `extract ${archive} (the binary version, not the python or matlab one) and pass --data-dir the folder it made or its parent`,
  });
}

async function requireFiles(dir: string, files: string[], dataset: string, archive: string): Promise<void> {
  const found = await Promise.all(files.map((f) => exists(join(dir, f))));
  const missing = files.filter((_, i) => !found[i]);
  if (missing.length > 0) {
    throw new MixmaskError({
      code: "DATASET_MISSING",
      path: dir,
      message: `${dataset} files missing in ${dir}: ${missing.join(", ")}`,
      issues: missing.map((f) => ({ path: join(dir, f), message: "file not found" })),
      fix: `extract ${archive} completely`,
    });
  }
}

/** Class names, one per non-empty line. */
async function readNames(file: string, expected: number): Promise<string[]> {
  const names = (await readFile(file, "utf8"))
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l.length > 0);
  if (names.length !== expected) {
    throw new MixmaskError({
      code: "INVALID_FILE",
      path: file,
      message: `expected one class name per line, ${expected} in all`,
      expected: `${expected} names`,
      received: `${names.length} names`,
      fix: "re-extract the dataset archive",
    });
  }
  return names;
}

async function exists(file: string): Promise<boolean> {
  try {
    await access(file);
    return true;
  } catch {
    return false;
  }
}
