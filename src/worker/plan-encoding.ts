import { createHash } from "node:crypto";
import type { ViewParams } from "../augment/view-params.js";
import type { Branch, LossTerm } from "../frameworks/loss-term.js";
import type { StepPlan } from "../train/step-plan.js";
import { mixmask } from "./generated/mixmask.js";

const v1 = mixmask.v1;

const BRANCH: Record<Branch, mixmask.v1.Branch> = {
  query_view: v1.Branch.QUERY_VIEW,
  query_mix: v1.Branch.QUERY_MIX,
  key_view: v1.Branch.KEY_VIEW,
};

// protobufjs's encoders only index and read `.length`, so typed arrays go to the wire without copying into number[].
const asWireArray = (a: Float32Array | Uint32Array): number[] => a as unknown as number[];

function encodeView(view: ViewParams): mixmask.v1.IViewPlan {
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

function encodeTerm(term: LossTerm): mixmask.v1.ILossTerm {
  return {
    kind: v1.TermKind.INFO_NCE_QUEUE,
    query: BRANCH[term.query],
    queryOrder: term.queryOrder ? asWireArray(term.queryOrder) : [],
    key: BRANCH[term.key],
    weight: term.weight,
    temperature: term.temperature,
  };
}

/** The wire form of a plan (proto/mixmask/v1/worker.proto, StepPlan). */
export function encodeStepPlan(plan: StepPlan): mixmask.v1.IStepPlan {
  return {
    step: plan.step,
    indices: asWireArray(plan.indices),
    views: plan.views.map(encodeView),
    mix: plan.mix ? { grid: plan.mix.grid, mask: plan.mix.mask, partner: asWireArray(plan.mix.partner), lambda: plan.mix.lambda } : null,
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
