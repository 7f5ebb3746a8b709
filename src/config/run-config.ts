import type { DatasetName } from "../data/dataset-names.js";
import { validatePretrainConfig, type PretrainConfig } from "./pretrain-config.js";
import { PRESETS, resolveConfig, type PresetName } from "./presets.js";

/** Options as the user typed them (parsed, not yet validated). */
export type GivenOptions = Partial<Record<keyof PretrainConfig, unknown>>;

/** What is known about the run when it is resolved; the more, the closer `--print-config` is to the run. */
export interface RunFacts {
  /** The dataset as opened: its image side and split sizes. */
  dataset?: { train: { count: number; height: number; width: number }; test: { count: number } };
  /** The device of the worker the run trains on (`--preset auto` picks by it); unknown before a worker starts. */
  device?: string;
  /** The world size of a torchrun group the run trains on. */
  ranks?: number;
}

export interface ResolvedRun {
  config: PretrainConfig;
  preset: PresetName;
  /** What the resolution decided that the user may not expect (clamped counts, upsampled images, auto preset). */
  notes: string[];
}

/** The side of each format's images as stored; decodable formats (image folders) have none until decoded. */
const NATIVE_SIDE: Partial<Record<DatasetName, number>> = {
  "fashion-mnist": 28,
  cifar10: 32,
  cifar100: 32,
  "tiny-imagenet": 64,
  synthetic: 32,
};
/** Formats decoded from image files (or drawn) at `--decode-size`. */
const DECODED: readonly DatasetName[] = ["tiny-imagenet", "image-folder", "synthetic"];

/** The preset `--preset` names; `auto` by the worker's device (gpu on CUDA, cpu otherwise, and before it is known). */
export function presetOf(flag: PresetName | "auto", device?: string): PresetName {
  return flag === "auto" ? (device?.startsWith("cuda") ? "gpu" : "cpu") : flag;
}

/**
 * The one resolver of a run's options, used by the run itself and by `--print-config` (so what is printed is what
 * trains): the preset, the framework's defaults, the view size from the dataset's own images (or `--decode-size`),
 * the user's options, and counts clamped to the splits' sizes — the config records what is trained on, never more.
 */
export function resolveRun(flag: PresetName | "auto", given: GivenOptions, facts: RunFacts = {}): ResolvedRun {
  const preset = presetOf(flag, facts.device);
  const notes: string[] = [];
  if (flag === "auto" && facts.device === undefined) {
    notes.push(
      "--preset auto is resolved by the worker's device when the run starts (gpu on CUDA, cpu otherwise): shown here is cpu; --preset gpu shows the GPU values",
    );
  }
  const dataset = (given.dataset ?? PRESETS[preset].dataset) as DatasetName;
  const decodeSize = typeof given.decodeSize === "number" ? given.decodeSize : undefined;
  const side = imageSide(dataset, decodeSize, facts.dataset?.train);
  const derived: GivenOptions = {};
  if (side !== undefined && given.imageSize === undefined) derived.imageSize = side;
  if (side === undefined && given.imageSize === undefined)
    notes.push(
      `--dataset ${dataset} without --decode-size: the views take the images' own side once the folder is read (shown: the preset's ${PRESETS[preset].imageSize})`,
    );
  if (facts.ranks !== undefined) derived.ranks = facts.ranks;
  const config = validatePretrainConfig(resolveConfig(preset, { ...derived, ...given }));
  const clamped = facts.dataset && dataset !== "synthetic" ? clampCounts(config, facts.dataset, given, notes) : config;
  const stored = side ?? facts.dataset?.train.height;
  if (stored !== undefined && clamped.imageSize > stored) {
    notes.push(
      `${dataset}'s images are ${stored} px: the ${clamped.imageSize}-px views of --preset ${preset}${given.imageSize !== undefined ? " / --image-size" : ""} are upsampled from them`,
    );
  }
  return { config: clamped, preset, notes };
}

function imageSide(
  dataset: DatasetName,
  decodeSize: number | undefined,
  opened?: { height: number; width: number },
): number | undefined {
  if (opened) return opened.height === opened.width ? opened.height : undefined;
  if (decodeSize !== undefined && DECODED.includes(dataset)) return decodeSize;
  return NATIVE_SIDE[dataset];
}

function clampCounts(
  config: PretrainConfig,
  splits: NonNullable<RunFacts["dataset"]>,
  given: GivenOptions,
  notes: string[],
): PretrainConfig {
  const out = { ...config };
  for (const [key, split, flag] of [
    ["trainImages", splits.train, "--train-images"],
    ["testImages", splits.test, "--test-images"],
  ] as const) {
    if (out[key] <= split.count) continue;
    notes.push(
      `${flag} ${out[key]}${given[key] === undefined ? " (the preset's)" : ""} is more than the split holds: using all ${split.count} images, and recording ${split.count}`,
    );
    out[key] = split.count;
  }
  return validatePretrainConfig(out);
}
