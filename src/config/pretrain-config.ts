import { z } from "zod";
import { MixmaskError, type ErrorIssue } from "../errors.js";

/**
 * Every option of a pretraining run, validated before any work starts. Units are in the names where they matter.
 * Defaults come from a preset (src/config/presets.ts); this schema only says what is allowed.
 */
export const PretrainConfigSchema = z
  .object({
    /** Dataset to pretrain on. Only Fashion-MNIST (Debian's dataset-fashion-mnist) for now. */
    dataset: z.literal("fashion-mnist"),
    /** Folder holding the four IDX files; default /usr/share/datasets/fashion-mnist. */
    dataDir: z.string().min(1).optional(),
    /** Training images (the first N of the training split); also the k-NN memory bank. */
    trainImages: z.number().int().min(8).max(60_000),
    /** Test images the k-NN top-1 is measured on (the first N of the test split). */
    testImages: z.number().int().min(10).max(10_000),
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
    /** MoCo: negatives in the queue (K), temperature (T) and key-encoder momentum (m). */
    queueSize: z.number().int().min(16).max(1_048_576),
    temperature: z.number().positive().max(10),
    keyMomentum: z.number().min(0).max(1),
    /** Shuffle-BN on one device: both encoders normalise this many groups of a batch separately; keys are shuffled first. */
    bnSplits: z.number().int().min(1).max(512),
    /** "mixmask" mixes the query view with its partner; "none" is plain MoCo v2. */
    masker: z.enum(["mixmask", "none"]),
    /** MixMask block mask: grid side g and the fraction of cells kept from the original image. */
    maskGrid: z.number().int().min(3).max(64),
    keepRatio: z.number().gt(0).lt(1),
    /** MoCo v2 augmentation (METHOD.md §5); σ in output pixels. */
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
    /** One seed drives every random choice of the method (sampler, augmentation, masks, weight init). */
    seed: z.number().int().min(0).max(2 ** 31 - 1),
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
    /** Output folder: config.json, metrics.jsonl, checkpoints/, summary.json. */
    runDir: z.string().min(1),
  })
  .strict()
  .superRefine((c, ctx) => {
    if (c.cropScaleMin > c.cropScaleMax) {
      ctx.addIssue({ code: "custom", path: ["cropScaleMin"], message: `must be ≤ cropScaleMax (${c.cropScaleMax})` });
    }
    if (c.batchSize > c.trainImages) {
      ctx.addIssue({ code: "custom", path: ["batchSize"], message: `must be ≤ trainImages (${c.trainImages}); every step uses a full batch` });
    }
    if (c.warmupEpochs >= c.epochs) {
      ctx.addIssue({ code: "custom", path: ["warmupEpochs"], message: `must be < epochs (${c.epochs}); the cosine decay needs steps after the warm-up` });
    }
    if (c.masker === "mixmask" && c.maskGrid > c.imageSize) {
      ctx.addIssue({ code: "custom", path: ["maskGrid"], message: `must be ≤ imageSize (${c.imageSize}): a mask cell cannot be smaller than a pixel` });
    }
    if (c.queueSize < c.batchSize) {
      ctx.addIssue({ code: "custom", path: ["queueSize"], message: `must be ≥ batchSize (${c.batchSize}): every step enqueues a batch of keys` });
    }
    if (c.batchSize % c.bnSplits !== 0) {
      ctx.addIssue({ code: "custom", path: ["bnSplits"], message: `must divide batchSize (${c.batchSize})` });
    }
    if (c.knnK > c.trainImages) {
      ctx.addIssue({ code: "custom", path: ["knnK"], message: `must be ≤ trainImages (${c.trainImages}), the size of the memory bank` });
    }
    const kept = Math.floor(c.keepRatio * c.maskGrid * c.maskGrid);
    if (c.masker === "mixmask" && (kept < 1 || kept >= c.maskGrid * c.maskGrid)) {
      ctx.addIssue({ code: "custom", path: ["keepRatio"], message: `keeps ${kept} of ${c.maskGrid ** 2} cells; choose a ratio that keeps between 1 and g²−1 cells` });
    }
  });

export type PretrainConfig = z.infer<typeof PretrainConfigSchema>;

/** camelCase option → the CLI flag users type. */
export function flagName(option: string): string {
  return `--${option.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}

/** Validates a full config; lists every problem with the flag to change and what it accepts. */
export function validatePretrainConfig(input: unknown): PretrainConfig {
  const parsed = PretrainConfigSchema.safeParse(input);
  if (parsed.success) return parsed.data;
  const issues: ErrorIssue[] = parsed.error.issues.map((issue) => {
    const key = issue.path.map(String).join(".");
    if (issue.code === "unrecognized_keys") {
      // A key that no flag could spell (found by fuzzing: " " became "-- ") is quoted as it came.
      const named = issue.keys.map((k) => (/^[a-z][A-Za-z0-9]*$/.test(k) ? flagName(k) : JSON.stringify(k)));
      return { path: named.join(", "), message: "unknown option", expected: `one of ${Object.keys(PretrainConfigSchema.shape).map(flagName).join(" ")}` };
    }
    if (key === "") return { path: "options", message: issue.message, expected: "an object of pretrain options", received: typeof input };
    return { path: flagName(key), message: issue.message, expected: describeExpected(key), received: JSON.stringify(readPath(input, issue.path)) };
  });
  throw new MixmaskError({
    code: "INVALID_OPTION",
    message: `${issues.length} invalid option${issues.length > 1 ? "s" : ""}`,
    issues,
    fix: "see `mixmask pretrain --help` for every option, its unit and default",
  });
}

function describeExpected(key: string): string | undefined {
  const field = (PretrainConfigSchema.shape as Record<string, z.ZodType>)[key];
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
  for (const key of path) value = value && typeof value === "object" ? (value as Record<PropertyKey, unknown>)[key] : undefined;
  return value;
}
