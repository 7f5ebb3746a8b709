import type { ErrorIssue } from "../errors.js";
import { maskRuleIssues, throwIssues } from "../masks/mask-rules.js";
import { erase } from "./erase.js";
import type { Masker, MaskerName, MaskerOptions, MaskStreams, StepMasks } from "./masker.js";
import { mixmask } from "./mixmask.js";
import { mixmaskUnmix } from "./mixmask-unmix.js";
import { none } from "./none.js";
import { unmix } from "./unmix.js";

export type { Masker, MaskerName, MaskerOptions, MaskStreams, QueryPiece, StepMasks } from "./masker.js";

/** Every masker by its option name (`--masker`). */
export const MASKERS: Record<MaskerName, Masker> = { none, mixmask, unmix, both: mixmaskUnmix, erase };
/** The option names, in the order help texts list them. */
export const MASKER_NAMES = Object.keys(MASKERS) as MaskerName[];

/**
 * Every problem with masker options for S×S views, as issues naming the option (empty when valid): the mask rules of
 * src/masks/mask-rules.ts for the cell maskers, Un-Mix's α and box probability, and per-sample masks only where
 * there are cell masks. Checked once, before any work starts.
 */
export function maskerIssues(options: MaskerOptions, imageSize: number, keepRatioOption = "keepRatio"): ErrorIssue[] {
  const masker = MASKERS[options.masker];
  const issues: ErrorIssue[] = [];
  if (masker.usesCells) {
    const mask = { shape: options.maskShape, grid: options.maskGrid, keepRatio: options.keepRatio };
    issues.push(...maskRuleIssues(mask, { grid: "maskGrid", keepRatio: keepRatioOption }, imageSize));
  }
  if (masker.usesUnmix) {
    if (!(options.unmixAlpha > 0 && Number.isFinite(options.unmixAlpha)))
      issues.push({
        path: "unmixAlpha",
        message: "Beta(α, α) needs α > 0",
        expected: "finite number > 0 (Un-Mix: 1)",
        received: String(options.unmixAlpha),
      });
    if (!(options.unmixCutmixProbability >= 0 && options.unmixCutmixProbability <= 1))
      issues.push({
        path: "unmixCutmixProbability",
        message: "must be a probability",
        expected: "number in [0, 1] (Un-Mix: 0.5)",
        received: String(options.unmixCutmixProbability),
      });
  }
  if (options.maskPerSample && !masker.usesCells) {
    issues.push({
      path: "maskPerSample",
      message: `per-sample masks apply to the mixmask, both and erase maskers, not "${options.masker}"`,
      expected: "false, or a cell masker",
      received: "true",
    });
  }
  return issues;
}

/**
 * The masker of `options.masker`, validated once for S×S views and every keep ratio in `keepRatios` (a schedule's
 * ends: src/masks/keep-ratio.ts is linear, and the rules are monotone in the ratio, so the ends cover every step).
 * Throws INVALID_OPTION listing every problem.
 */
export function validatedMasker(
  options: MaskerOptions,
  imageSize: number,
  keepRatios: readonly number[] = [options.keepRatio],
): Masker {
  for (const keepRatio of keepRatios) throwIssues(maskerIssues({ ...options, keepRatio }, imageSize));
  return MASKERS[options.masker];
}

/** Plans one step's masks and query pieces (docs/METHODS.md#maskers). Throws INVALID_OPTION listing every problem. */
export function planStepMasks(
  streams: MaskStreams,
  batchSize: number,
  imageSize: number,
  options: MaskerOptions,
): StepMasks {
  return validatedMasker(options, imageSize).plan(streams, batchSize, imageSize, options);
}
