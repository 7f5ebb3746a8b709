import { MixmaskError } from "../errors.js";
import { loadCifar10, loadCifar100 } from "./cifar.js";
import type { DatasetName } from "./dataset-names.js";
import type { DecodeReport } from "./decoded-image-source.js";
import { loadFashionMnist } from "./fashion-mnist.js";
import { loadImageFolder } from "./image-folder.js";
import { headOf, sourceOf, type DatasetSplits } from "./image-source.js";
import { syntheticDataset } from "./synthetic.js";
import { loadTinyImagenet } from "./tiny-imagenet.js";

export interface OpenDatasetOptions {
  dataset: DatasetName;
  /** The dataset's folder (see each reader); not used by "synthetic". */
  dataDir?: string;
  /** Keep the first N training / test images (synthetic: generate N). */
  trainImages?: number;
  testImages?: number;
  /** image-folder, tiny-imagenet: decode to S×S; synthetic: image side (default 32). */
  decodeSize?: number;
  /** image-folder, tiny-imagenet: skip unusable images and report them. */
  skipBadImages?: boolean;
  /** Decoded-image cache folder (default under io/cache-dir.ts). */
  cacheDir?: string;
  /** Seed of the synthetic dataset and of an image folder's holdout split. */
  seed?: number;
  /** Where to say what was read, decoded, taken from the cache or skipped. */
  log?: (line: string) => void;
}

/** Opens any dataset `mixmask pretrain --dataset` accepts, as a train and a test (validation) source. */
export async function openDataset(options: OpenDatasetOptions): Promise<DatasetSplits> {
  const { dataset, dataDir } = options;
  const log = options.log ?? (() => undefined);
  const needDir = (): string => {
    if (dataDir) return dataDir;
    throw new MixmaskError({
      code: "INVALID_OPTION",
      path: "--data-dir",
      message: `--dataset ${dataset} reads its files from --data-dir`,
      expected: "the dataset's folder",
      received: "nothing",
      fix: "pass --data-dir DIR (docs/DATASETS.md shows the layout each dataset needs)",
    });
  };
  const progress = (split: string, done: number, total: number) => {
    if (done === total) log(`${dataset} ${split}: ${total} images checked`);
  };
  let splits: DatasetSplits;
  switch (dataset) {
    case "fashion-mnist": {
      const { train, test, source } = await loadFashionMnist({
        dir: dataDir,
        trainImages: options.trainImages,
        testImages: options.testImages,
      });
      log(source.description);
      return { train: sourceOf(train), test: sourceOf(test) };
    }
    case "synthetic":
      return syntheticDataset({
        trainImages: options.trainImages ?? 10_000,
        testImages: options.testImages ?? 2_000,
        size: options.decodeSize ?? 32,
        seed: options.seed ?? 0,
      });
    case "cifar10":
      splits = await loadCifar10({ dir: needDir() });
      break;
    case "cifar100":
      splits = await loadCifar100({ dir: needDir() });
      break;
    case "tiny-imagenet": {
      const opened = await loadTinyImagenet({
        dir: needDir(),
        imageSize: options.decodeSize,
        cacheDir: options.cacheDir,
        skipBadImages: options.skipBadImages,
        onProgress: progress,
      });
      reportDecoding(log, dataset, opened.report.train, opened.report.test);
      splits = opened;
      break;
    }
    case "image-folder": {
      const opened = await loadImageFolder({
        dir: needDir(),
        imageSize: options.decodeSize,
        cacheDir: options.cacheDir,
        skipBadImages: options.skipBadImages,
        seed: options.seed,
        onProgress: progress,
      });
      reportDecoding(log, dataset, opened.report.train, opened.report.test);
      if (opened.report.ignoredFiles.length > 0)
        log(
          `${dataset}: ${opened.report.ignoredFiles.length} files that are not .jpg/.jpeg/.png were not read (e.g. ${opened.report.ignoredFiles[0]})`,
        );
      splits = opened;
      break;
    }
  }
  return {
    train: options.trainImages === undefined ? splits.train : headOf(splits.train, options.trainImages),
    test: options.testImages === undefined ? splits.test : headOf(splits.test, options.testImages),
  };
}

function reportDecoding(log: (line: string) => void, dataset: string, ...reports: DecodeReport[]): void {
  const sum = (f: (r: DecodeReport) => number) => reports.reduce((a, r) => a + f(r), 0);
  log(
    `${dataset}: ${sum((r) => r.images)} images, ${sum((r) => r.decoded)} decoded now, ${sum((r) => r.fromCache)} from the decoded-image cache`,
  );
  const skipped = reports.flatMap((r) => r.skipped);
  if (skipped.length > 0) {
    log(
      `${dataset}: skipped ${skipped.length} bad image${skipped.length > 1 ? "s" : ""} (--skip-bad-images), e.g. ${skipped[0]!.file}: ${skipped[0]!.reason}`,
    );
  }
}
