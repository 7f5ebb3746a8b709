import { createHash } from "node:crypto";
import type { ViewParams } from "../augment/view-params.js";
import type { BranchRef, EncoderName, InputName, LossTerm, TermKind } from "../frameworks/loss-term.js";
import type { CellMask, MaskFill } from "../masks/cell-mask.js";
import type { UnmixMixture } from "../masks/unmix-mixture.js";
import type { StepPlan } from "../train/step-plan.js";
import { mixmask } from "./generated/mixmask.js";

const v1 = mixmask.v1;

export const INPUT: Record<InputName, mixmask.v1.Input> = {
  view0: v1.Input.VIEW_0,
  view1: v1.Input.VIEW_1,
  masked0: v1.Input.MASKED_0,
  masked1: v1.Input.MASKED_1,
  complement0: v1.Input.COMPLEMENT_0,
  complement1: v1.Input.COMPLEMENT_1,
  unmix0: v1.Input.UNMIX_0,
  unmix1: v1.Input.UNMIX_1,
};

const ENCODER: Record<EncoderName, mixmask.v1.Encoder> = {
  online: v1.Encoder.ONLINE,
  online_predictor: v1.Encoder.ONLINE_PREDICTOR,
  online_detached: v1.Encoder.ONLINE_DETACHED,
  momentum: v1.Encoder.MOMENTUM,
};

const TERM_KIND: Record<TermKind, mixmask.v1.TermKind> = {
  info_nce_queue: v1.TermKind.INFO_NCE_QUEUE,
  nt_xent: v1.TermKind.NT_XENT,
  negative_cosine: v1.TermKind.NEGATIVE_COSINE,
  normalized_mse: v1.TermKind.NORMALIZED_MSE,
};

const FILL: Record<MaskFill, mixmask.v1.MaskFill> = {
  partner: v1.MaskFill.PARTNER,
  zero: v1.MaskFill.ZERO,
  mean: v1.MaskFill.MEAN,
  noise: v1.MaskFill.NOISE,
};

// protobufjs's encoders only index and read `.length`, so typed arrays go to the wire without copying into number[].
const asWireArray = (a: Float32Array | Float64Array | Uint32Array): number[] => a as unknown as number[];

export function encodeView(view: ViewParams): mixmask.v1.IViewPlan {
  return {
    crop: asWireArray(view.crop),
    flip: view.flip,
    jitter: asWireArray(view.jitter),
    jitterOrder: view.jitterOrder,
    grayscale: view.grayscale,
    blurSigma: asWireArray(view.blurSigma),
    blurKernelSize: view.blurKernelSize,
  };
}

const encodeBranch = (b: BranchRef): mixmask.v1.IBranchRef => ({ input: INPUT[b.input], encoder: ENCODER[b.encoder] });

function encodeTerm(term: LossTerm): mixmask.v1.ILossTerm {
  return {
    kind: TERM_KIND[term.kind],
    anchor: encodeBranch(term.anchor),
    anchorOrder: term.anchorOrder ? asWireArray(term.anchorOrder) : [],
    positive: encodeBranch(term.positive),
    weight: term.weight,
    temperature: term.temperature,
    sampleWeights: term.sampleWeights ? asWireArray(term.sampleWeights) : [],
  };
}

function encodeMask(mask: CellMask): mixmask.v1.IMaskPlan {
  return {
    grid: mask.grid,
    cells: mask.cells,
    fill: FILL[mask.fill],
    partner: mask.partner ? asWireArray(mask.partner) : [],
    keptFraction: asWireArray(mask.keptFractions),
    noiseSeed: mask.noiseSeed,
  };
}

function encodeUnmix(unmix: UnmixMixture): mixmask.v1.IUnmixPlan {
  return { cutmix: unmix.cutmix, lambda: unmix.lambda, box: unmix.box ?? [], partner: asWireArray(unmix.partner) };
}

/** The wire form of a plan (proto/mixmask/v1/worker.proto, StepPlan). */
export function encodeStepPlan(plan: StepPlan): mixmask.v1.IStepPlan {
  return {
    step: plan.step,
    indices: asWireArray(plan.indices),
    views: plan.views.map(encodeView),
    mask: plan.mask ? encodeMask(plan.mask) : null,
    unmix: plan.unmix ? encodeUnmix(plan.unmix) : null,
    terms: plan.terms.map(encodeTerm),
    lr: plan.lr,
    keyMomentum: plan.keyMomentum,
    keyShuffle: asWireArray(plan.keyShuffle),
    enqueueTerm: plan.enqueueTerm,
  };
}

/**
 * SHA-256 of a plan's wire bytes: two plans with the same fingerprint make the worker do the same thing. Checkpoints
 * record the fingerprint of the last plan run, so a resume can prove it plans exactly what the interrupted run did.
 */
export function planFingerprint(plan: StepPlan): string {
  const bytes = v1.StepPlan.encode(encodeStepPlan(plan)).finish();
  return createHash("sha256").update(bytes).digest("hex");
}
