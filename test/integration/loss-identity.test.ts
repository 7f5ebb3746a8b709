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
/** Relative tolerance on another CPU model or torch version: float32 summation order, compounded over 20 steps. */
const RELATIVE_TOLERANCE = 1e-4;

const sameCpu = cpus()[0]?.model === fixture.cpuModel;

describe("per-step losses against test/fixtures/step-losses.json", () => {
  const name = sameCpu
    ? `are bit-identical on the recording CPU (${fixture.cpuModel}; within ${RELATIVE_TOLERANCE} relative if torch differs)`
    : `are within ${RELATIVE_TOLERANCE} relative (this CPU is not the recording ${fixture.cpuModel})`;
  it(name, async () => {
    const now = await recordLosses();
    const exact = now.cpuModel === fixture.cpuModel && now.torchVersion === fixture.torchVersion;
    console.log(
      exact
        ? `loss identity: bit-identical comparison (${now.cpuModel}, torch ${now.torchVersion})`
        : `loss identity: ${now.cpuModel}, torch ${now.torchVersion} differs from the fixture's ${fixture.cpuModel}, torch ${fixture.torchVersion}: compared within ${RELATIVE_TOLERANCE} relative`,
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
            expect(Math.abs(actual[i]! - v), where).toBeLessThanOrEqual(RELATIVE_TOLERANCE * Math.max(1, Math.abs(v)));
        });
      });
    }
  }, 600_000);
});
