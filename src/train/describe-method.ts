import type { PretrainConfig } from "../config/pretrain-config.js";
import { FRAMEWORKS } from "../frameworks/frameworks.js";
import { MASKERS } from "../maskers/maskers.js";

/** "MoCo v2 + MixMask (block g=4)", "BYOL (symmetric) + erase masking (block g=4, zero)", … for logs and reports. */
export function describeMethod(config: PretrainConfig): string {
  const cells = MASKERS[config.masker].usesCells;
  const mask = cells
    ? ` (${config.maskShape} g=${config.maskGrid}${config.maskPerSample ? ", per sample" : ""}${config.masker === "erase" ? `, ${config.eraseFill}` : ""})`
    : "";
  return `${FRAMEWORKS[config.framework].title}${config.symmetric ? " (symmetric)" : ""}${MASKERS[config.masker].title}${mask}`;
}

const KIND_TITLES = {
  info_nce_queue: "InfoNCE",
  nt_xent: "NT-Xent",
  negative_cosine: "−cos",
  normalized_mse: "MSE",
} as const;

/**
 * The names of a run's loss terms, in the order of the worker's `termLosses` (compose-terms.ts: every query piece of
 * direction 0, then of direction 1 when symmetric): "InfoNCE(q, k)", "λ · InfoNCE(q_mix, k)",
 * "(1 − λ) · InfoNCE(q_mix[inv], k)", … Derived from the config alone, so a page or a report can name the terms of
 * any run directory from its config.json.
 */
export function describeTerms(config: PretrainConfig): string[] {
  const framework = FRAMEWORKS[config.framework];
  const pieces: { weight: string; input: string }[] = [{ weight: "", input: "" }];
  if (config.masker === "erase") pieces.push({ weight: "", input: "_erased" });
  else if (config.masker === "mixmask" || config.masker === "both") {
    if (config.maskPerSample)
      pieces.push({ weight: "λᵢ · ", input: "_mix" }, { weight: "(1 − λᵢ) · ", input: "_comp" });
    else pieces.push({ weight: "λ · ", input: "_mix" }, { weight: "(1 − λ) · ", input: "_mix[inv]" });
  }
  if (config.masker === "unmix" || config.masker === "both")
    pieces.push({ weight: "λ_u · ", input: "_unmix" }, { weight: "(1 − λ_u) · ", input: "_unmix[inv]" });
  const kind = KIND_TITLES[framework.baseTerm("view0", "view1", 1).kind];
  const contrastive = kind === "InfoNCE" || kind === "NT-Xent";
  const [anchor, positive] = contrastive ? ["q", "k"] : ["p", "z"];
  const directions = config.symmetric ? ["", "′"] : [""];
  const scale =
    config.symmetric && framework.symmetricWeight !== 1
      ? `${framework.symmetricWeight === 0.5 ? "½" : framework.symmetricWeight} · `
      : "";
  return directions.flatMap((d) =>
    pieces.map((p) => `${scale}${p.weight}${kind}(${anchor}${d}${p.input}, ${positive}${d})`),
  );
}
