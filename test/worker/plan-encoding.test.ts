import { describe, expect, it } from "vitest";
import { validatePretrainConfig } from "../../src/config/pretrain-config.js";
import { CPU_PRESET } from "../../src/config/presets.js";
import { StepPlanner } from "../../src/train/step-planner.js";
import { mixmask } from "../../src/worker/generated/mixmask.js";
import { encodeStepPlan } from "../../src/worker/plan-encoding.js";

const v1 = mixmask.v1;
const planner = (masker: "mixmask" | "none") =>
  new StepPlanner(validatePretrainConfig({ ...CPU_PRESET, masker, batchSize: 16, bnSplits: 4, queueSize: 64, trainImages: 256, knnK: 50 }), { count: 256, height: 28, width: 28, channels: 1 });

describe("plan encoding", () => {
  it("puts every planned number on the wire unchanged", () => {
    const plan = planner("mixmask").plan(5);
    const wire = v1.StepPlan.decode(v1.StepPlan.encode(encodeStepPlan(plan)).finish());
    expect(Number(wire.step)).toBe(5);
    expect(wire.indices).toEqual(Array.from(plan.indices));
    expect(wire.views).toHaveLength(2);
    expect(wire.views[0]!.crop).toEqual(Array.from(plan.views[0].crop));
    expect(Array.from(wire.views[1]!.jitterOrder!)).toEqual(Array.from(plan.views[1].jitterOrder));
    expect(Array.from(wire.views[0]!.flip!)).toEqual(Array.from(plan.views[0].flip));
    expect(wire.mix!.partner).toEqual(Array.from(plan.mix!.partner));
    expect(Array.from(wire.mix!.mask!)).toEqual(Array.from(plan.mix!.mask));
    expect(wire.mix!.lambda).toBeCloseTo(plan.mix!.lambda, 6);
    expect(wire.terms.map((t) => [t.query, t.key, t.queryOrder!.length])).toEqual([
      [v1.Branch.QUERY_VIEW, v1.Branch.KEY_VIEW, 0],
      [v1.Branch.QUERY_MIX, v1.Branch.KEY_VIEW, 0],
      [v1.Branch.QUERY_MIX, v1.Branch.KEY_VIEW, 16],
    ]);
    expect(wire.keyShuffle).toEqual(Array.from(plan.keyShuffle));
    expect(wire.lr).toBeCloseTo(plan.lr, 6);
  });

  it("sends no mix and one term for plain MoCo v2", () => {
    const wire = v1.StepPlan.decode(v1.StepPlan.encode(encodeStepPlan(planner("none").plan(0))).finish());
    expect(wire.mix).toBeNull();
    expect(wire.terms).toHaveLength(1);
  });

  it("keeps plans small (kilobytes)", () => {
    const bytes = v1.StepPlan.encode(encodeStepPlan(planner("mixmask").plan(0))).finish().length;
    expect(bytes).toBeLessThan(4096);
  });
});
