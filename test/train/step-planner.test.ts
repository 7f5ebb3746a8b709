import { describe, expect, it } from "vitest";
import { validatePretrainConfig } from "../../src/config/pretrain-config.js";
import { CPU_PRESET } from "../../src/config/presets.js";
import { StepPlanner } from "../../src/train/step-planner.js";

const source = { count: 1000, height: 28, width: 28, channels: 1 } as const;
const make = (seed: number) =>
  new StepPlanner(validatePretrainConfig({ ...CPU_PRESET, seed, trainImages: 1000, epochs: 3 }), source);

describe("step planner", () => {
  it("plans any step from (seed, step) alone, in any order", () => {
    const a = make(1);
    const forward = [0, 1, 2, 9, 17].map((s) => a.plan(s));
    const b = make(1);
    const backward = [17, 9, 2, 1, 0].map((s) => b.plan(s)).reverse();
    expect(backward).toEqual(forward);
  });

  it("changes every random choice with the seed", () => {
    const [x, y] = [make(1).plan(4), make(2).plan(4)];
    expect(x.indices).not.toEqual(y.indices);
    expect(x.views[0].crop).not.toEqual(y.views[0].crop);
    expect(x.keyShuffle).not.toEqual(y.keyShuffle);
  });

  it("draws the two views independently and samples without repeats within an epoch", () => {
    const p = make(3);
    const plan = p.plan(0);
    expect(plan.views[0].crop).not.toEqual(plan.views[1].crop);
    const seen = new Set<number>();
    for (let s = 0; s < p.stepsPerEpoch; s++) for (const i of p.plan(s).indices) seen.add(i);
    expect(seen.size).toBe(p.stepsPerEpoch * 128);
  });

  it("decays the learning rate by a cosine from the base to 0 over the run", () => {
    const p = make(0);
    expect(p.plan(0).lr).toBeCloseTo(CPU_PRESET.lr, 8);
    const mid = Math.floor(p.totalSteps / 2);
    expect(p.plan(mid).lr).toBeCloseTo((CPU_PRESET.lr / 2) * (1 + Math.cos((Math.PI * mid) / p.totalSteps)), 8);
    expect(p.plan(p.totalSteps - 1).lr).toBeLessThan(CPU_PRESET.lr * 0.01);
  });
});
