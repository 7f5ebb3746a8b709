import type { InputName, LossTerm } from "./loss-term.js";

export type FrameworkName = "mocov2" | "simclr" | "byol" | "simsiam";

/**
 * A Siamese framework as the SDK composes it: the networks a run needs, and its base term L_base(a, b) between an
 * anchor image and a positive image. Maskers add terms of the same kind on mixed images (docs/METHODS.md#loss):
 * `L_base(view0, view1) + λ·L_base(mix, view1) + (1 − λ)·L_base(mix[inv], view1)`.
 */
export interface Framework {
  readonly name: FrameworkName;
  /** How logs and reports write it, e.g. "MoCo v2". */
  readonly title: string;
  /** Paper the terms and heads follow. */
  readonly source: string;
  /** Networks the worker builds for it (proto CreateRunRequest). */
  readonly needs: {
    /** An EMA copy of backbone + projector (MoCo's key encoder, BYOL's target). */
    momentumEncoder: boolean;
    /** A predictor MLP on the online projection (BYOL, SimSiam). */
    predictor: boolean;
    /** MoCo's queue of K negative keys. */
    queue: boolean;
  };
  /** Projector shape: Linear layers and whether BatchNorm follows the hidden ones (proto HeadConfig). */
  readonly projector: { layers: 2 | 3; batchNorm: boolean };
  /**
   * Weight of each direction of the symmetric loss: ½ where the paper averages the two (SimSiam's D/2 + D/2), 1 where
   * it sums them (BYOL's L + L̃, MoCo v3's ctr(q₁, k₂) + ctr(q₂, k₁)).
   */
  readonly symmetricWeight: 0.5 | 1;
  /** Whether the term uses a temperature. */
  readonly usesTemperature: boolean;
  /** L_base(anchor image, positive image), weight 1. */
  baseTerm(anchor: InputName, positive: InputName, temperature: number): LossTerm;
}
