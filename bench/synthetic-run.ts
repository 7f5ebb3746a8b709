// What bench/throughput.ts and bench/bridge-overhead.ts share: one training configuration built from their command
// line (a preset plus overrides) and synthetic uint8 images of that configuration's shape. Pixel content does not
// change a step's cost, so random bytes stand in for a dataset.
import { validatePretrainConfig, type PretrainConfig } from "../src/config/pretrain-config.js";
import { resolveConfig, type PresetName } from "../src/config/presets.js";
import type { ImageDataset } from "../src/data/image-dataset.js";
import { Rng } from "../src/random/rng.js";

/** The flags both benches accept (node:util parseArgs options). */
export const RUN_FLAGS = {
  preset: { type: "string", default: "cpu" },
  count: { type: "string", default: "4096" },
  "source-size": { type: "string" },
  "source-channels": { type: "string", default: "3" },
  arch: { type: "string" },
  "image-size": { type: "string" },
  batch: { type: "string" },
  "base-width": { type: "string" },
  precision: { type: "string" },
  framework: { type: "string" },
  masker: { type: "string" },
  compile: { type: "string" },
  "cifar-stem": { type: "string" },
  "head-hidden": { type: "string" },
  "plans-in-flight": { type: "string" },
  "blur-probability": { type: "string" },
  device: { type: "string", default: "auto" },
  threads: { type: "string", default: "0" },
} as const;

export type RunFlagValues = { [K in keyof typeof RUN_FLAGS]?: string };

/** The configuration the flags describe, with enough epochs for `totalSteps` steps. */
export function benchConfig(flags: RunFlagValues, totalSteps: number): PretrainConfig {
  const count = Number(flags.count);
  const given: Record<string, unknown> = {
    trainImages: count,
    testImages: 16,
    knnK: 8,
    device: flags.device,
    threads: Number(flags.threads),
  };
  const numeric: [string, string | undefined][] = [
    ["imageSize", flags["image-size"]],
    ["batchSize", flags.batch],
    ["baseWidth", flags["base-width"]],
    ["headHiddenDim", flags["head-hidden"]],
    ["plansInFlight", flags["plans-in-flight"]],
    ["blurProbability", flags["blur-probability"]],
  ];
  for (const [key, raw] of numeric) if (raw !== undefined) given[key] = Number(raw);
  for (const [key, raw] of [
    ["arch", flags.arch],
    ["precision", flags.precision],
    ["framework", flags.framework],
    ["masker", flags.masker],
    ["compile", flags.compile],
  ] as const)
    if (raw !== undefined) given[key] = raw;
  if (flags["cifar-stem"] !== undefined) given.cifarStem = flags["cifar-stem"] === "true";
  const preset = flags.preset as PresetName;
  const probe = validatePretrainConfig(resolveConfig(preset, given));
  const perEpoch = Math.floor(count / probe.batchSize);
  return validatePretrainConfig(resolveConfig(preset, { ...given, epochs: Math.ceil(totalSteps / perEpoch) + 1 }));
}

/** `count` random images of side `source-size` (default: the config's view size). */
export function syntheticImages(flags: RunFlagValues, config: PretrainConfig): ImageDataset {
  const count = Number(flags.count);
  const side = Number(flags["source-size"] ?? config.imageSize);
  const channels = Number(flags["source-channels"]) as 1 | 3;
  const pixels = new Uint8Array(count * side * side * channels);
  const rng = Rng.stream(0, "synthetic-pixels");
  for (let i = 0; i < pixels.length; i += 4) {
    const word = rng.nextUint32();
    pixels[i] = word & 255;
    pixels[i + 1] = (word >>> 8) & 255;
    pixels[i + 2] = (word >>> 16) & 255;
    pixels[i + 3] = word >>> 24;
  }
  return {
    name: "synthetic",
    split: "train",
    count,
    height: side,
    width: side,
    channels,
    pixels,
    labels: new Int32Array(count),
    numClasses: 1,
    classNames: ["x"],
  };
}

/** Records as the plain loop reads them: each a little-endian u32 length, then the bytes. */
export function lengthPrefixed(records: Uint8Array[]): Buffer {
  return Buffer.concat(
    records.flatMap((r) => {
      const size = Buffer.alloc(4);
      size.writeUInt32LE(r.length);
      return [size, Buffer.from(r)];
    }),
  );
}
