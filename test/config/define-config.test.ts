import { describe, expect, it } from "vitest";
import { defineConfig } from "../../src/config/define-config.js";
import { CPU_PRESET, GPU_PRESET } from "../../src/config/presets.js";
import { MixmaskError } from "../../src/errors.js";

function invalid(run: () => unknown): MixmaskError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(MixmaskError);
    return error as MixmaskError;
  }
  throw new Error("expected an INVALID_OPTION error");
}

describe("defineConfig", () => {
  it("fills what is not given from the cpu preset, or the preset named", () => {
    const config = defineConfig({ epochs: 1, masker: "erase" });
    expect(config).toMatchObject({
      epochs: 1,
      masker: "erase",
      batchSize: CPU_PRESET.batchSize,
      trainImages: CPU_PRESET.trainImages,
    });
    expect(defineConfig({ preset: "gpu" }).trainImages).toBe(GPU_PRESET.trainImages);
  });

  it("rejects wrong types at compile time", () => {
    // Each line must fail `tsc` (npm run typecheck): @ts-expect-error is itself an error when the line compiles.
    // @ts-expect-error "cutout" is not a masker
    expect(() => defineConfig({ masker: "cutout" })).toThrow(MixmaskError);
    // @ts-expect-error batchSize is a number, not a string
    expect(() => defineConfig({ batchSize: "64" })).toThrow(MixmaskError);
    // @ts-expect-error no such option
    expect(() => defineConfig({ bachSize: 64 })).toThrow(MixmaskError);
  });

  it("names API keys, not CLI flags, in what it cannot check at compile time", () => {
    const error = invalid(() => defineConfig({ batchSize: 0, knnK: 1.5 }));
    expect(error.code).toBe("INVALID_OPTION");
    expect(error.issues.map((i) => i.path).sort()).toEqual(["batchSize", "knnK"]);
    expect(error.message).not.toMatch(/--batch-size/);
    expect(error.fix).toMatch(/PretrainConfig/);
    const fromJavaScript = invalid(() => defineConfig(JSON.parse('{"trainImagez": 10}') as object));
    expect(fromJavaScript.issues[0]?.path).toBe("trainImagez");
  });
});
