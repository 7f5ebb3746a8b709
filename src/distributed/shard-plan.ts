import type { ViewParams } from "../augment/view-params.js";
import { MixmaskError } from "../errors.js";
import type { LossTerm } from "../frameworks/loss-term.js";
import type { CellMask } from "../masks/cell-mask.js";
import { inversePermutation } from "../masks/partner.js";
import type { UnmixMixture } from "../masks/unmix-mixture.js";
import type { StepPlan } from "../train/step-plan.js";
import { ShardLayout } from "./shard-layout.js";

/** What a rank needs besides its plan shard to take part in a global step (proto RankShard). */
export interface RankShard {
  rank: number;
  worldSize: number;
  /** N = R · n. */
  globalBatchSize: number;
  /** n: the rank's samples' places in the global batch. */
  positions: Uint32Array;
  /** n, or empty without shuffle-BN: gathered rows of every momentum-encoder input that this rank encodes. */
  keyGatherShuffle: Uint32Array;
  /** n, with keyGatherShuffle: gathered rows of the encoded keys that are this rank's keys, in its shard's order. */
  keyGatherUnshuffle: Uint32Array;
  /** N, or empty without a queue: the gathered keys enter the queue in this order (the global batch's order). */
  enqueueOrder: Uint32Array;
}

/** One rank's part of a global step (proto ShardStepPlan). */
export interface RankStepPlan {
  /** The plan of the rank's n samples: per-sample arrays are its rows, pairings are permutations of 0…n−1. */
  plan: StepPlan;
  shard: RankShard;
}

type Rows = Uint8Array | Uint32Array | Float32Array | Float64Array;

/**
 * Splits one global step plan into the plans of `ranks` ranks (src/distributed/shard-layout.ts: rank r takes the
 * positions r, r+R, …). Nothing is drawn here: every rank's plan is a slice of the one plan the StepPlanner drew,
 * so a resumed or a 1-rank run plans exactly the same global step.
 *
 * * per-sample arrays (indices, view parameters, per-sample masks and λ, sample weights) keep the rank's rows;
 * * pairings (MixMask and Un-Mix partners, anchor orders) must already pair inside each shard, as the planner does
 *   with `ranks` set; they become permutations of the shard's 0…n−1, or the plan is refused;
 * * the key shuffle (shuffle-BN) stays global: it mixes samples of every rank, so it travels as gathered rows.
 * @param hasQueue the run enqueues keys (MoCo): each rank needs the queue order.
 */
export function shardStepPlan(plan: StepPlan, ranks: number, hasQueue: boolean): RankStepPlan[] {
  const layout = new ShardLayout(plan.indices.length, ranks);
  const keyShuffle = plan.keyShuffle.length > 0 ? plan.keyShuffle : undefined;
  const keyUnshuffle = keyShuffle ? inversePermutation(keyShuffle) : undefined;
  const enqueueOrder = hasQueue
    ? Uint32Array.from({ length: layout.globalBatch }, (_, i) => layout.gatheredRow(i))
    : new Uint32Array(0);
  const shards: RankStepPlan[] = [];
  for (let rank = 0; rank < ranks; rank++) {
    const positions = layout.positions(rank);
    const gathered = (permutation: Uint32Array): Uint32Array =>
      positions.map((p) => layout.gatheredRow(permutation[p]!));
    const local = (permutation: Uint32Array, what: string): Uint32Array =>
      localize(permutation, layout, rank, plan.step, what);
    shards.push({
      plan: {
        step: plan.step,
        indices: pickRows(plan.indices, 1, positions),
        views: [sliceView(plan.views[0], positions), sliceView(plan.views[1], positions)],
        ...(plan.mask ? { mask: sliceMask(plan.mask, positions, local) } : {}),
        ...(plan.unmix ? { unmix: sliceUnmix(plan.unmix, local) } : {}),
        terms: plan.terms.map((term, t) => sliceTerm(term, positions, (p) => local(p, `terms[${t}].anchorOrder`))),
        lr: plan.lr,
        keyMomentum: plan.keyMomentum,
        keyShuffle: new Uint32Array(0),
        enqueueTerm: plan.enqueueTerm,
      },
      shard: {
        rank,
        worldSize: ranks,
        globalBatchSize: layout.globalBatch,
        positions,
        keyGatherShuffle: keyShuffle ? gathered(keyShuffle) : new Uint32Array(0),
        keyGatherUnshuffle: keyUnshuffle ? gathered(keyUnshuffle) : new Uint32Array(0),
        enqueueOrder,
      },
    });
  }
  return shards;
}

