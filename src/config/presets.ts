import type { FrameworkName } from "../frameworks/framework.js";
import { FRAMEWORKS } from "../frameworks/frameworks.js";
import type { PretrainConfig } from "./pretrain-config.js";
import { dataSizeDefaults } from "./data-size-defaults.js";

export type PresetName = "cpu" | "cpu-long" | "gpu" | "cifar" | "imagenet";

/**
 * Values shared by the small-image presets. Sources: MoCo v2 + MixMask release (docs/METHODS.md#release-hyper-parameters) for the method
 * constants, the Un-Mix MoCo CIFAR demo for small-image choices (CIFAR stem, k-NN monitor with k = 200, T = 0.1).
 */
const COMMON = {
  dataset: "fashion-mnist",
  imageSize: 28,
  arch: "resnet18",
  cifarStem: true,
  headOutDim: 128,
  sgdMomentum: 0.9,
  warmupEpochs: 0,
  framework: "mocov2",
  symmetric: false,
  keyMomentumSchedule: "constant",
  // Method: MixMask block mask g = 4 (7-px cells at 28 px, as the release's code default), half the cells kept.
  masker: "mixmask",
  maskShape: "block",
  maskGrid: 4,
  keepRatio: 0.5,
  maskPerSample: false,
  mixPartner: "auto",
  eraseFill: "zero",
  // Un-Mix (Shen et al. 2022): λ ~ Beta(1, 1); global blend or CutMix box with probability ½ each.
  unmixAlpha: 1,
  unmixCutmixProbability: 0.5,
  // CIFAR-scale optimisation of the same lineage (docs/METHODS.md#release-hyper-parameters): lr 0.06 at batch 128–512, wd 5e-4, m = 0.99.
  lr: 0.06,
  weightDecay: 5e-4,
  keyMomentum: 0.99,
  bnSplits: 8,
  // MoCo v2 augmentation without blur (28-px images); crops are set per preset.
  cropScaleMax: 1,
  jitterProbability: 0.8,
  jitterStrength: 0.4,
  grayscaleProbability: 0.2,
  blurProbability: 0,
  blurSigmaMax: 2,
  knnK: 200,
  knnTemperature: 0.1,
  seed: 0,
  checkpointEvery: 1,
  plansInFlight: 4,
  device: "auto",
  threads: 0,
  channelsLast: true,
  compile: "off",
  runDir: "runs/latest",
} as const;

/**
 * CPU quick-start: sized so `npm start` finishes in under 10 minutes on 2 cores. Chosen by the recipe search recorded
 * in docs/CPU_RECIPE.md (gentle crops and a 1024-key queue were the only MixMask settings that did not lose k-NN
 * accuracy at this budget); a smoke-scale run, not a result — the README says what it does and does not show.
 */
export const CPU_PRESET: PretrainConfig = {
  ...COMMON,
  trainImages: 10_000,
  testImages: 2_000,
  baseWidth: 16,
  headHiddenDim: 128,
  predictorHiddenDim: 128,
  batchSize: 128,
  epochs: 8,
  queueSize: 1024,
  temperature: 0.2,
  cropScaleMin: 0.8,
  precision: "fp32",
};

/**
 * CPU, an hour: the quick-start's network and data with MoCo v2's crops (0.2–1), K = 4096, the CIFAR demo's T = 0.1
 * and 80 epochs (6 240 steps), the k-NN monitor every 5 epochs. Chosen by the recorded search in
 * docs/CPU_LONG_RECIPE.md (its MixMask encoder beat the centred pixels by 3.0 k-NN and 5.2 probe points, seed 0),
 * where the curves of `none`, MixMask and erase stand beside the pixels and the untrained encoder.
 * test/config/cpu-long-record.test.ts fails when this recipe no longer matches those recorded runs.
 */
export const CPU_LONG_PRESET: PretrainConfig = {
  ...CPU_PRESET,
  epochs: 80,
  queueSize: 4096,
  temperature: 0.1,
  cropScaleMin: 0.2,
  knnEvery: 5,
};

/**
 * GPU: full-width ResNet-18 on all of Fashion-MNIST for about a minute of training on an H100. CIFAR-scale recipe of
 * the same lineage (docs/METHODS.md#release-hyper-parameters: batch 512, wd 5e-4, K = 4096, m = 0.99) with MoCo v2's
 * T = 0.2 and the gentler crop that the CPU recipe search favoured on 28-px images (docs/CPU_RECIPE.md); no blur at
 * 28 px; bf16. lr 0.03, not the lineage's 0.06: at width 64, 0.06 collapsed the MixMask embeddings on an H100, and
 * the CPU measurements of docs/GPU_FOUNDATION.md ("The cause") found it a step twice too large for that width —
 * 0.03 is the healthy width-16 lr (0.06) scaled by √(16 / 64). Not yet confirmed on a GPU.
 */
export const GPU_PRESET: PretrainConfig = {
  ...COMMON,
  trainImages: 60_000,
  testImages: 10_000,
  baseWidth: 64,
  headHiddenDim: 512,
  predictorHiddenDim: 512,
  batchSize: 512,
  epochs: 8,
  queueSize: 4096,
  temperature: 0.2,
  cropScaleMin: 0.5,
  lr: 0.03,
  precision: "bf16",
};

