/**
 * The images a branch can encode (proto Input). "0" / "1": built from view 0 / view 1.
 * - view: the augmented view
 * - masked: the view with the step's mask applied (mixed with partners by MixMask, or erased by the MSCN baseline)
 * - complement: (1 − M_i) ⊙ x_i + M_i ⊙ x[partner⁻¹(i)], MixMask's complementary image built explicitly
 * - unmix: the view mixed by Un-Mix (global blend or CutMix box)
 */
export type InputName = `${"view" | "masked" | "complement" | "unmix"}${0 | 1}`;

/**
 * Which network reads the input (proto Encoder):
 * - online: backbone + projector with gradient (z)
 * - online_predictor: the predictor on the online projection (p = q(z), BYOL and SimSiam)
 * - online_detached: the online projection with its gradient stopped (SimSiam's target)
 * - momentum: the EMA copy of backbone + projector, no gradient (MoCo's key encoder, BYOL's target)
 */
export type EncoderName = "online" | "online_predictor" | "online_detached" | "momentum";

/** One network output: an encoder applied to an input. Each distinct branch costs one forward pass per step. */
export interface BranchRef {
  input: InputName;
  encoder: EncoderName;
}

/**
 * - info_nce_queue: −log softmax over [a·p, a·queue] / T on unit rows (MoCo, He et al. 2020)
 * - nt_xent: SimCLR's loss over the 2N rows [a; p], in-batch negatives (Chen et al. 2020)
 * - negative_cosine: −cos(a, p) (SimSiam, Chen & He 2021)
 * - normalized_mse: 2 − 2·cos(a, p) (BYOL, Grill et al. 2020)
 */
export type TermKind = "info_nce_queue" | "nt_xent" | "negative_cosine" | "normalized_mse";

/** One weighted term of a step's loss (proto LossTerm); the step's loss is Σ weight · term. */
export interface LossTerm {
  kind: TermKind;
  /** Rows pulled towards their positives (MoCo's q, BYOL/SimSiam's p). */
  anchor: BranchRef;
  /** N, optional: read the anchors reordered as a[anchorOrder] (MixMask's complementary term). Absent: as is. */
  anchorOrder?: Uint32Array;
  /** Row i is the positive of anchor row i. */
  positive: BranchRef;
  /** Weight of the term in the total loss (unitless). */
  weight: number;
  /** Softmax temperature T (> 0) of info_nce_queue and nt_xent; 0 for the cosine kinds, which have none. */
  temperature: number;
  /** N, optional: the term is mean_i(w_i · ℓ_i) (per-sample λ). Absent: mean_i ℓ_i. */
  sampleWeights?: Float32Array;
}
