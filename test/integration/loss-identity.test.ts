import { readFileSync } from "node:fs";
import { cpus } from "node:os";
import { describe, expect, it } from "vitest";
import { FIXTURE_FILE, recordLosses, type LossFixture } from "../helpers/loss-identity.js";

// A restructuring must not move the numerics: per-step losses of the CPU preset (20 steps) and of every
// framework × masker (2 steps) against those recorded in test/fixtures/step-losses.json (re-record with
// scripts/record-loss-fixture.ts). Float32 results are bit-identical only on the CPU model and torch version that
// recorded them (docs/METHODS.md; Intel and AMD VMs differ); elsewhere they are compared within float32 rounding
// grown over 20 steps.
const fixture = JSON.parse(readFileSync(FIXTURE_FILE, "utf8")) as LossFixture;
/**
 * Relative tolerance on another CPU model or torch version: other kernels round float32 differently, and SGD
 * compounds the difference step by step. Measured on an AMD EPYC VM against the Intel fixture: every 2-step
 * framework × masker case bit-identical; the CPU preset 5e-7 at step 2, 1.1e-4 at step 6, 3.3e-4 at step 15 (the
 * 1e-4 this test used for every step failed there). So the first steps stay tight, where a changed formula shows at
 * once, and later steps get room for the compounding.
 */
const EARLY_STEPS = 3;
const toleranceAt = (step: number): number => (step < EARLY_STEPS ? 1e-5 : 1e-3);

const sameCpu = cpus()[0]?.model === fixture.cpuModel;

describe("per-step losses against test/fixtures/step-losses.json", () => {
  const name = sameCpu
    ? `are bit-identical on the recording CPU (${fixture.cpuModel}; within float32 rounding if torch differs)`
    : `are within float32 rounding (this CPU is not the recording ${fixture.cpuModel})`;
  it(name, async () => {
    const now = await recordLosses();
    const exact = now.cpuModel === fixture.cpuModel && now.torchVersion === fixture.torchVersion;
    console.log(
      exact
        ? `loss identity: bit-identical comparison (${now.cpuModel}, torch ${now.torchVersion})`
        : `loss identity: ${now.cpuModel}, torch ${now.torchVersion} differs from the fixture's ${fixture.cpuModel}, torch ${fixture.torchVersion}: compared within ${toleranceAt(0)} relative for steps 0–${EARLY_STEPS - 1}, ${toleranceAt(EARLY_STEPS)} after`,
    );
    expect(Object.keys(now.runs)).toEqual(Object.keys(fixture.runs));
    for (const [name, steps] of Object.entries(fixture.runs)) {
      const got = now.runs[name] ?? [];
      expect(got.length, name).toBe(steps.length);
      steps.forEach((want, step) => {
        const values = [want.loss, ...want.termLosses];
        const actual = [got[step]!.loss, ...got[step]!.termLosses];
        expect(actual.length, `${name} step ${step}: terms`).toBe(values.length);
        values.forEach((v, i) => {
          const where = `${name} step ${step} ${i === 0 ? "loss" : `term ${i - 1}`}`;
          if (exact) expect(actual[i], where).toBe(v);
          else
            expect(Math.abs(actual[i]! - v), where).toBeLessThanOrEqual(toleranceAt(step) * Math.max(1, Math.abs(v)));
        });
      });
    }
  }, 600_000);
});
