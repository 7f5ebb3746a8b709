import { MixmaskError } from "../errors.js";
import type { Framework } from "./framework.js";
import type { QueryPiece } from "../maskers/masker.js";
import type { InputName, LossTerm } from "./loss-term.js";

export type { QueryPiece };

export interface ComposeOptions {
  /** Softmax temperature of the contrastive kinds. */
  temperature: number;
  /** Also use view 1 as the query side against view 0, each direction weighing the framework's `symmetricWeight`. */
  symmetric: boolean;
}

/**
 * The step's loss terms: every query piece against the other view through the framework's base term,
 *
 *     L = Σ_pieces w · L_base(piece(view d), view 1−d)         for d = 0 (and d = 1 when symmetric, each direction
 *                                                              × the framework's symmetricWeight: ½ or 1)
 *
 * so MoCo v2 + MixMask gives the release's `InfoNCE(q, k) + λ·InfoNCE(q_mix, k) + (1 − λ)·InfoNCE(q_mix[inv], k)`,
 * and any framework composes with any masker (docs/METHODS.md#loss). Term 0 is always the base term of direction 0, whose
 * positive feeds MoCo's queue.
 */
export function composeTerms(framework: Framework, pieces: readonly QueryPiece[], options: ComposeOptions): LossTerm[] {
  if (framework.usesTemperature && !(options.temperature > 0 && Number.isFinite(options.temperature))) {
    throw new MixmaskError({
      code: "INVALID_OPTION",
      path: "temperature",
      message: `${framework.name}'s loss needs a positive softmax temperature`,
      expected: "finite number > 0, e.g. 0.2",
      received: String(options.temperature),
    });
  }
  const directions: (0 | 1)[] = options.symmetric ? [0, 1] : [0];
  const scale = options.symmetric ? framework.symmetricWeight : 1;
  const terms: LossTerm[] = [];
  for (const d of directions) {
    const positive: InputName = `view${d === 0 ? 1 : 0}`;
    for (const piece of pieces) {
      const base = framework.baseTerm(`${piece.image}${d}`, positive, options.temperature);
      terms.push({
        ...base,
        weight: scale * piece.weight,
        ...(piece.order ? { anchorOrder: piece.order } : {}),
        ...(piece.sampleWeights ? { sampleWeights: piece.sampleWeights } : {}),
      });
    }
  }
  return terms;
}
