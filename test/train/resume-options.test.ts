import { describe, expect, it } from "vitest";
import { CPU_PRESET } from "../../src/config/presets.js";
import { MixmaskError } from "../../src/errors.js";
import { assertResumableConfig } from "../../src/train/resume-options.js";

describe("assertResumableConfig", () => {
  it("resumes a run trained compiled without compile and vice versa (same weights and checkpoint keys)", () => {
    expect(() =>
      assertResumableConfig({ ...CPU_PRESET, compile: "default" }, { ...CPU_PRESET, compile: "off" }, "runs/a"),
    ).not.toThrow();
    expect(() =>
      assertResumableConfig(CPU_PRESET, { ...CPU_PRESET, compile: "reduce-overhead" }, "runs/a"),
    ).not.toThrow();
    const { compile: _omitted, ...older } = CPU_PRESET; // a checkpoint from before the option
    expect(() =>
      assertResumableConfig(older, { ...CPU_PRESET, compile: "max-autotune", threads: 2 }, "runs/a"),
    ).not.toThrow();
  });

  it("still refuses a change of what is trained, naming the option and both values", () => {
    let caught: unknown;
    try {
      assertResumableConfig(CPU_PRESET, { ...CPU_PRESET, compile: "default", precision: "bf16" }, "runs/a");
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(MixmaskError);
    expect((caught as MixmaskError).message).toContain('precision "fp32" → "bf16"');
    expect((caught as MixmaskError).message).not.toContain("compile");
  });
});
