/**
 * A network output a loss term reads (proto Branch): the query encoder on view 0 ("query_view"), the query encoder
 * on the mixed view 0 ("query_mix"), or the momentum (key) encoder on view 1, without gradient ("key_view").
 */
export type Branch = "query_view" | "query_mix" | "key_view";

/** One weighted term of a step's loss (proto LossTerm); the step's loss is Σ weight · term. */
export interface LossTerm {
  /** "info_nce_queue": −log softmax over [q·k, q·queue] / T with the positive at 0 (MoCo, He et al. 2020). */
  kind: "info_nce_queue";
  /** Branch whose embeddings are the queries q. */
  query: Branch;
  /** N, optional: read the queries reordered as q[queryOrder] (MixMask's complementary term). Absent: q as is. */
  queryOrder?: Uint32Array;
  /** Branch whose embeddings are the positive keys k. */
  key: Branch;
  /** Weight of the term in the total loss (unitless, ≥ 0). */
  weight: number;
  /** Softmax temperature T (> 0). */
  temperature: number;
}
