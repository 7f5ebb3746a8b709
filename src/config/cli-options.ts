import type { PretrainConfig } from "./pretrain-config.js";

export type FlagKind = "number" | "boolean" | "string" | "numbers";

/** Every pretrain option: its kind and help. Keys are PretrainConfig fields; flags are their kebab-case names. */
export const CLI_OPTIONS: [keyof PretrainConfig, FlagKind, string][] = [
  [
    "dataset",
    "string",
    "fashion-mnist | cifar10 | cifar100 | tiny-imagenet | image-folder | synthetic (docs/DATASETS.md)",
  ],
  ["dataDir", "string", "the dataset's folder (fashion-mnist default /usr/share/datasets/fashion-mnist)"],
  [
    "decodeSize",
    "number",
    "image-folder / tiny-imagenet / synthetic: decode (resize, centre-crop) or draw images to this side",
  ],
  ["skipBadImages", "boolean", "image-folder / tiny-imagenet: skip unusable images and report how many (true/false)"],
  ["streaming", "boolean", "push each step's batch instead of uploading the training set (true/false)"],
  ["streamBufferBatches", "number", "streaming: batches buffered at most (default 8)"],
  ["lane", "string", "auto | zmq | grpc: transport of dataset bytes (auto: zmq when the worker has pyzmq)"],
  ["trainImages", "number", "training images, also the k-NN memory bank"],
  ["testImages", "number", "test images for k-NN"],
  ["arch", "string", "resnet18 | resnet34 | resnet50"],
  ["baseWidth", "number", "width of the first ResNet stage (64 = torchvision)"],
  ["cifarStem", "boolean", "3x3 stride-1 stem without max-pool (true/false)"],
  ["headHiddenDim", "number", "projection head hidden width"],
  ["headOutDim", "number", "projection head output dimension"],
  ["imageSize", "number", "side of the training views in pixels"],
  ["batchSize", "number", "images per step"],
  ["epochs", "number", "passes over the training images"],
  ["lr", "number", "base learning rate (cosine to 0)"],
  ["warmupEpochs", "number", "linear warm-up epochs"],
  ["sgdMomentum", "number", "SGD momentum"],
  ["weightDecay", "number", "SGD weight decay"],
  ["framework", "string", "mocov2 | simclr | byol | simsiam"],
  ["symmetric", "boolean", "both views as query, each direction weighing 1/2 (true/false)"],
  ["queueSize", "number", "MoCo queue size K"],
  ["temperature", "number", "InfoNCE / NT-Xent temperature T"],
  ["keyMomentum", "number", "momentum encoder m (MoCo) or base tau (BYOL)"],
  ["keyMomentumSchedule", "string", "constant | cosine (BYOL: tau rises to 1)"],
  ["predictorHiddenDim", "number", "BYOL/SimSiam predictor hidden width"],
  ["bnSplits", "number", "BatchNorm groups of the global batch, keys shuffled across them (shuffle-BN; 1 = off)"],
  ["masker", "string", "none | mixmask | unmix | both | erase"],
  ["maskShape", "string", "block | discrete"],
  ["maskGrid", "number", "mask grid side g"],
  ["keepRatio", "number", "fraction of mask cells kept from the original image"],
  ["keepRatioEnd", "number", "optional: keep ratio at the last step (linear from --keep-ratio)"],
  ["maskPerSample", "boolean", "one mask per sample instead of per batch (true/false)"],
  ["mixPartner", "string", "auto | reverse | permutation"],
  ["eraseFill", "string", "erase baseline fill: zero | mean | noise"],
  ["unmixAlpha", "number", "Un-Mix: lambda ~ Beta(alpha, alpha)"],
  ["unmixCutmixProbability", "number", "Un-Mix: probability of a CutMix box instead of a blend"],
  ["cropScaleMin", "number", "random resized crop: smallest area fraction"],
  ["cropScaleMax", "number", "random resized crop: largest area fraction"],
  ["jitterProbability", "number", "probability of colour jitter"],
  ["jitterStrength", "number", "brightness/contrast/saturation strength (hue = strength/4)"],
  ["grayscaleProbability", "number", "probability of grayscale"],
  ["blurProbability", "number", "probability of Gaussian blur"],
  ["blurSigmaMax", "number", "largest blur σ in output pixels (smallest 0.1)"],
  ["knnK", "number", "k-NN neighbours"],
  ["knnTemperature", "number", "k-NN vote temperature"],
  ["knnEvery", "number", "k-NN monitor every N epochs during pretraining (0: before and after only)"],
  [
    "onCollapse",
    "string",
    "warn | stop: what a learning-health collapse warning does (default warn; stop: checkpoint and exit 3)",
  ],
  ["linearProbe", "boolean", "linear probe of the untrained and trained backbone (true/false, default true)"],
  ["linearProbeEpochs", "number", "linear probe epochs (release protocol: 100, lr x0.1 at 60 % and 80 %)"],
  [
    "semiSupervised",
    "numbers",
    "semi-supervised fine-tuning label fractions, comma-separated, e.g. 0.01,0.1 (default none)",
  ],
  ["seed", "number", "seed of every random choice"],
  ["checkpointEvery", "number", "checkpoint every N epochs (0: at the end only)"],
  ["plansInFlight", "number", "plans sent ahead of results"],
  ["device", "string", "auto | cpu | cuda"],
  ["threads", "number", "torch threads in the worker (0 = default)"],
  ["precision", "string", "fp32 | bf16 (CUDA only)"],
  ["channelsLast", "boolean", "channels_last memory format, on the CPU and CUDA (false: contiguous)"],
  [
    "compile",
    "string",
    "off | default | reduce-overhead | max-autotune: torch.compile the encoders, which fuses their kernels (for small, launch-bound networks on a GPU); the first steps are slow while it compiles; reduce-overhead also captures CUDA graphs on a GPU",
  ],
  [
    "runDir",
    "string",
    "output folder (default: a new runs/<date>-<time>, linked as runs/latest; --resume: runs/latest)",
  ],
  [
    "ranks",
    "number",
    "torch.distributed ranks sharing each step; > 1 starts a local torchrun group (docs/DISTRIBUTED.md)",
  ],
  ["syncBatchNorm", "boolean", "ranks > 1: SyncBatchNorm over the global batch in the online encoder (GPUs only)"],
];

/**
 * A number written the way the help and the docs write them (`0.03`, `-1`, `1e-4`, `.5`), or undefined. `Number()`
 * alone also reads `0x10`, `0b11`, `0o7` and `Infinity`: a typo such as `--lr 0x10` would train at lr 16.
 */
const DECIMAL = /^\s*[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?\s*$/i;

function decimalNumber(raw: string): number | undefined {
  const n = Number(raw);
  return DECIMAL.test(raw) && Number.isFinite(n) ? n : undefined;
}

export function parseFlagValue(kind: FlagKind, raw: string): unknown {
  if (kind === "number") return decimalNumber(raw) ?? raw; // zod then names the option and what it accepts
  if (kind === "boolean") return raw === "true" ? true : raw === "false" ? false : raw;
  if (kind === "numbers") {
    const parts = raw.split(",").map((p) => p.trim());
    return parts.every((p) => decimalNumber(p) !== undefined) ? parts.map(Number) : raw;
  }
  return raw;
}
