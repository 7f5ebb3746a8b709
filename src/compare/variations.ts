import { CLI_OPTIONS, parseFlagValue } from "../config/cli-options.js";
import { flagName, type PretrainConfig } from "../config/pretrain-config.js";
import { MixmaskError } from "../errors.js";

/** One configuration of a comparison: a name and the options it sets on top of the shared ones. */
export interface Variation {
  name: string;
  overrides: Partial<Record<keyof PretrainConfig, unknown>>;
}

/**
 * Parses `--vary` specs, e.g. ["masker=none,mixmask,erase"] or ["framework=mocov2,byol", "maskGrid=4,7"], into
 * configurations: the cartesian product of the varied options, named "masker=none", "framework=byol maskGrid=7", ….
 * Keys are pretrain options, camelCase or as flags (mask-grid).
 */
export function parseVariations(specs: string[]): Variation[] {
  if (specs.length === 0) {
    throw new MixmaskError({
      code: "INVALID_OPTION",
      path: "--vary",
      message: "no configurations to compare",
      fix: "add e.g. --vary masker=none,mixmask,erase (repeat --vary to combine options)",
    });
  }
  let product: Variation[] = [{ name: "", overrides: {} }];
  const seen = new Set<string>();
  for (const spec of specs) {
    const eq = spec.indexOf("=");
    const rawKey = eq > 0 ? spec.slice(0, eq).replace(/^--/, "") : "";
    const key = rawKey.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
    const option = CLI_OPTIONS.find(([k]) => k === key);
    if (!option) {
      throw new MixmaskError({
        code: "INVALID_OPTION",
        path: "--vary",
        message: `"${spec}" does not name a pretrain option`,
        expected: `OPTION=VALUE,VALUE,… with OPTION one of ${CLI_OPTIONS.map(([k]) => k).join(", ")}`,
        received: spec,
      });
    }
    if (seen.has(key))
      throw new MixmaskError({
        code: "INVALID_OPTION",
        path: "--vary",
        message: `${flagName(key)} is varied twice`,
        fix: "list all its values in one --vary",
      });
    seen.add(key);
    // A list-valued option (semiSupervised) cannot be split on commas; it is varied with ";" instead.
    const values = spec
      .slice(eq + 1)
      .split(option[1] === "numbers" ? ";" : ",")
      .map((v) => v.trim());
    if (values.some((v) => v === "") || new Set(values).size !== values.length) {
      throw new MixmaskError({
        code: "INVALID_OPTION",
        path: "--vary",
        message: `"${spec}" needs distinct, non-empty values`,
        received: spec,
      });
    }
    product = product.flatMap((v) =>
      values.map((raw) => ({
        name: `${v.name}${v.name ? " " : ""}${key}=${raw}`,
        overrides: { ...v.overrides, [key]: parseFlagValue(option[1], raw) },
      })),
    );
  }
  return product;
}

/** A file-system-safe folder name for a configuration. */
export function folderOf(name: string): string {
  return name.replace(/[^A-Za-z0-9.=_-]+/g, "_");
}
