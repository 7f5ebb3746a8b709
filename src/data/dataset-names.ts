/** Datasets `mixmask pretrain --dataset` reads (docs/DATASETS.md). */
export const DATASET_NAMES = [
  "fashion-mnist",
  "cifar10",
  "cifar100",
  "tiny-imagenet",
  "image-folder",
  "synthetic",
] as const;

export type DatasetName = (typeof DATASET_NAMES)[number];
