import { describe, expect, it } from "vitest";
import { roundHalfEven } from "../../src/random/round-half-even.js";

describe("roundHalfEven", () => {
  it("sends halves to the even neighbour, like Python's round()", () => {
    expect(roundHalfEven(2.5)).toBe(2);
    expect(roundHalfEven(3.5)).toBe(4);
    expect(roundHalfEven(0.5)).toBe(0);
    expect(roundHalfEven(-0.5)).toBe(0);
    expect(roundHalfEven(-1.5)).toBe(-2);
    expect(roundHalfEven(2.4999999)).toBe(2);
    expect(roundHalfEven(2.5000001)).toBe(3);
    expect(roundHalfEven(7)).toBe(7);
  });
});
