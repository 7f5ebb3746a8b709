/**
 * The mask's keep ratio at a step: constant, or linear from `start` at the first step to `end` at the last (an
 * optional curriculum; the MixMask release keeps 0.5 throughout).
 */
export function keepRatioAt(start: number, end: number | undefined, step: number, totalSteps: number): number {
  if (end === undefined || totalSteps <= 1) return start;
  return start + ((end - start) * step) / (totalSteps - 1);
}
