import { describe, expect, it } from "vitest";
import { CPU_PRESET } from "../../src/config/presets.js";
import { validatePretrainConfig, type PretrainConfig } from "../../src/config/pretrain-config.js";
import { ShardLayout } from "../../src/distributed/shard-layout.js";
import { shardStepPlan, type RankStepPlan } from "../../src/distributed/shard-plan.js";
import { MixmaskError } from "../../src/errors.js";
import { StepPlanner } from "../../src/train/step-planner.js";
import type { StepPlan } from "../../src/train/step-plan.js";

const SOURCE = { count: 256, height: 28, width: 28, channels: 1 } as const;
const planOf = (overrides: Partial<PretrainConfig>, step = 3): StepPlan =>
  new StepPlanner(
    validatePretrainConfig({ ...CPU_PRESET, trainImages: 256, batchSize: 24, bnSplits: 6, ranks: 3, ...overrides }),
    SOURCE,
  ).plan(step);

describe("ShardLayout", () => {
  it("gives rank r the positions r, r+R, … (SplitBatchNorm's group r) and rank-major gathered rows", () => {
    const layout = new ShardLayout(12, 3);
    expect(Array.from(layout.positions(1))).toEqual([1, 4, 7, 10]);
    expect([0, 1, 2, 3, 4].map((p) => layout.gatheredRow(p))).toEqual([0, 4, 8, 1, 5]);
    expect(() => new ShardLayout(10, 3)).toThrow(MixmaskError);
  });
});

describe("shardStepPlan", () => {
  it("keeps every per-sample value of the global plan on exactly one rank, in its shard's order", () => {
    const plan = planOf({ masker: "both", maskPerSample: true });
    const shards = shardStepPlan(plan, 3, true);
    const layout = new ShardLayout(24, 3);
    for (const { plan: local, shard } of shards) {
      expect(local.indices).toHaveLength(8);
      for (let j = 0; j < 8; j++) {
        const p = layout.positionOf(shard.rank, j);
        expect(local.indices[j]).toBe(plan.indices[p]);
        expect(Array.from(local.views[1].crop.subarray(4 * j, 4 * j + 4))).toEqual(
          Array.from(plan.views[1].crop.subarray(4 * p, 4 * p + 4)),
        );
        expect(local.views[0].jitterOrder[4 * j + 2]).toBe(plan.views[0].jitterOrder[4 * p + 2]);
        expect(local.mask!.keptFractions[j]).toBe(plan.mask!.keptFractions[p]);
        expect(local.terms[1]!.sampleWeights![j]).toBe(plan.terms[1]!.sampleWeights![p]);
        // A pairing of local positions is the global pairing seen from inside the shard.
        expect(layout.positionOf(shard.rank, local.mask!.partner![j]!)).toBe(plan.mask!.partner![p]);
        expect(layout.positionOf(shard.rank, local.unmix!.partner[j]!)).toBe(plan.unmix!.partner[p]);
        const g2 = plan.mask!.grid ** 2; // per-sample masks: each sample's g×g cells follow it
        expect(Array.from(local.mask!.cells.subarray(j * g2, (j + 1) * g2))).toEqual(
          Array.from(plan.mask!.cells.subarray(p * g2, (p + 1) * g2)),
        );
      }
      expect(local.keyShuffle).toHaveLength(0);
      expect(shard.globalBatchSize).toBe(24);
    }
  });

  it("shards shuffle-BN so that the ranks together encode the globally shuffled batch and each gets its own keys back", () => {
    const plan = planOf({});
    const sigma = plan.keyShuffle;
    expect(sigma).toHaveLength(24);
    const shards = shardStepPlan(plan, 3, true);
    const layout = new ShardLayout(24, 3);
    // all_gather of the rank's inputs: gathered row g holds the sample at global position `gatheredAt[g]`.
    const gatheredAt = shards.flatMap((s) => Array.from(s.shard.positions));
    // What one process does: position p of the shuffled batch holds sample σ[p], in BatchNorm group p mod 3.
    shards.forEach(({ shard }) => {
      const encoded = Array.from(shard.keyGatherShuffle, (row) => gatheredAt[row]);
      expect(encoded).toEqual(Array.from(layout.positions(shard.rank), (p) => sigma[p]));
    });
    // all_gather of the encoded keys: row g is the key of sample encodedAt[g]; each rank reads back its own samples.
    const encodedAt = shards.flatMap(({ shard }) => Array.from(shard.keyGatherShuffle, (row) => gatheredAt[row]!));
    shards.forEach(({ shard }) =>
      expect(Array.from(shard.keyGatherUnshuffle, (row) => encodedAt[row])).toEqual(Array.from(shard.positions)),
    );
    // The queue gets every key in the global batch's order.
    expect(Array.from(shards[0]!.shard.enqueueOrder, (row) => gatheredAt[row])).toEqual([...Array(24).keys()]);
    expect(shardStepPlan(plan, 3, false)[0]!.shard.enqueueOrder).toHaveLength(0);
  });

  it("one rank's shard of a plan is the plan itself", () => {
    const plan = planOf({ ranks: 1 });
    const [only] = shardStepPlan(plan, 1, true) as [RankStepPlan];
    expect(only.plan.indices).toEqual(plan.indices);
    expect(only.plan.mask!.partner).toEqual(plan.mask!.partner);
    expect(only.shard.keyGatherShuffle).toEqual(plan.keyShuffle);
  });

  it("refuses a plan whose partners cross shards (planned for another number of ranks), naming the fix", () => {
    const plan = planOf({ ranks: 1, bnSplits: 6 });
    const error = (() => {
      try {
        shardStepPlan(plan, 3, true);
      } catch (e) {
        return e as MixmaskError;
      }
      return undefined;
    })();
    expect(error?.code).toBe("INVALID_OPTION");
    expect(error?.path).toBe("ranks");
    expect(error?.message).toMatch(/pairs sample 0 \(rank 0\) with sample 23 \(rank 2\) in mask.partner/);
    expect(error?.fix).toMatch(/config.ranks = 3/);
  });
});
