import type { PretrainConfig } from "../config/pretrain-config.js";
import { FRAMEWORKS } from "../frameworks/frameworks.js";

const MASKER_TITLES = { none: "", mixmask: " + MixMask", unmix: " + Un-Mix", both: " + MixMask + Un-Mix", erase: " + erase masking" } as const;

/** "MoCo v2 + MixMask (block g=4)", "BYOL (symmetric) + erase masking (block g=4, zero)", … for logs and reports. */
export function describeMethod(config: PretrainConfig): string {
  const cells = config.masker !== "none" && config.masker !== "unmix";
  const mask = cells ? ` (${config.maskShape} g=${config.maskGrid}${config.maskPerSample ? ", per sample" : ""}${config.masker === "erase" ? `, ${config.eraseFill}` : ""})` : "";
  return `${FRAMEWORKS[config.framework].title}${config.symmetric ? " (symmetric)" : ""}${MASKER_TITLES[config.masker]}${mask}`;
}