/**
 * The CIFAR recipe of the MixMask lineage (docs/METHODS.md#release-hyper-parameters, the Un-Mix MoCo CIFAR demo): ResNet-18 with a 3×3 stride-1
 * stem and no max-pool, batch 512, lr 0.06, wd 5e-4, cosine, K = 4096, m = 0.99, T = 0.1, 32-px crops with
 * torchvision's default scale (0.08–1), no blur, k-NN monitor k = 200, t = 0.1; 200 epochs (the demo's default; the
 * Un-Mix README's numbers are after 1000). Block mask g = 4 at 32 px (8-px cells). It trains on CIFAR-10 (`--data-dir`
 * with its binary files): a recipe named for CIFAR that silently trained on Fashion-MNIST would report numbers
 * nobody could compare; `--dataset` still picks another (the views then take that dataset's own image side).
 */
export const CIFAR_PRESET: PretrainConfig = {
  ...COMMON,
  dataset: "cifar10",
  imageSize: 32,
  trainImages: 50_000,
  testImages: 10_000,
  baseWidth: 64,
  headHiddenDim: 512,
  predictorHiddenDim: 512,
  batchSize: 512,
  epochs: 200,
  queueSize: 4096,
  temperature: 0.1,
  cropScaleMin: 0.08,
  precision: "bf16",
};

/**
 * The MixMask release's ImageNet-1K recipe (docs/METHODS.md#release-hyper-parameters): ResNet-50, 224 px, SGD lr 0.03 at batch 256, momentum
 * 0.9, wd 1e-4, cosine, 200 epochs; MoCo dim 128, K = 65536, m = 0.999, T = 0.2, 2048→2048→128 head; MoCo v2
 * augmentation (crop 0.2–1, jitter 0.4/0.1 with p 0.8, grayscale 0.2, blur σ 0.1–2 with p 0.5, flip); block mask
 * g = 8, half kept; shuffle-BN over 8 GPUs of 32 images, emulated on one device by 8 BN groups; fp32 as released.
 * It reads an image folder (`--data-dir` with train/ and val/, `--decode-size` as wanted), for the reason the CIFAR
 * preset reads CIFAR-10.
 */
export const IMAGENET_PRESET: PretrainConfig = {
  ...COMMON,
  dataset: "image-folder",
  imageSize: 224,
  cifarStem: false,
  arch: "resnet50",
  trainImages: 60_000,
  testImages: 10_000,
  baseWidth: 64,
  headHiddenDim: 2048,
  predictorHiddenDim: 512,
  batchSize: 256,
  epochs: 200,
  lr: 0.03,
  weightDecay: 1e-4,
  queueSize: 65_536,
  keyMomentum: 0.999,
  temperature: 0.2,
  cropScaleMin: 0.2,
  blurProbability: 0.5,
  maskGrid: 8,
  precision: "fp32",
};

export const PRESETS: Record<PresetName, PretrainConfig> = {
  cpu: CPU_PRESET,
  "cpu-long": CPU_LONG_PRESET,
  gpu: GPU_PRESET,
  cifar: CIFAR_PRESET,
  imagenet: IMAGENET_PRESET,
};

/**
 * What changes when a preset is used with another framework than MoCo v2. Sources: BYOL's cosine τ from its base to
 * 1 and its symmetric loss (Grill et al. 2020; base 0.99 as solo-learn's CIFAR config, 0.996 on ImageNet); SimSiam's
 * symmetric D/2 + D/2 and its predictor bottleneck of a quarter of the projection width (Chen & He 2021); SimCLR's
 * NT-Xent with T = 0.2 (solo-learn's CIFAR config). Everything else stays the preset's.
 */
export function frameworkDefaults(
  framework: FrameworkName,
  preset: Pick<PretrainConfig, "imageSize" | "headHiddenDim" | "headOutDim">,
): Partial<PretrainConfig> {
  switch (framework) {
    case "mocov2":
      return {};
    case "simclr":
      return { temperature: 0.2 };
    case "byol":
      return {
        symmetric: true,
        keyMomentum: preset.imageSize >= 128 ? 0.996 : 0.99,
        keyMomentumSchedule: "cosine",
        predictorHiddenDim: preset.headHiddenDim,
      };
    case "simsiam":
      return { symmetric: true, predictorHiddenDim: Math.max(4, Math.floor(preset.headOutDim / 4)) };
  }
}

/**
 * A config to validate: the preset, then the chosen framework's defaults, then what the user gave (unvalidated: an
 * unknown framework name adds no defaults and is reported by validatePretrainConfig).
 */
export function resolveConfig(
  preset: PresetName,
  given: Readonly<Partial<Record<keyof PretrainConfig, unknown>>> = {},
): Record<string, unknown> {
  const base = PRESETS[preset];
  const framework = given.framework ?? base.framework;
  // Defaults follow what the user chose too (a --head-out-dim sizes SimSiam's bottleneck, an --image-size BYOL's τ).
  const chosen = { ...base, ...given } as PretrainConfig;
  const defaults =
    typeof framework === "string" && FRAMEWORK_NAMES.includes(framework as FrameworkName)
      ? frameworkDefaults(framework as FrameworkName, chosen)
      : {};
  return { ...base, ...defaults, ...dataSizeDefaults(base, given), ...given };
}

const FRAMEWORK_NAMES = Object.keys(FRAMEWORKS) as FrameworkName[];
