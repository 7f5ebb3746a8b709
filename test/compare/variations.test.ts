import { describe, expect, it } from "vitest";
import { folderOf, parseVariations } from "../../src/compare/variations.js";
import { formatMeanStd, meanStd } from "../../src/compare/stats.js";

describe("parseVariations", () => {
  it("makes the cartesian product of the varied options, typed like their flags", () => {
    const v = parseVariations(["masker=none,mixmask", "mask-grid=4,7"]);
    expect(v.map((x) => x.name)).toEqual([
      "masker=none maskGrid=4",
      "masker=none maskGrid=7",
      "masker=mixmask maskGrid=4",
      "masker=mixmask maskGrid=7",
    ]);
    expect(v[3]!.overrides).toEqual({ masker: "mixmask", maskGrid: 7 });
    expect(parseVariations(["semiSupervised=0.01,0.1;0.1"]).map((x) => x.overrides.semiSupervised)).toEqual([
      [0.01, 0.1],
      [0.1],
    ]);
  });

  it("names what is wrong with a spec", () => {
    expect(() => parseVariations([])).toThrow(/no configurations/);
    expect(() => parseVariations(["colour=red"])).toThrow(/does not name a pretrain option/);
    expect(() => parseVariations(["masker"])).toThrow(/does not name a pretrain option/);
    expect(() => parseVariations(["masker=none,none"])).toThrow(/distinct/);
    expect(() => parseVariations(["masker=none", "masker=erase"])).toThrow(/varied twice/);
  });

  it("gives folder-safe names", () => {
    expect(folderOf("masker=none maskGrid=4")).toBe("masker=none_maskGrid=4");
  });
});

describe("meanStd", () => {
  it("uses the sample standard deviation and ignores non-finite values", () => {
    const m = meanStd([0.7, 0.8, 0.9, NaN]);
    expect(m.mean).toBeCloseTo(0.8, 12);
    expect(m.std).toBeCloseTo(0.1, 12);
    expect(m.n).toBe(3);
    expect(formatMeanStd(m)).toBe("0.8000 ± 0.1000");
    expect(formatMeanStd(meanStd([0.5]))).toBe("0.5000");
    expect(formatMeanStd(meanStd([]))).toBe("—");
  });
});
