import type { PretrainConfig } from "../config/pretrain-config.js";
import { FRAMEWORKS } from "../frameworks/frameworks.js";
import { MASKERS } from "../maskers/maskers.js";


/** "MoCo v2 + MixMask (block g=4)", "BYOL (symmetric) + erase masking (block g=4, zero)", … for logs and reports. */
export function describeMethod(config: PretrainConfig): string {
  const cells = MASKERS[config.masker].usesCells;
  const mask = cells ? ` (${config.maskShape} g=${config.maskGrid}${config.maskPerSample ? ", per sample" : ""}${config.masker === "erase" ? `, ${config.eraseFill}` : ""})` : "";
  return `${FRAMEWORKS[config.framework].title}${config.symmetric ? " (symmetric)" : ""}${MASKERS[config.masker].title}${mask}`;
}
