import { describe, expect, it } from "vitest";
import { cosineSchedule, learningRateAt } from "../../src/schedule/cosine.js";

describe("cosineSchedule", () => {
  it("goes from base to final through the midpoint, clamped outside [0, 1]", () => {
    expect(cosineSchedule(0.03, 0.001, 0)).toBeCloseTo(0.03, 15);
    expect(cosineSchedule(0.03, 0.001, 1)).toBeCloseTo(0.001, 15);
    expect(cosineSchedule(0.03, 0.001, 0.5)).toBeCloseTo(0.0155, 15);
    expect(cosineSchedule(0.03, 0.001, 0.25)).toBeCloseTo(0.001 + 0.029 * 0.5 * (1 + Math.SQRT1_2), 15);
    expect(cosineSchedule(0.03, 0.001, -1)).toBe(cosineSchedule(0.03, 0.001, 0));
    expect(cosineSchedule(0.03, 0.001, 2)).toBe(cosineSchedule(0.03, 0.001, 1));
    // Rising schedules (e.g. EMA momentum 0.99 → 1) use the same curve.
    expect(cosineSchedule(0.99, 1, 0.5)).toBeCloseTo(0.995, 15);
  });
});

describe("learningRateAt", () => {
  it("warms up linearly, peaks at baseLr, then decays by cosine towards 0", () => {
    const lr = (step: number) => learningRateAt({ baseLr: 0.06, step, totalSteps: 110, warmupSteps: 10 });
    expect(lr(0)).toBeCloseTo(0.006, 15);
    expect(lr(4)).toBeCloseTo(0.03, 15);
    expect(lr(9)).toBeCloseTo(0.06, 15);
    expect(lr(10)).toBeCloseTo(0.06, 15);
    expect(lr(60)).toBeCloseTo(0.03, 15);
    expect(lr(110)).toBe(0);
    expect(lr(500)).toBe(0);
    for (let s = 1; s < 10; s++) expect(lr(s)).toBeGreaterThan(lr(s - 1));
    for (let s = 11; s <= 110; s++) expect(lr(s)).toBeLessThan(lr(s - 1));
  });

  it("starts at baseLr without warm-up", () => {
    expect(learningRateAt({ baseLr: 0.03, step: 0, totalSteps: 100 })).toBe(0.03);
    expect(learningRateAt({ baseLr: 0.03, step: 50, totalSteps: 100 })).toBeCloseTo(0.015, 15);
  });

  it("refuses invalid options", () => {
    expect(() => learningRateAt({ baseLr: 0.1, step: 0, totalSteps: 0 })).toThrow(/totalSteps/);
    expect(() => learningRateAt({ baseLr: 0.1, step: 0, totalSteps: 10, warmupSteps: 10 })).toThrow(/warmupSteps/);
    expect(() => learningRateAt({ baseLr: -1, step: 0, totalSteps: 10 })).toThrow(/baseLr/);
    expect(() => learningRateAt({ baseLr: 0.1, step: 1.5, totalSteps: 10 })).toThrow(/step/);
  });
});
