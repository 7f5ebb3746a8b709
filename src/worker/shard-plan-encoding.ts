import type { RankStepPlan } from "../distributed/shard-plan.js";
import type { mixmask } from "./generated/mixmask.js";
import { encodeStepPlan } from "./plan-encoding.js";

// protobufjs's encoders only index and read `.length`, so typed arrays go to the wire without copying.
const asWireArray = (a: Uint32Array): number[] => a as unknown as number[];

/** The wire form of one rank's part of a global step (proto ShardStepPlan, on TrainShard). */
export function encodeShardStepPlan(rankPlan: RankStepPlan): mixmask.v1.IShardStepPlan {
  const { shard } = rankPlan;
  return {
    plan: encodeStepPlan(rankPlan.plan),
    shard: {
      rank: shard.rank,
      worldSize: shard.worldSize,
      globalBatchSize: shard.globalBatchSize,
      positions: asWireArray(shard.positions),
      keyGatherShuffle: asWireArray(shard.keyGatherShuffle),
      keyGatherUnshuffle: asWireArray(shard.keyGatherUnshuffle),
      enqueueOrder: asWireArray(shard.enqueueOrder),
    },
  };
}
