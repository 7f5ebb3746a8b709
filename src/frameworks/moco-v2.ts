import { MixmaskError } from "../errors.js";
import type { MixParams } from "../masking/mixmask.js";
import type { LossTerm } from "./loss-term.js";

/**
 * MoCo v2's loss terms (Chen et al. 2020), with MixMask's asymmetric terms when a mix is planned (Vishniakov, Xing &
 * Shen, "MixMask: Revisiting Masking Strategy for Siamese ConvNets", BMVC 2024; METHOD.md §4):
 *
 *     L = InfoNCE(q, k) + λ · InfoNCE(q_mix, k) + (1 − λ) · InfoNCE(q_mix[partnerInverse], k)
 *
 * q from the query encoder on view 0, q_mix on the mixed view 0, k from the key encoder on view 1, one temperature T
 * for all terms. The mixed view holds λ of its own image (pulled to its own key with weight λ) and 1 − λ of its
 * partner's; reordering q_mix by the inverse pairing lines each key up with the mixed view that holds the rest of its
 * image (weight 1 − λ).
 * @param temperature T > 0 (release: 0.2 on ImageNet, 0.1 in the CIFAR recipe).
 * @param mix the step's mix; absent: plain MoCo v2, one term.
 */
export function mocoV2Terms(temperature: number, mix?: MixParams): LossTerm[] {
  if (!(temperature > 0 && Number.isFinite(temperature))) {
    throw new MixmaskError({ code: "INVALID_OPTION", path: "temperature", message: "the InfoNCE temperature must be positive", expected: "finite number > 0, e.g. 0.2", received: String(temperature) });
  }
  const terms: LossTerm[] = [{ kind: "info_nce_queue", query: "query_view", key: "key_view", weight: 1, temperature }];
  if (mix) {
    terms.push(
      { kind: "info_nce_queue", query: "query_mix", key: "key_view", weight: mix.lambda, temperature },
      { kind: "info_nce_queue", query: "query_mix", queryOrder: mix.partnerInverse, key: "key_view", weight: 1 - mix.lambda, temperature },
    );
  }
  return terms;
}
