import type { PretrainConfig } from "./pretrain-config.js";

export type PresetName = "cpu" | "gpu";

/**
 * Values shared by every preset. Sources: MoCo v2 + MixMask release (METHOD.md §5) for the method constants,
 * the Un-Mix MoCo CIFAR demo for small-image choices (CIFAR stem, T = 0.1 k-NN monitor with k = 200).
 */
const COMMON = {
  dataset: "fashion-mnist",
  imageSize: 28,
  arch: "resnet18",
  cifarStem: true,
  headOutDim: 128,
  sgdMomentum: 0.9,
  warmupEpochs: 0,
  // Method: MixMask block mask g = 4 (7-px cells at 28 px, as the release's code default), half the cells kept.
  masker: "mixmask",
  maskGrid: 4,
  keepRatio: 0.5,
  // CIFAR-scale optimisation of the same lineage (METHOD.md §5): lr 0.06 at batch 128–512, wd 5e-4, m = 0.99.
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
  batchSize: 128,
  epochs: 8,
  queueSize: 1024,
  temperature: 0.2,
  cropScaleMin: 0.8,
  precision: "fp32",
};

/**
 * GPU: full-width ResNet-18 on all of Fashion-MNIST for about a minute of training on an H100. CIFAR-scale recipe of
 * the same lineage (METHOD.md §5: batch 512, lr 0.06, wd 5e-4, K = 4096, m = 0.99) with MoCo v2's T = 0.2 and the
 * gentler crop that the CPU recipe search favoured on 28-px images (docs/CPU_RECIPE.md); no blur at 28 px; bf16.
 */
export const GPU_PRESET: PretrainConfig = {
  ...COMMON,
  trainImages: 60_000,
  testImages: 10_000,
  baseWidth: 64,
  headHiddenDim: 512,
  batchSize: 512,
  epochs: 8,
  queueSize: 4096,
  temperature: 0.2,
  cropScaleMin: 0.5,
  precision: "bf16",
};

export const PRESETS: Record<PresetName, PretrainConfig> = { cpu: CPU_PRESET, gpu: GPU_PRESET };
