import type { PretrainConfig } from "./pretrain-config.js";

type Given = Readonly<Partial<Record<keyof PretrainConfig, unknown>>>;

/**
 * Defaults that follow the amount of data: a preset's k-NN k (200) cannot exceed the memory bank, which holds the
 * training images, so with fewer `--train-images` and no `--knn-k` the default becomes the bank's size. An explicit
 * `--knn-k` is kept and checked (pretrain-config.ts says which flag to change).
 */
export function dataSizeDefaults(
  base: Pick<PretrainConfig, "knnK" | "trainImages">,
  given: Given,
): Partial<PretrainConfig> {
  const trainImages = given.trainImages ?? base.trainImages;
  if (given.knnK !== undefined || typeof trainImages !== "number" || !Number.isInteger(trainImages) || trainImages < 1)
    return {};
  return trainImages < base.knnK ? { knnK: trainImages } : {};
}

/** The note to print when a default was lowered that way, or undefined. */
export function dataSizeNote(
  base: Pick<PretrainConfig, "knnK">,
  given: Given,
  resolved: Pick<PretrainConfig, "knnK" | "trainImages">,
): string | undefined {
  if (given.knnK !== undefined || resolved.knnK >= base.knnK) return undefined;
  return `note: k-NN uses k = ${resolved.knnK}, all ${resolved.trainImages} training images (the preset's k = ${base.knnK} is more than --train-images); set --knn-k to choose`;
}
