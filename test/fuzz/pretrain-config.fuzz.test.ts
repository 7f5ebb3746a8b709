import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CLI_OPTIONS, parseFlagValue } from "../../src/config/cli-options.js";
import {
  flagName,
  PretrainConfigSchema,
  validatePretrainConfig,
  type PretrainConfig,
} from "../../src/config/pretrain-config.js";
import { CPU_PRESET } from "../../src/config/presets.js";
import { MixmaskError } from "../../src/errors.js";
import { StepPlanner } from "../../src/train/step-planner.js";
import { encodeStepPlan } from "../../src/worker/plan-encoding.js";
import { mixmask } from "../../src/worker/generated/mixmask.js";
import { FuzzTally, fuzzParameters } from "../helpers/fuzz-budget.js";

const KEYS = Object.keys(PretrainConfigSchema.shape) as (keyof PretrainConfig)[];

/** Anything a user, a JSON file or a bug could put into an option. */
const hostileValue = fc.oneof(
  fc.constantFrom(
    0,
    -1,
    1,
    2,
    3,
    4,
    7,
    8,
    16,
    28,
    64,
    0.5,
    1e-9,
    1e9,
    Number.NaN,
    Infinity,
    -Infinity,
    2 ** 31,
    2 ** 53,
    -0,
  ),
  fc.integer({ min: -10, max: 300 }),
  fc.double({ noNaN: false }),
  fc.string({ maxLength: 6 }),
  fc.constantFrom(
    "mixmask",
    "none",
    "resnet18",
    "resnet50",
    "cpu",
    "cuda",
    "auto",
    "bf16",
    "fp32",
    "fashion-mnist",
    "",
    "true",
  ),
  fc.boolean(),
  fc.constant(null),
  fc.constant(undefined),
  fc.array(fc.integer(), { maxLength: 2 }),
  fc.object({ maxDepth: 1, maxKeys: 2 }),
);

/** Overrides of the CPU preset, kept small where the value is valid so that planning stays fast. */
const overrides = fc.dictionary(fc.constantFrom(...KEYS, "unknownOption" as keyof PretrainConfig), hostileValue, {
  maxKeys: 5,
});

function checkValidated(input: Record<string, unknown>, planner: boolean): void {
  let config: PretrainConfig;
  try {
    config = validatePretrainConfig(input);
  } catch (error) {
    // Refusals are INVALID_OPTION with every problem listed, each naming a flag users can type.
    expect(error).toBeInstanceOf(MixmaskError);
    const e = error as MixmaskError;
    expect(e.code).toBe("INVALID_OPTION");
    expect(e.issues.length).toBeGreaterThan(0);
    // Each issue names a flag users can type, an unknown key quoted as it came, or the options as a whole.
    for (const issue of e.issues)
      expect(issue.path).toMatch(/^(--[a-z][a-z0-9-]*|"[^]*"|options)(, (--[a-z][a-z0-9-]*|"[^]*"))*$/);
    return;
  }
  // Accepted: every cross-option rule holds, and the planner can plan the first and the last step.
  expect(config.cropScaleMin).toBeLessThanOrEqual(config.cropScaleMax);
  expect(config.batchSize).toBeLessThanOrEqual(config.trainImages);
  expect(config.batchSize % config.bnSplits).toBe(0);
  expect(config.queueSize).toBeGreaterThanOrEqual(config.batchSize);
  expect(config.warmupEpochs).toBeLessThan(config.epochs);
  if (!planner) return;
  const p = new StepPlanner(config, { count: config.trainImages, height: 28, width: 28, channels: 1 });
  for (const step of [0, p.totalSteps - 1]) {
    const plan = p.plan(step);
    expect(plan.indices.length).toBe(config.batchSize);
    expect(Number.isFinite(plan.lr) && plan.lr >= 0).toBe(true);
    expect(plan.terms.every((t) => Number.isFinite(t.weight) && t.temperature > 0)).toBe(true);
    // What the worker receives decodes to the same plan.
    const wire = mixmask.v1.StepPlan.encode(encodeStepPlan(plan)).finish();
    expect(Number(mixmask.v1.StepPlan.decode(wire).step)).toBe(step);
  }
}

describe("fuzz: config validation", () => {
  it("hostile overrides of a preset are refused with every issue named, or give a config the planner can use", () => {
    const tally = new FuzzTally("config: hostile preset overrides");
    // Planning is skipped for huge valid configs (a batch of thousands is valid, just slow to plan 1000s of times).
    fc.assert(
      fc.property(overrides, (o) => {
        tally.tried();
        const input: Record<string, unknown> = {
          ...CPU_PRESET,
          trainImages: 64,
          batchSize: 16,
          testImages: 32,
          knnK: 10,
          queueSize: 64,
          runDir: "runs/x",
          ...o,
        };
        const small =
          typeof input.batchSize === "number" &&
          input.batchSize <= 256 &&
          typeof input.imageSize === "number" &&
          input.imageSize <= 64;
        checkValidated(input, small);
      }),
      fuzzParameters(),
    );
    expect(tally.report()).toBeGreaterThan(0);
  });

  it("any value typed after any flag is refused with INVALID_OPTION or accepted", () => {
    const tally = new FuzzTally("config: CLI flag strings");
    fc.assert(
      fc.property(
        fc.constantFrom(...CLI_OPTIONS),
        fc.oneof(fc.string({ maxLength: 8 }), fc.constantFrom("1e3", "0x10", " 5", "NaN", "-0", "true", "4.5", "")),
        ([key, kind], raw) => {
          tally.tried();
          checkValidated(
            {
              ...CPU_PRESET,
              trainImages: 64,
              batchSize: 16,
              knnK: 10,
              queueSize: 64,
              runDir: "runs/x",
              [key]: parseFlagValue(kind, raw),
            },
            false,
          );
        },
      ),
      fuzzParameters(),
    );
    expect(tally.report()).toBeGreaterThan(0);
    expect(flagName("plansInFlight")).toBe("--plans-in-flight");
  });

  it("inputs that are not objects at all are refused", () => {
    const tally = new FuzzTally("config: non-object inputs");
    fc.assert(
      fc.property(fc.anything({ maxDepth: 2 }), (input) => {
        tally.tried();
        checkValidated(input as Record<string, unknown>, false);
      }),
      fuzzParameters(0.4),
    );
    expect(tally.report()).toBeGreaterThan(0);
  });
});
