import { describe, expect, it } from "vitest";
import { CPU_PRESET } from "../../src/config/presets.js";
import { validatePretrainConfig } from "../../src/config/pretrain-config.js";
import type { MixmaskError } from "../../src/errors.js";
import { ShardLayout } from "../../src/distributed/shard-layout.js";
import { pairWithinShards, reversePartner } from "../../src/masks/partner.js";

const issuesOf = (overrides: Record<string, unknown>): string[] => {
  try {
    validatePretrainConfig({ ...CPU_PRESET, ...overrides });
    return [];
  } catch (error) {
    return (error as MixmaskError).issues.map((i) => `${i.path}: ${i.message}`);
  }
};

describe("options of a distributed run", () => {
  it("accepts the CPU preset on 2 ranks (8 BatchNorm groups: 4 per rank)", () => {
    expect(issuesOf({ ranks: 2 })).toEqual([]);
  });

  it("lists every rule that ranks > 1 adds, under the flag to change", () => {
    const issues = issuesOf({
      ranks: 3,
      framework: "simclr",
      streaming: true,
      syncBatchNorm: true,
      compile: "default",
    });
    expect(issues).toEqual([
      expect.stringMatching(/^--batch-size: must be a multiple of --ranks \(3\)/),
      expect.stringMatching(/^--bn-splits: must be a multiple of --ranks \(3\)/),
      expect.stringMatching(/^--framework: simclr takes its negatives from the batch/),
      expect.stringMatching(/^--streaming: streamed datasets are not sharded/),
      expect.stringMatching(/^--compile: distributed runs train eagerly .*use --compile off, or --ranks 1/),
    ]);
    expect(issuesOf({ ranks: 2, compile: "off" })).toEqual([]);
    expect(issuesOf({ compile: "reduce-overhead" })).toEqual([]);
    expect(issuesOf({ syncBatchNorm: true })).toEqual([
      expect.stringMatching(/^--sync-batch-norm: applies to distributed runs only/),
    ]);
  });
});

describe("pairWithinShards", () => {
  it("reverses each rank's shard (the release's per-GPU reversal) and is the plain pairing for one shard", () => {
    // 2 shards of 8: rank 0 holds 0,2,4,6 and pairs 0↔6, 2↔4; rank 1 holds 1,3,5,7 and pairs 1↔7, 3↔5.
    expect(Array.from(pairWithinShards(8, 2, reversePartner))).toEqual([6, 7, 4, 5, 2, 3, 0, 1]);
    expect(pairWithinShards(8, 1, reversePartner)).toEqual(reversePartner(8));
  });

  it("places each rank's pairs where ShardLayout says that rank's samples live", () => {
    const layout = new ShardLayout(12, 3);
    const partner = pairWithinShards(12, 3, reversePartner);
    for (let rank = 0; rank < 3; rank++) {
      for (let j = 0; j < layout.shardSize; j++) expect(layout.rankOf(partner[layout.positionOf(rank, j)]!)).toBe(rank);
    }
    expect(() => pairWithinShards(10, 3, reversePartner)).toThrow(/cannot be split evenly/);
  });
});
