import { describe, expect, it } from "vitest";
import { validatePretrainConfig } from "../../src/config/pretrain-config.js";
import { CPU_PRESET } from "../../src/config/presets.js";
import { StepPlanner } from "../../src/train/step-planner.js";
import { mixmask } from "../../src/worker/generated/mixmask.js";
import { encodeStepPlan } from "../../src/worker/plan-encoding.js";

const v1 = mixmask.v1;
const planner = (masker: "mixmask" | "none" | "both" | "erase") =>
  new StepPlanner(
    validatePretrainConfig({
      ...CPU_PRESET,
      masker,
      batchSize: 16,
      bnSplits: 4,
      queueSize: 64,
      trainImages: 256,
      knnK: 50,
    }),
    { count: 256, height: 28, width: 28, channels: 1 },
  );

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
    expect(wire.mask!.partner).toEqual(Array.from(plan.mask!.partner!));
    expect(Array.from(wire.mask!.cells!)).toEqual(Array.from(plan.mask!.cells));
    expect(wire.mask!.fill).toBe(v1.MaskFill.PARTNER);
    expect(wire.mask!.keptFraction![0]).toBeCloseTo(plan.mask!.keptFractions[0]!, 6);
    expect(
      wire.terms.map((t) => [
        t.anchor!.input,
        t.anchor!.encoder,
        t.positive!.input,
        t.positive!.encoder,
        t.anchorOrder!.length,
      ]),
    ).toEqual([
      [v1.Input.VIEW_0, v1.Encoder.ONLINE, v1.Input.VIEW_1, v1.Encoder.MOMENTUM, 0],
      [v1.Input.MASKED_0, v1.Encoder.ONLINE, v1.Input.VIEW_1, v1.Encoder.MOMENTUM, 0],
      [v1.Input.MASKED_0, v1.Encoder.ONLINE, v1.Input.VIEW_1, v1.Encoder.MOMENTUM, 16],
    ]);
    expect(wire.keyShuffle).toEqual(Array.from(plan.keyShuffle));
    expect(wire.lr).toBeCloseTo(plan.lr, 6);
  });

  it("sends no mask and one term for plain MoCo v2", () => {
    const wire = v1.StepPlan.decode(v1.StepPlan.encode(encodeStepPlan(planner("none").plan(0))).finish());
    expect(wire.mask).toBeNull();
    expect(wire.unmix).toBeNull();
    expect(wire.terms).toHaveLength(1);
  });

  it("sends Un-Mix's mixture and the erase baseline's fill", () => {
    const both = planner("both").plan(1);
    const wire = v1.StepPlan.decode(v1.StepPlan.encode(encodeStepPlan(both)).finish());
    expect(wire.unmix!.lambda).toBeCloseTo(both.unmix!.lambda, 6);
    expect(wire.unmix!.partner).toEqual(Array.from(both.unmix!.partner));
    expect(wire.terms.map((t) => t.anchor!.input)).toEqual([
      v1.Input.VIEW_0,
      v1.Input.MASKED_0,
      v1.Input.MASKED_0,
      v1.Input.UNMIX_0,
      v1.Input.UNMIX_0,
    ]);
    const erase = v1.StepPlan.decode(v1.StepPlan.encode(encodeStepPlan(planner("erase").plan(1))).finish());
    expect(erase.mask!.fill).toBe(v1.MaskFill.ZERO);
    expect(erase.mask!.partner).toEqual([]);
  });

  it("keeps plans small (kilobytes)", () => {
    const bytes = v1.StepPlan.encode(encodeStepPlan(planner("mixmask").plan(0))).finish().length;
    expect(bytes).toBeLessThan(4096);
  });
});
