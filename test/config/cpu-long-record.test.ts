import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { PretrainConfigSchema } from "../../src/config/pretrain-config.js";
import { resolveConfig } from "../../src/config/presets.js";

// docs/CPU_LONG_RECIPE.md reports runs of `--preset cpu-long` from their recorded config.json files. If the preset
// changes, those numbers no longer describe it: this fails until the runs are measured again (or the change undone).
const RECORD = "bench/results/cpu-long/preset";
// Where a run may differ from the preset without changing what it trains: its folder and its threads.
const NOT_THE_RECIPE = new Set(["runDir", "threads"]);

describe("the recorded runs of --preset cpu-long", () => {
  const runs = existsSync(RECORD)
    ? readdirSync(RECORD).filter((name) => existsSync(join(RECORD, name, "config.json")))
    : [];

  it("include plain MoCo v2 and MixMask", () => {
    const maskers = runs.map((name) => JSON.parse(readFileSync(join(RECORD, name, "config.json"), "utf8")).masker);
    expect(maskers).toEqual(expect.arrayContaining(["none", "mixmask"]));
  });

  it("trained exactly the preset's recipe, with only the masker chosen", () => {
    for (const name of runs) {
      const run = JSON.parse(readFileSync(join(RECORD, name, "config.json"), "utf8")) as Record<string, unknown>;
      const preset = resolveConfig("cpu-long", { masker: run.masker });
      for (const key of Object.keys(PretrainConfigSchema.shape)) {
        if (NOT_THE_RECIPE.has(key)) continue;
        expect({ run: name, key, value: run[key] }).toEqual({ run: name, key, value: preset[key] });
      }
    }
  });
});
