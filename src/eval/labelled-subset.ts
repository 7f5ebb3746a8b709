import { MixmaskError } from "../errors.js";
import type { Rng } from "../random/rng.js";

/**
 * A class-balanced labelled subset for semi-supervised evaluation: from each class, the same number of images,
 * round(fraction · N / C) (at least 1, at most the class's size), drawn without replacement from `rng`. Returned in
 * ascending index order. SimCLR's 1 % / 10 % ImageNet subsets are class-balanced the same way (≈ 13 / 128 per class).
 */
export function labelledSubset(labels: ArrayLike<number>, fraction: number, rng: Rng): Uint32Array {
  if (!(fraction > 0 && fraction <= 1)) {
    throw new MixmaskError({
      code: "INVALID_OPTION",
      path: "semiSupervised",
      message: `label fraction ${fraction} is outside (0, 1]`,
      fix: "use fractions such as 0.01 and 0.1",
    });
  }
  const byClass = new Map<number, number[]>();
  for (let i = 0; i < labels.length; i++) {
    const c = labels[i]!;
    if (c < 0)
      throw new MixmaskError({
        code: "INVALID_OPTION",
        path: `labels[${i}]`,
        message: `label ${c} is negative; semi-supervised evaluation needs labels ≥ 0`,
      });
    const members = byClass.get(c);
    if (members) members.push(i);
    else byClass.set(c, [i]);
  }
  if (byClass.size === 0)
    throw new MixmaskError({ code: "INVALID_OPTION", path: "labels", message: "the labelled training set is empty" });
  const perClass = Math.max(1, Math.round((fraction * labels.length) / byClass.size));
  const chosen: number[] = [];
  for (const c of [...byClass.keys()].sort((a, b) => a - b)) {
    const members = byClass.get(c)!;
    const take = Math.min(perClass, members.length);
    // Partial Fisher–Yates: the first `take` entries become a uniform sample without replacement.
    for (let i = 0; i < take; i++) {
      const j = i + Math.floor(rng.next() * (members.length - i));
      [members[i], members[j]] = [members[j]!, members[i]!];
    }
    chosen.push(...members.slice(0, take));
  }
  return Uint32Array.from(chosen.sort((a, b) => a - b));
}

/** A label fraction as people write it: 0.01 → "1.0 %", 0.1 → "10 %". */
export function labelPercent(fraction: number): string {
  return `${(fraction * 100).toFixed(fraction < 0.1 ? 1 : 0)} %`;
}
