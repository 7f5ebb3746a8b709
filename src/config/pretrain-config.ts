import { z } from "zod";
import { DATASET_NAMES } from "../data/dataset-names.js";
import { MixmaskError, type ErrorIssue } from "../errors.js";
import { distributedIssues } from "../distributed/distributed-options.js";
import { MASKER_NAMES, maskerIssues, type MaskerName } from "../maskers/maskers.js";

/** Values of `compile`: eager, or a torch.compile mode (proto CreateRunRequest.compile). */
export const COMPILE_MODES = ["off", "default", "reduce-overhead", "max-autotune"] as const;
export type CompileMode = (typeof COMPILE_MODES)[number];

/**
 * Every option of a pretraining run, validated before any work starts. Units are in the names where they matter.
 * Defaults come from a preset (src/config/presets.ts); this schema only says what is allowed.
 */
export const PretrainConfigSchema = z
  .object({
    /** Dataset to pretrain on (docs/DATASETS.md): its reader and the layout `dataDir` must have. */
    dataset: z.enum(DATASET_NAMES),
    /** The dataset's folder. Fashion-MNIST: default /usr/share/datasets/fashion-mnist; synthetic: none; others: required. */
    dataDir: z.string().min(1).optional(),
    /** Training images (the first N of the training split; synthetic: how many to generate); also the k-NN memory bank. */
    trainImages: z.number().int().min(8).max(1_000_000_000),
    /** Test images the k-NN top-1 is measured on (the first N of the test/validation split). */
    testImages: z.number().int().min(10).max(10_000_000),
    // --- datasets and data lanes (docs/DATASETS.md); optional so that presets need not name them ---
    /** image-folder, tiny-imagenet, synthetic: side S the images are decoded (resized, centre-cropped) or drawn to. */
    decodeSize: z.number().int().min(8).max(4096).optional(),
    /** image-folder, tiny-imagenet: skip unusable images (and report how many) instead of failing. Default false. */
    skipBadImages: z.boolean().optional(),
    /** Push each step's batch to the worker instead of uploading the training set (larger than its memory). Default false. */
    streaming: z.boolean().optional(),
    /** Streaming: batches buffered at most, in the worker and unconsumed in the SDK. Default 8. */
    streamBufferBatches: z.number().int().min(1).max(1024).optional(),
    /** Transport of dataset bytes: zeromq when the worker has pyzmq ("auto"), or forced. Default "auto". */
    lane: z.enum(["auto", "zmq", "grpc"]).optional(),
    /** Backbone: torchvision-compatible ResNet. */
    arch: z.enum(["resnet18", "resnet34", "resnet50"]),
    /** Width of the first stage (64 = torchvision); small widths make CPU runs feasible. */
    baseWidth: z.number().int().min(4).max(256),
    /** 3x3 stride-1 stem without max-pool, for small images (CIFAR-style). */
    cifarStem: z.boolean(),
    /** Projection head: hidden width and output dimension (MoCo v2: 2048 → 128 for ResNet-50). */
    headHiddenDim: z.number().int().min(8).max(8192),
    headOutDim: z.number().int().min(8).max(4096),
    /** Side of every training view in pixels after the random resized crop. */
    imageSize: z.number().int().min(8).max(1024),
    batchSize: z.number().int().min(4).max(8192),
    epochs: z.number().int().min(1).max(100_000),
    /** Base learning rate of SGD; cosine-decayed to 0 per step (warm-up optional). */
    lr: z.number().positive().max(100),
    warmupEpochs: z.number().int().min(0),
    sgdMomentum: z.number().min(0).max(0.9999),
    weightDecay: z.number().min(0).max(1),
    /** Siamese framework: MoCo v2 (the release's), SimCLR, BYOL or SimSiam (src/frameworks/). */
    framework: z.enum(["mocov2", "simclr", "byol", "simsiam"]),
    /** Also use view 1 as the query side against view 0, each direction weighing ½ (BYOL's and SimSiam's loss). */
    symmetric: z.boolean(),
    /** MoCo: negatives in the queue (K). */
    queueSize: z.number().int().min(16).max(1_048_576),
    /** Softmax temperature T of MoCo's InfoNCE and SimCLR's NT-Xent (unused by BYOL and SimSiam). */
    temperature: z.number().positive().max(10),
    /** Momentum encoder's m (MoCo) or τ's base (BYOL), and whether it stays constant or rises to 1 on a cosine. */
    keyMomentum: z.number().min(0).max(1),
    keyMomentumSchedule: z.enum(["constant", "cosine"]),
    /** BYOL and SimSiam: hidden width of the predictor MLP (its output is headOutDim). */
    predictorHiddenDim: z.number().int().min(4).max(8192),
    /**
     * BatchNorm groups of the global batch: both encoders normalise this many groups separately, keys shuffled first
     * (shuffle-BN). With `ranks` R, each rank normalises bnSplits / R groups of its shard.
     */
    bnSplits: z.number().int().min(1).max(512),
    /** "none" (the framework alone), "mixmask", "unmix", "both" (MixMask + Un-Mix) or "erase" (MSCN baseline). */
    masker: z.enum(MASKER_NAMES as [MaskerName, ...MaskerName[]]),
    /** Mask cells: BEiT-style blocks (MixMask's default) or independent cells. */
    maskShape: z.enum(["block", "discrete"]),
    /** Grid side g of the mask. */
    maskGrid: z.number().int().min(2).max(64),
    /** Fraction of mask cells kept from the original image (the rest come from the partner, or are erased). */
    keepRatio: z.number().gt(0).lt(1),
    /** Optional: the keep ratio moves linearly from keepRatio at the first step to this value at the last. */
    keepRatioEnd: z.number().gt(0).lt(1).optional(),
    /** One mask per sample (complementary images then built explicitly) instead of one per batch. */
    maskPerSample: z.boolean(),
    /** MixMask partners: "auto" (reversal for mixmask, random permutation for both, as the release), or forced. */
    mixPartner: z.enum(["auto", "reverse", "permutation"]),
    /** The erase baseline's fill: black pixels, the dataset mean, or N(0, 1) noise in normalised units. */
    eraseFill: z.enum(["zero", "mean", "noise"]),
    /** Un-Mix: λ ~ Beta(α, α), and the probability of a CutMix box instead of a global blend. */
    unmixAlpha: z.number().positive().max(100),
    unmixCutmixProbability: z.number().min(0).max(1),
    /** MoCo v2 augmentation (docs/METHODS.md#release-hyper-parameters); σ in output pixels. */
    cropScaleMin: z.number().gt(0).max(1),
    cropScaleMax: z.number().gt(0).max(1),
    jitterProbability: z.number().min(0).max(1),
    jitterStrength: z.number().min(0).max(1),
    grayscaleProbability: z.number().min(0).max(1),
    blurProbability: z.number().min(0).max(1),
    blurSigmaMax: z.number().min(0.1).max(50),
    /** Weighted k-NN evaluation (Wu et al. 2018): neighbours and temperature. */
    knnK: z.number().int().min(1).max(10_000),
    knnTemperature: z.number().positive().max(10),
    // --- evaluation (docs/EVALUATION.md); optional so that presets and old checkpoints need not name them ---
    /** k-NN monitor: measure k-NN top-1 every N epochs during pretraining (0: only before and after). Default 0. */
    knnEvery: z.number().int().min(0).max(100_000).optional(),
    /** Offline linear probe (release protocol on cached features) of the untrained and the trained backbone. Default true. */
    linearProbe: z.boolean().optional(),
    /** Epochs of the linear probe (release: 100; lr steps at 60 % and 80 % of them). */
    linearProbeEpochs: z.number().int().min(1).max(10_000).optional(),
    /** Semi-supervised fine-tuning with these label fractions, e.g. [0.01, 0.1] (SimCLR protocol). Default none. */
    semiSupervised: z.array(z.number().gt(0).max(1)).max(8).optional(),
    /** One seed drives every random choice of the method (sampler, augmentation, masks, weight init). */
    seed: z
      .number()
      .int()
      .min(0)
      .max(2 ** 31 - 1),
    /**
     * What a collapse warning of the learning-health monitor does (docs/EVALUATION.md, Learning health): "warn" logs it
     * and keeps training; "stop" ends the run with a checkpoint and a LEARNING_COLLAPSED error. Default "warn".
     */
    onCollapse: z.enum(["warn", "stop"]).optional(),
    /** Write a checkpoint every N epochs (0: only at the end). */
    checkpointEvery: z.number().int().min(0),
    /** Plans sent ahead of the results, so the worker never waits for TypeScript. */
    plansInFlight: z.number().int().min(1).max(64),
    device: z.enum(["auto", "cpu", "cuda"]),
    /** torch threads in the worker; 0 = torch's default. */
    threads: z.number().int().min(0).max(1024),
    /** "bf16" autocast on CUDA (fp32 on CPU whatever is chosen). */
    precision: z.enum(["fp32", "bf16"]),
    channelsLast: z.boolean(),
    /**
     * torch.compile mode of the worker's online encoder, predictor and momentum encoder: "off" (eager) or one of
     * torch.compile's modes. Compiling fuses the encoder's kernels; the first steps are slow while it compiles
     * (minutes on a CPU); "reduce-overhead" also captures CUDA graphs on a GPU. Weights and checkpoints are the eager
     * ones, so a run may resume with another mode. Optional so that older configs need not name it. Default "off".
     */
    compile: z.enum(COMPILE_MODES).optional(),
    /** Output folder: config.json, metrics.jsonl, checkpoints/, summary.json. */
    runDir: z.string().min(1),
    // --- scale-out (docs/DISTRIBUTED.md); optional so that presets need not name them ---
    /** torch.distributed ranks sharing every step (a torchrun group: one process per GPU). Default 1. */
    ranks: z.number().int().min(1).max(4096).optional(),
    /** With ranks > 1: the online encoder's BatchNorm normalises the whole global batch (SyncBatchNorm, GPUs only). Default false. */
    syncBatchNorm: z.boolean().optional(),
  })
  .strict()
  .superRefine((c, ctx) => {
    if (c.cropScaleMin > c.cropScaleMax) {
      ctx.addIssue({ code: "custom", path: ["cropScaleMin"], message: `must be ≤ cropScaleMax (${c.cropScaleMax})` });
    }
    if (c.batchSize > c.trainImages) {
      ctx.addIssue({
        code: "custom",
        path: ["batchSize"],
        message: `must be ≤ trainImages (${c.trainImages}); every step uses a full batch: lower --batch-size or raise --train-images`,
      });
    }
    if (c.warmupEpochs >= c.epochs) {
      ctx.addIssue({
        code: "custom",
        path: ["warmupEpochs"],
        message: `must be < epochs (${c.epochs}); the cosine decay needs steps after the warm-up`,
      });
    }
    for (const [option, ratio] of [
      ["keepRatio", c.keepRatio],
      ["keepRatioEnd", c.keepRatioEnd],
    ] as const) {
      if (ratio === undefined) continue;
      for (const issue of maskerIssues({ ...c, keepRatio: ratio }, c.imageSize, option)) {
        if (option === "keepRatioEnd" && issue.path !== option) continue; // reported once, for keepRatio
        ctx.addIssue({ code: "custom", path: [issue.path], message: issue.message });
      }
    }
    if (c.framework === "mocov2" && c.queueSize < c.batchSize) {
      ctx.addIssue({
        code: "custom",
        path: ["queueSize"],
        message: `must be ≥ batchSize (${c.batchSize}): every step enqueues a batch of keys`,
      });
    }
    if (c.batchSize % c.bnSplits !== 0) {
      ctx.addIssue({ code: "custom", path: ["bnSplits"], message: `must divide batchSize (${c.batchSize})` });
    }
    if (c.dataDir === undefined && c.dataset !== "fashion-mnist" && c.dataset !== "synthetic") {
      ctx.addIssue({
        code: "custom",
        path: ["dataDir"],
        message: `is required with --dataset ${c.dataset}: the folder holding its files`,
      });
    }
    for (const issue of distributedIssues(c))
      ctx.addIssue({ code: "custom", path: [issue.path], message: issue.message });
    if (c.knnK > c.trainImages) {
      ctx.addIssue({
        code: "custom",
        path: ["knnK"],
        message: `must be ≤ trainImages (${c.trainImages}), the size of the memory bank: lower --knn-k or raise --train-images`,
      });
    }
  });

