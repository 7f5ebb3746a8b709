import { describe, expect, it } from "vitest";
import { composeTerms, type QueryPiece } from "../../src/frameworks/compose-terms.js";
import { FRAMEWORKS } from "../../src/frameworks/frameworks.js";
import type { LossTerm } from "../../src/frameworks/loss-term.js";
import { planStepMasks, type MaskerName, type MaskerOptions } from "../../src/maskers/maskers.js";
import { MASKER_OPTIONS, maskStreams } from "../helpers/masker-options.js";

function masks(masker: MaskerName, step = 0, extra: Partial<MaskerOptions> = {}) {
  return planStepMasks(maskStreams(3, step), 8, 28, { ...MASKER_OPTIONS, ...extra, masker });
}

const describeTerm = (t: LossTerm): string =>
  `${t.kind} ${t.anchor.encoder}(${t.anchor.input})${t.anchorOrder ? "[order]" : ""} → ${t.positive.encoder}(${t.positive.input})`;

describe("composeTerms", () => {
  it("gives each framework its own base term and networks", () => {
    const base: QueryPiece[] = [{ image: "view", weight: 1 }];
    const one = (name: keyof typeof FRAMEWORKS) =>
      composeTerms(FRAMEWORKS[name], base, { temperature: 0.2, symmetric: false }).map(describeTerm);
    expect(one("mocov2")).toEqual(["info_nce_queue online(view0) → momentum(view1)"]);
    expect(one("simclr")).toEqual(["nt_xent online(view0) → online(view1)"]);
    expect(one("byol")).toEqual(["normalized_mse online_predictor(view0) → momentum(view1)"]);
    expect(one("simsiam")).toEqual(["negative_cosine online_predictor(view0) → online_detached(view1)"]);
  });

  it("is the release's MoCo v2 + MixMask loss: 1, λ and 1 − λ with the complement reordered", () => {
    const m = masks("mixmask");
    const terms = composeTerms(FRAMEWORKS.mocov2, m.pieces, { temperature: 0.2, symmetric: false });
    const lambda = m.mask!.keptFractions[0]!;
    expect(terms.map(describeTerm)).toEqual([
      "info_nce_queue online(view0) → momentum(view1)",
      "info_nce_queue online(masked0) → momentum(view1)",
      "info_nce_queue online(masked0)[order] → momentum(view1)",
    ]);
    expect(terms.map((t) => t.weight)).toEqual([1, lambda, 1 - lambda]);
    // Key i meets the mixed view j whose partner is i: that mix holds the 1 − λ of image i the mask dropped.
    const order = terms[2]!.anchorOrder!;
    for (let i = 0; i < 8; i++) expect(m.mask!.partner![order[i]!]).toBe(i);
    expect(terms.every((t) => t.temperature === 0.2)).toBe(true);
  });

  it.each(["mocov2", "simclr", "byol", "simsiam"] as const)(
    "composes %s with every masker, weights summing as defined",
    (name) => {
      for (const masker of ["none", "mixmask", "unmix", "both", "erase"] as const) {
        const m = masks(masker);
        const terms = composeTerms(FRAMEWORKS[name], m.pieces, { temperature: 0.2, symmetric: false });
        const total = terms.reduce((a, t) => a + t.weight, 0);
        const expected = { none: 1, mixmask: 2, unmix: 2, both: 3, erase: 2 }[masker];
        expect(total).toBeCloseTo(expected, 12);
        expect(terms[0]!.anchor.input).toBe("view0"); // term 0 is the base term (MoCo enqueues its keys)
        expect(new Set(terms.map((t) => t.positive.input))).toEqual(new Set(["view1"]));
      }
    },
  );

  it("mirrors every term with halved weights when symmetric, the mask applied to the query view of each direction", () => {
    const m = masks("mixmask");
    const terms = composeTerms(FRAMEWORKS.simsiam, m.pieces, { temperature: 0, symmetric: true });
    expect(terms.map(describeTerm)).toEqual([
      "negative_cosine online_predictor(view0) → online_detached(view1)",
      "negative_cosine online_predictor(masked0) → online_detached(view1)",
      "negative_cosine online_predictor(masked0)[order] → online_detached(view1)",
      "negative_cosine online_predictor(view1) → online_detached(view0)",
      "negative_cosine online_predictor(masked1) → online_detached(view0)",
      "negative_cosine online_predictor(masked1)[order] → online_detached(view0)",
    ]);
    expect(terms[0]!.weight).toBe(0.5);
    expect(terms.reduce((a, t) => a + t.weight, 0)).toBeCloseTo(2, 12);
    // BYOL sums its two directions (L + L̃) where SimSiam averages them.
    const byol = composeTerms(FRAMEWORKS.byol, m.pieces, { temperature: 0, symmetric: true });
    expect(byol.reduce((a, t) => a + t.weight, 0)).toBeCloseTo(4, 12);
  });

  it("carries per-sample λ_i as sample weights on the mixed and the explicit complementary images", () => {
    const m = masks("mixmask", 0, { maskPerSample: true });
    const terms = composeTerms(FRAMEWORKS.mocov2, m.pieces, { temperature: 0.2, symmetric: false });
    expect(terms.map(describeTerm)).toEqual([
      "info_nce_queue online(view0) → momentum(view1)",
      "info_nce_queue online(masked0) → momentum(view1)",
      "info_nce_queue online(complement0) → momentum(view1)",
    ]);
    const lambdas = Array.from(m.mask!.keptFractions);
    expect(lambdas).toHaveLength(8);
    expect(Array.from(terms[1]!.sampleWeights!)).toEqual(lambdas.map((l) => Math.fround(l)));
    terms[2]!.sampleWeights!.forEach((w, i) => expect(w).toBeCloseTo(1 - lambdas[i]!, 6));
    expect(terms[1]!.weight).toBe(1);
  });

  it("refuses a non-positive temperature for the contrastive frameworks only", () => {
    const base: QueryPiece[] = [{ image: "view", weight: 1 }];
    expect(() => composeTerms(FRAMEWORKS.mocov2, base, { temperature: 0, symmetric: false })).toThrow(/temperature/);
    expect(() => composeTerms(FRAMEWORKS.simclr, base, { temperature: Number.NaN, symmetric: false })).toThrow(
      /temperature/,
    );
    expect(composeTerms(FRAMEWORKS.byol, base, { temperature: 0, symmetric: false })).toHaveLength(1);
  });
});
