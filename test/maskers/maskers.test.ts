import { describe, expect, it } from "vitest";
import { MixmaskError } from "../../src/errors.js";
import {
  MASKER_NAMES,
  MASKERS,
  maskerIssues,
  planStepMasks,
  validatedMasker,
  type MaskerOptions,
} from "../../src/maskers/maskers.js";
import { MASKER_OPTIONS, maskStreams } from "../helpers/masker-options.js";

const streams = (step: number) => maskStreams(9, step);

describe("planStepMasks", () => {
  it("pairs by reversal for mixmask and by a random permutation for both, as the release", () => {
    const mixmask = planStepMasks(streams(0), 6, 28, MASKER_OPTIONS);
    expect(Array.from(mixmask.mask!.partner!)).toEqual([5, 4, 3, 2, 1, 0]);
    const both = planStepMasks(streams(0), 6, 28, { ...MASKER_OPTIONS, masker: "both" });
    expect(Array.from(both.mask!.partner!).sort()).toEqual([0, 1, 2, 3, 4, 5]);
    expect(Array.from(both.mask!.partner!)).not.toEqual([5, 4, 3, 2, 1, 0]);
    // Same mask stream: adding Un-Mix does not change the MixMask mask.
    expect(both.mask!.cells).toEqual(mixmask.mask!.cells);
    expect(Array.from(both.unmix!.partner)).toEqual([5, 4, 3, 2, 1, 0]);
    const forced = planStepMasks(streams(0), 6, 28, { ...MASKER_OPTIONS, mixPartner: "permutation" });
    expect(Array.from(forced.mask!.partner!)).toEqual(Array.from(both.mask!.partner!));
  });

  it("gives λ as the exact pixel fraction of each mask, one per sample when asked", () => {
    const shared = planStepMasks(streams(1), 8, 28, MASKER_OPTIONS);
    expect(shared.mask!.cells).toHaveLength(16);
    expect(shared.mask!.keptFractions).toHaveLength(1);
    const perSample = planStepMasks(streams(1), 8, 28, { ...MASKER_OPTIONS, maskPerSample: true });
    expect(perSample.mask!.cells).toHaveLength(8 * 16);
    expect(perSample.mask!.keptFractions).toHaveLength(8);
    const masks = Array.from({ length: 8 }, (_, i) => perSample.mask!.cells.subarray(i * 16, i * 16 + 16).join(""));
    expect(new Set(masks).size).toBeGreaterThan(1);
    // 28 px on a 4-grid: every cell is 7×7 pixels, so λ = kept cells / 16.
    perSample.mask!.keptFractions.forEach((l, i) =>
      expect(l).toBe(perSample.mask!.cells.subarray(i * 16, i * 16 + 16).reduce((a, b) => a + b, 0) / 16),
    );
  });

  it("erases without partners, with a planned noise seed for the noise fill", () => {
    const zero = planStepMasks(streams(2), 8, 28, { ...MASKER_OPTIONS, masker: "erase" });
    expect(zero.mask!.fill).toBe("zero");
    expect(zero.mask!.partner).toBeUndefined();
    expect(zero.pieces.map((p) => [p.image, p.weight])).toEqual([
      ["view", 1],
      ["masked", 1],
    ]);
    const noise = planStepMasks(streams(2), 8, 28, { ...MASKER_OPTIONS, masker: "erase", eraseFill: "noise" });
    expect(noise.mask!.noiseSeed).toBeGreaterThan(0);
    expect(
      planStepMasks(streams(2), 8, 28, { ...MASKER_OPTIONS, masker: "erase", eraseFill: "noise" }).mask!.noiseSeed,
    ).toBe(noise.mask!.noiseSeed);
  });

  it("plans nothing for none and only Un-Mix for unmix", () => {
    expect(planStepMasks(streams(3), 8, 28, { ...MASKER_OPTIONS, masker: "none" })).toEqual({
      pieces: [{ image: "view", weight: 1 }],
    });
    const unmix = planStepMasks(streams(3), 8, 28, { ...MASKER_OPTIONS, masker: "unmix", maskGrid: 1 });
    expect(unmix.mask).toBeUndefined();
    expect(unmix.pieces.map((p) => p.image)).toEqual(["view", "unmix", "unmix"]);
  });
});

describe("maskerIssues", () => {
  it("refuses grid and ratio combinations that cannot give a mask, naming the option", () => {
    const paths = (o: Partial<MaskerOptions>, size = 28) =>
      maskerIssues({ ...MASKER_OPTIONS, ...o }, size).map((i) => i.path);
    expect(paths({ maskGrid: 2 })).toEqual(["maskGrid"]);
    expect(paths({ maskGrid: 1, maskShape: "discrete" })).toEqual(["maskGrid"]);
    expect(paths({ maskGrid: 2, maskShape: "discrete" })).toEqual([]);
    expect(paths({ maskGrid: 4, keepRatio: 0.05 })).toEqual(["keepRatio"]); // floor(0.05·16) = 0 cells
    expect(paths({ maskGrid: 8 }, 7)).toEqual(["maskGrid"]); // cells smaller than a pixel
    expect(paths({ masker: "unmix", unmixAlpha: 0, unmixCutmixProbability: 2 })).toEqual([
      "unmixAlpha",
      "unmixCutmixProbability",
    ]);
    expect(paths({ masker: "none", maskGrid: 1, maskPerSample: true })).toEqual(["maskPerSample"]);
    expect(() => planStepMasks(streams(0), 8, 28, { ...MASKER_OPTIONS, maskGrid: 2 })).toThrow(MixmaskError);
  });
});

describe("MASKERS", () => {
  it("registers one masker per option name, each with its paper and loss pieces, planning the pieces it states", () => {
    expect(MASKER_NAMES).toEqual(["none", "mixmask", "unmix", "both", "erase"]);
    const added = { none: 0, mixmask: 2, unmix: 2, both: 4, erase: 1 } as const;
    for (const name of MASKER_NAMES) {
      const masker = MASKERS[name];
      expect(masker.name).toBe(name);
      expect(masker.source.length).toBeGreaterThan(0);
      expect(masker.lossPieces.length).toBeGreaterThan(0);
      const masks = masker.plan(streams(5), 8, 28, { ...MASKER_OPTIONS, masker: name });
      expect(masks.pieces).toHaveLength(1 + added[name]);
      expect(masks.mask !== undefined).toBe(masker.usesCells);
      expect(masks.unmix !== undefined).toBe(masker.usesUnmix);
      // The validated planner plans exactly what the masker plans.
      expect(planStepMasks(streams(5), 8, 28, { ...MASKER_OPTIONS, masker: name })).toEqual(masks);
    }
  });

  it("validates once when built, for both ends of a keep-ratio schedule", () => {
    expect(validatedMasker(MASKER_OPTIONS, 28, [0.5, 0.25])).toBe(MASKERS.mixmask);
    expect(() => validatedMasker(MASKER_OPTIONS, 28, [0.5, 0.01])).toThrow(/targets 0 of 16 cells/);
  });
});