/** Rows `positions` of an array of `width` entries per sample. */
function pickRows<T extends Rows>(array: T, width: number, positions: Uint32Array): T {
  const out = new (array.constructor as new (length: number) => T)(positions.length * width);
  positions.forEach((p, j) => out.set(array.subarray(p * width, (p + 1) * width), j * width));
  return out;
}

/** A pairing of global positions → the same pairing of the rank's local positions; refuses one that leaves the shard. */
function localize(
  permutation: Uint32Array,
  layout: ShardLayout,
  rank: number,
  step: number,
  what: string,
): Uint32Array {
  const out = new Uint32Array(layout.shardSize);
  for (let j = 0; j < layout.shardSize; j++) {
    const position = layout.positionOf(rank, j);
    const target = permutation[position]!;
    if (layout.rankOf(target) !== rank) {
      throw new MixmaskError({
        code: "INVALID_OPTION",
        path: "ranks",
        message: `the plan of step ${step} pairs sample ${position} (rank ${rank}) with sample ${target} (rank ${layout.rankOf(target)}) in ${what}, but a rank holds only its own shard`,
        expected: `pairings inside each of the ${layout.ranks} shards`,
        received: `a plan made for another number of ranks`,
        fix: `plan with the group's world size: config.ranks = ${layout.ranks} (the StepPlanner then pairs inside each rank's shard)`,
      });
    }
    out[j] = layout.localOf(target);
  }
  return out;
}

function sliceView(view: ViewParams, positions: Uint32Array): ViewParams {
  return {
    crop: pickRows(view.crop, 4, positions),
    flip: pickRows(view.flip, 1, positions),
    jitter: pickRows(view.jitter, 4, positions),
    jitterOrder: pickRows(view.jitterOrder, 4, positions),
    grayscale: pickRows(view.grayscale, 1, positions),
    blurSigma: pickRows(view.blurSigma, 1, positions),
    blurKernelSize: view.blurKernelSize,
  };
}

function sliceMask(
  mask: CellMask,
  positions: Uint32Array,
  local: (p: Uint32Array, what: string) => Uint32Array,
): CellMask {
  const cellsPerMask = mask.grid * mask.grid;
  return {
    ...mask,
    // One mask for the batch is every rank's mask; per-sample masks and their λ follow their samples.
    cells: mask.perSample ? pickRows(mask.cells, cellsPerMask, positions) : mask.cells,
    keptFractions: mask.perSample ? pickRows(mask.keptFractions, 1, positions) : mask.keptFractions,
    ...(mask.partner ? { partner: local(mask.partner, "mask.partner") } : {}),
    ...(mask.partnerInverse ? { partnerInverse: local(mask.partnerInverse, "mask.partnerInverse") } : {}),
  };
}

function sliceUnmix(unmix: UnmixMixture, local: (p: Uint32Array, what: string) => Uint32Array): UnmixMixture {
  return {
    ...unmix,
    partner: local(unmix.partner, "unmix.partner"),
    partnerInverse: local(unmix.partnerInverse, "unmix.partnerInverse"),
  };
}

function sliceTerm(term: LossTerm, positions: Uint32Array, local: (p: Uint32Array) => Uint32Array): LossTerm {
  return {
    ...term,
    ...(term.anchorOrder ? { anchorOrder: local(term.anchorOrder) } : {}),
    ...(term.sampleWeights ? { sampleWeights: pickRows(term.sampleWeights, 1, positions) } : {}),
  };
}
