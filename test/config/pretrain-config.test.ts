import { describe, expect, it } from "vitest";
import { CLI_OPTIONS, parseFlagValue } from "../../src/config/cli-options.js";
import { PretrainConfigSchema, validatePretrainConfig } from "../../src/config/pretrain-config.js";
import { CPU_PRESET, GPU_PRESET, PRESETS, resolveConfig, type PresetName } from "../../src/config/presets.js";
import { MixmaskError } from "../../src/errors.js";

function invalid(input: unknown): MixmaskError {
  try {
    validatePretrainConfig(input);
  } catch (error) {
    if (error instanceof MixmaskError) return error;
    throw error;
  }
  throw new Error("expected a validation error");
}

describe("pretrain config", () => {
  it("accepts both presets", () => {
    expect(validatePretrainConfig(CPU_PRESET)).toEqual(CPU_PRESET);
    expect(validatePretrainConfig(GPU_PRESET)).toEqual(GPU_PRESET);
  });

  it("names a bad item of a list option by the option's flag and the item's position", () => {
    const e = invalid({ ...CPU_PRESET, semiSupervised: [0.01, 0] });
    expect(e.issues).toHaveLength(1);
    expect(e.issues[0]!.path).toBe("--semi-supervised");
    expect(e.issues[0]!.message).toMatch(/^item 1: /);
    expect(e.issues[0]!.received).toBe("0");
  });

  it("names the flag, the allowed values and what came for an out-of-range or wrong value", () => {
    const e = invalid({ ...CPU_PRESET, batchSize: 2, masker: "cutout" });
    expect(e.code).toBe("INVALID_OPTION");
    const batch = e.issues.find((i) => i.path === "--batch-size");
    expect(batch?.expected).toBe("an integer ≥ 4 and ≤ 8192");
    expect(batch?.received).toBe("2");
    const masker = e.issues.find((i) => i.path === "--masker");
    expect(masker?.expected).toBe('one of "none", "mixmask", "unmix", "both", "erase"');
    expect(e.message).toContain("--masker");
  });

  it("scales the Fashion-MNIST presets' lr with width: the healthy width-16 lr 0.06 × √(16 / base width)", () => {
    // At width 64, lr 0.06 collapsed the gpu preset's MixMask run (docs/GPU_FOUNDATION.md, "The cause").
    const fashion = Object.values(PRESETS).filter((preset) => preset.dataset === "fashion-mnist");
    expect(fashion.map((preset) => preset.baseWidth).sort()).toEqual([16, 16, 64]);
    for (const preset of fashion) expect(preset.lr).toBeCloseTo(0.06 * Math.sqrt(16 / preset.baseWidth), 12);
    expect(GPU_PRESET.lr).toBe(0.03);
  });

  it("accepts every compile mode, defaults to eager in the presets, and names --compile and its modes for a bad one", () => {
    for (const mode of ["off", "default", "reduce-overhead", "max-autotune"])
      expect(validatePretrainConfig({ ...CPU_PRESET, compile: mode }).compile).toBe(mode);
    expect(CPU_PRESET.compile).toBe("off");
    expect(GPU_PRESET.compile).toBe("off");
    const { compile: _omitted, ...older } = CPU_PRESET; // configs written before the option: still valid, eager
    expect(validatePretrainConfig(older).compile).toBeUndefined();
    for (const bad of ["fast", "", true, "Default"]) {
      const e = invalid({ ...CPU_PRESET, compile: bad });
      expect(e.code).toBe("INVALID_OPTION");
      expect(e.issues).toHaveLength(1);
      expect(e.issues[0]).toMatchObject({
        path: "--compile",
        expected: 'one of "off", "default", "reduce-overhead", "max-autotune"',
        received: JSON.stringify(bad),
      });
    }
  });

  it("rejects unknown options and lists the known ones", () => {
    const e = invalid({ ...CPU_PRESET, batchSise: 64 });
    expect(e.issues[0]?.path).toBe("--batch-sise");
    expect(e.issues[0]?.expected).toContain("--batch-size");
  });

  it("checks options against each other", () => {
    const e = invalid({ ...CPU_PRESET, batchSize: 100, bnSplits: 8, cropScaleMin: 0.9, cropScaleMax: 0.5 });
    expect(e.issues.map((i) => i.path).sort()).toEqual(["--bn-splits", "--crop-scale-min"]);
    expect(invalid({ ...CPU_PRESET, maskGrid: 3, keepRatio: 0.05 }).issues[0]?.path).toBe("--keep-ratio");
    expect(invalid({ ...CPU_PRESET, maskGrid: 2 }).issues[0]?.path).toBe("--mask-grid");
    expect(invalid({ ...CPU_PRESET, masker: "erase", maskGrid: 29 }).issues[0]?.message).toMatch(
      /smaller than a pixel/,
    );
    expect(invalid({ ...CPU_PRESET, keepRatioEnd: 0.01 }).issues.map((i) => i.path)).toEqual(["--keep-ratio-end"]);
    expect(invalid({ ...CPU_PRESET, masker: "unmix", maskPerSample: true }).issues[0]?.path).toBe("--mask-per-sample");
    // Discrete masks work from g = 2; Un-Mix alone needs no grid at all; SimCLR needs no queue.
    expect(validatePretrainConfig({ ...CPU_PRESET, maskShape: "discrete", maskGrid: 2 }).maskGrid).toBe(2);
    expect(validatePretrainConfig({ ...CPU_PRESET, masker: "unmix", maskGrid: 2 }).masker).toBe("unmix");
    expect(validatePretrainConfig({ ...CPU_PRESET, framework: "simclr", queueSize: 16 }).framework).toBe("simclr");
    expect(invalid({ ...CPU_PRESET, queueSize: 16 }).issues[0]?.path).toBe("--queue-size");
  });

  it("resolves a framework's defaults between the preset and the user's options", () => {
    const byol = resolveConfig("cpu", { framework: "byol" });
    expect(byol).toMatchObject({
      symmetric: true,
      keyMomentumSchedule: "cosine",
      keyMomentum: 0.99,
      batchSize: CPU_PRESET.batchSize,
    });
    expect(resolveConfig("cpu", { framework: "byol", symmetric: false }).symmetric).toBe(false);
    expect(resolveConfig("imagenet", { framework: "byol" }).keyMomentum).toBe(0.996);
    expect(resolveConfig("cpu", { framework: "simsiam" }).predictorHiddenDim).toBe(32);
    // Defaults follow what the user chose: SimSiam's bottleneck is a quarter of the given projection width.
    expect(resolveConfig("cpu", { framework: "simsiam", headOutDim: 256 }).predictorHiddenDim).toBe(64);
    expect(resolveConfig("cpu", { framework: "byol", imageSize: 224 }).keyMomentum).toBe(0.996);
    for (const preset of Object.keys(PRESETS) as PresetName[]) {
      // cifar and imagenet read files (CIFAR-10, an image folder): they need a --data-dir.
      const dataDir = preset === "cifar" || preset === "imagenet" ? { dataDir: "/data" } : {};
      for (const framework of ["mocov2", "simclr", "byol", "simsiam"] as const)
        expect(() => validatePretrainConfig(resolveConfig(preset, { framework, ...dataDir }))).not.toThrow();
    }
  });

  it("has a CLI flag for every option", () => {
    expect(CLI_OPTIONS.map(([k]) => k).sort()).toEqual(Object.keys(PretrainConfigSchema.shape).sort());
  });

  it("passes unparsable flag text through so the error shows it", () => {
    expect(parseFlagValue("number", "12")).toBe(12);
    expect(parseFlagValue("number", "lots")).toBe("lots");
    expect(parseFlagValue("boolean", "false")).toBe(false);
    expect(invalid({ ...CPU_PRESET, epochs: "lots" }).issues[0]?.received).toBe('"lots"');
  });
});
