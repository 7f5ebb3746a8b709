import { describe, expect, it } from "vitest";
import { mocoV2Terms } from "../../src/frameworks/moco-v2.js";
import { planMixMask } from "../../src/masking/mixmask.js";
import { Rng } from "../../src/random/rng.js";

describe("mocoV2Terms", () => {
  it("is one InfoNCE term (q_view against k) without a mix", () => {
    expect(mocoV2Terms(0.2)).toEqual([{ kind: "info_nce_queue", query: "query_view", key: "key_view", weight: 1, temperature: 0.2 }]);
  });

  it("adds λ·InfoNCE(q_mix, k) and (1 − λ)·InfoNCE(q_mix[partnerInverse], k) with a mix", () => {
    const mix = planMixMask(Rng.stream(1, "mask", 0), 4, 28, { grid: 8, keepRatio: 0.5 });
    const terms = mocoV2Terms(0.1, mix);
    expect(terms).toHaveLength(3);
    const [view, own, complement] = terms;
    expect(view).toMatchObject({ query: "query_view", key: "key_view", weight: 1 });
    expect(view?.queryOrder).toBeUndefined();
    expect(own).toMatchObject({ kind: "info_nce_queue", query: "query_mix", key: "key_view", weight: mix.lambda, temperature: 0.1 });
    expect(own?.queryOrder).toBeUndefined();
    expect(complement).toMatchObject({ kind: "info_nce_queue", query: "query_mix", key: "key_view", weight: 1 - mix.lambda, temperature: 0.1 });
    expect(complement?.queryOrder).toBe(mix.partnerInverse);
    expect((own?.weight ?? 0) + (complement?.weight ?? 0)).toBeCloseTo(1, 12);
  });

  it("lines each key up with the mixed view holding the rest of its image, for any pairing", () => {
    // Partner p = [2, 0, 3, 1]: mixed view j holds (1 − λ) of image p[j]. Key i must meet the j with p[j] = i.
    const partner = Uint32Array.from([2, 0, 3, 1]);
    const partnerInverse = Uint32Array.from([1, 3, 0, 2]);
    const [, , complement] = mocoV2Terms(0.2, { grid: 4, mask: new Uint8Array(16), partner, lambda: 0.25, partnerInverse });
    const order = complement?.queryOrder;
    expect(order).toBeDefined();
    for (let i = 0; i < 4; i++) expect(partner[order![i]!]).toBe(i);
    expect(complement?.weight).toBe(0.75);
  });

  it("refuses a non-positive temperature", () => {
    expect(() => mocoV2Terms(0)).toThrow(/temperature/);
    expect(() => mocoV2Terms(Number.NaN)).toThrow(/temperature/);
  });
});
