import { PRESETS, resolveConfig, type PresetName } from "./presets.js";
import { validatePretrainConfig, type PretrainConfig } from "./pretrain-config.js";

/**
 * The options an app sets, typed: every key of PretrainConfig, each optional, with its exact type (so
 * `masker: "cutout"` or `batchSize: "64"` fails to compile), plus the preset the rest comes from.
 */
export type PretrainConfigInput = Partial<PretrainConfig> & {
  /** The preset that fills every option not given. Default "cpu". */
  preset?: PresetName;
};

/**
 * A complete, validated pretraining config from the options an app cares about:
 * `pretrain(defineConfig({ epochs: 1, masker: "mixmask" }), { worker })`. TypeScript checks each option's type at
 * compile time; values it cannot check (ranges, `batchSize` ≤ `trainImages`, unknown keys from plain JavaScript) are
 * checked here and reported as one MixmaskError INVALID_OPTION listing every problem by its key (`batchSize`).
 */
export function defineConfig(input: PretrainConfigInput = {}): PretrainConfig {
  const { preset = "cpu", ...given } = input;
  if (!(preset in PRESETS)) {
    return validatePretrainConfig({ ...given, preset }, { names: "keys" });
  }
  return validatePretrainConfig(resolveConfig(preset, given), { names: "keys" });
}