export type PretrainConfig = z.infer<typeof PretrainConfigSchema>;

/** camelCase option → the CLI flag users type. */
export function flagName(option: string): string {
  return `--${option.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}
const flagNameOf = flagName;

/**
 * Validates a full config; lists every problem with the option to change and what it accepts. `names`: how options
 * are named in the error — "flags" (`--batch-size`, the CLI's spelling, the default) or "keys" (`batchSize`, for code
 * that builds the object; defineConfig uses it).
 */
export function validatePretrainConfig(input: unknown, options: { names?: "flags" | "keys" } = {}): PretrainConfig {
  const flagName = options.names === "keys" ? (key: string) => key : flagNameOf;
  const parsed = PretrainConfigSchema.safeParse(input);
  if (parsed.success) return parsed.data;
  const issues: ErrorIssue[] = parsed.error.issues.map((issue) => {
    // The flag is the option's; an item of a list option (--semi-supervised 0.01,0) is named in the message.
    const key = issue.path.length > 0 ? String(issue.path[0]) : "";
    const item = issue.path.length > 1 ? `item ${issue.path.slice(1).map(String).join(".")}: ` : "";
    if (issue.code === "unrecognized_keys") {
      // A key that no flag could spell (found by fuzzing: " " became "-- ") is quoted as it came.
      const named = issue.keys.map((k) => (/^[a-z][A-Za-z0-9]*$/.test(k) ? flagName(k) : JSON.stringify(k)));
      return {
        path: named.join(", "),
        message: "unknown option",
        expected: `one of ${Object.keys(PretrainConfigSchema.shape).map(flagName).join(" ")}`,
      };
    }
    if (key === "")
      return {
        path: "options",
        message: issue.message,
        expected: "an object of pretrain options",
        received: typeof input,
      };
    // A cross-option rule's value may lie inside the field's own range: that range would contradict the message.
    const expected = issue.code === "custom" ? undefined : describeExpected(key);
    return {
      path: flagName(key),
      message: `${item}${issue.message}`,
      expected,
      received: JSON.stringify(readPath(input, issue.path)),
    };
  });
  throw new MixmaskError({
    code: "INVALID_OPTION",
    message: `${issues.length} invalid option${issues.length > 1 ? "s" : ""}`,
    issues,
    fix:
      options.names === "keys"
        ? "see PretrainConfig in the API reference (docs/api) for every option, its unit and default"
        : "see `mixmask pretrain --help` for every option, its unit and default",
  });
}

function describeExpected(key: string): string | undefined {
  const declared = (PretrainConfigSchema.shape as Record<string, z.ZodType>)[key];
  const field = declared instanceof z.ZodOptional ? (declared.unwrap() as z.ZodType) : declared;
  if (!field) return undefined;
  if (field instanceof z.ZodEnum) return `one of ${field.options.map((o) => JSON.stringify(o)).join(", ")}`;
  if (field instanceof z.ZodNumber) {
    const lo = field.minValue;
    const hi = field.maxValue;
    return `${field.isInt ? "an integer" : "a number"}${lo !== null && lo !== undefined ? ` ≥ ${lo}` : ""}${hi !== null && hi !== undefined ? ` and ≤ ${hi}` : ""}`;
  }
  if (field instanceof z.ZodBoolean) return "true or false";
  return undefined;
}

function readPath(input: unknown, path: PropertyKey[]): unknown {
  let value: unknown = input;
  for (const key of path)
    value = value && typeof value === "object" ? (value as Record<PropertyKey, unknown>)[key] : undefined;
  return value;
}
