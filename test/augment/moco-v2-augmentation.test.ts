import { describe, expect, it } from "vitest";
import { MixmaskError } from "../../src/errors.js";
import { MOCO_V2_AUGMENTATION, planView } from "../../src/augment/moco-v2-augmentation.js";
import { Rng } from "../../src/random/rng.js";

const RGB = { height: 28, width: 28, channels: 3 } as const;
const GREY = { height: 28, width: 28, channels: 1 } as const;

function rate(values: Uint8Array): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}

describe("planView", () => {
  it("is pinned for a seeded stream (first 2 samples, with and without jitter, grey and blur)", () => {
    const plain = planView(Rng.stream(42, "augment", 0, 0), 2, RGB, 28, {});
    expect(Array.from(plain.crop)).toEqual([6, 6, 20, 18, 0, 6, 24, 20]);
    expect(Array.from(plain.flip)).toEqual([0, 1]);
    expect(Array.from(plain.jitterOrder)).toEqual([0, 1, 2, 3, 0, 2, 1, 3]);
    expectClose(
      plain.jitter,
      [1, 1, 1, 0, 0.983927845954895, 1.3824702501296997, 1.0947952270507812, 0.06997024267911911],
    );
    expect(Array.from(plain.grayscale)).toEqual([0, 0]);
    expect(Array.from(plain.blurSigma)).toEqual([0, 0]);
    expect(plain.blurKernelSize).toBe(3);

    const other = planView(Rng.stream(42, "augment", 0, 4), 2, RGB, 28, {});
    expect(Array.from(other.crop)).toEqual([4, 0, 22, 22, 10, 11, 16, 15]);
    expect(Array.from(other.flip)).toEqual([1, 0]);
    expect(Array.from(other.jitterOrder)).toEqual([0, 1, 2, 3, 0, 1, 2, 3]);
    expectClose(
      other.jitter,
      [
        0.8616746664047241, 0.9532591104507446, 0.9236016869544983, 0.044379934668540955, 1.1436387300491333,
        1.094679594039917, 0.635986328125, -0.005005498416721821,
      ],
    );
    expect(Array.from(other.grayscale)).toEqual([1, 0]);
    expectClose(other.blurSigma, [1.4861640930175781, 0.36950892210006714]);
  });

  it("has the recipe's rates and ranges over 20k samples", () => {
    const n = 20_000;
    const v = planView(Rng.stream(7, "augment-stats"), n, RGB, 28, {});
    expect(v.crop).toHaveLength(4 * n);
    expect(Math.abs(rate(v.flip) - 0.5)).toBeLessThan(0.02);
    expect(Math.abs(rate(v.grayscale) - 0.2)).toBeLessThan(0.02);
    const blurred = Array.from(v.blurSigma).filter((s) => s > 0);
    expect(Math.abs(blurred.length / n - 0.5)).toBeLessThan(0.02);
    expect(Math.min(...blurred)).toBeGreaterThanOrEqual(0.1);
    expect(Math.max(...blurred)).toBeLessThanOrEqual(2);
    expect(Math.abs(blurred.reduce((a, b) => a + b, 0) / blurred.length - 1.05)).toBeLessThan(0.02);

    let jittered = 0;
    let brightnessSum = 0;
    const notPermutation: number[] = [];
    const outOfRange: number[] = [];
    for (let i = 0; i < n; i++) {
      const [b, c, s, h] = Array.from(v.jitter.subarray(4 * i, 4 * i + 4)) as [number, number, number, number];
      const order = Array.from(v.jitterOrder.subarray(4 * i, 4 * i + 4)).sort();
      if (order.join() !== "0,1,2,3") notPermutation.push(i);
      if (b === 1 && c === 1 && s === 1 && h === 0) continue; // identity: not applied (a draw of exactly 1 has probability 0)
      jittered += 1;
      brightnessSum += b;
      for (const f of [b, c, s]) if (!(f >= 0.6 - 1e-6 && f <= 1.4 + 1e-6)) outOfRange.push(i);
      if (!(h >= -0.1 - 1e-6 && h <= 0.1 + 1e-6)) outOfRange.push(i);
    }
    expect(notPermutation).toEqual([]);
    expect(outOfRange).toEqual([]);
    expect(Math.abs(jittered / n - 0.8)).toBeLessThan(0.02);
    expect(Math.abs(brightnessSum / jittered - 1)).toBeLessThan(0.01);
  });

  it("makes saturation, hue and grayscale identity on grey sources but draws the same stream", () => {
    const n = 5000;
    const grey = planView(Rng.stream(9, "augment"), n, GREY, 28, {});
    const rgb = planView(Rng.stream(9, "augment"), n, RGB, 28, {});
    expect(rate(grey.grayscale)).toBe(0);
    for (let i = 0; i < n; i++) {
      if (grey.jitter[4 * i + 2] !== 1 || grey.jitter[4 * i + 3] !== 0) expect(i).toBe("saturation 1 and hue 0");
    }
    // Crop, flip, blur, order, brightness and contrast do not depend on the channel count.
    expect(grey.crop).toEqual(rgb.crop);
    expect(grey.flip).toEqual(rgb.flip);
    expect(grey.blurSigma).toEqual(rgb.blurSigma);
    expect(grey.jitterOrder).toEqual(rgb.jitterOrder);
    for (let i = 0; i < n; i++) {
      if (grey.jitter[4 * i] !== rgb.jitter[4 * i] || grey.jitter[4 * i + 1] !== rgb.jitter[4 * i + 1])
        expect(i).toBe("same brightness and contrast");
    }
    expect(rate(rgb.grayscale)).toBeGreaterThan(0.15);
  });

  it("uses the odd kernel size nearest to 10% of the output size, at least 3", () => {
    const kernel = (size: number, fraction?: number) =>
      planView(new Rng(0), 1, RGB, size, { blurKernelFraction: fraction }).blurKernelSize;
    expect(kernel(224)).toBe(23);
    expect(kernel(96)).toBe(9);
    expect(kernel(64)).toBe(7);
    expect(kernel(32)).toBe(3);
    expect(kernel(28)).toBe(3);
    expect(kernel(8)).toBe(3);
    expect(kernel(40)).toBe(5); // 4 is halfway between 3 and 5: ties go up
    expect(kernel(100, 0.25)).toBe(25);
    for (let s = 1; s < 300; s++) expect(kernel(s) % 2).toBe(1);
  });

  it("honours options: probabilities 0 and 1, degenerate strengths", () => {
    const n = 200;
    const v = planView(new Rng(3), n, RGB, 32, {
      flipProbability: 1,
      jitterProbability: 1,
      grayscaleProbability: 0,
      blurProbability: 0,
      brightness: 0,
      hue: 0,
    });
    expect(rate(v.flip)).toBe(1);
    expect(rate(v.grayscale)).toBe(0);
    expect(Array.from(v.blurSigma).every((s) => s === 0)).toBe(true);
    for (let i = 0; i < n; i++) {
      expect(v.jitter[4 * i]).toBe(1);
      expect(v.jitter[4 * i + 3]).toBe(0);
    }
    expect(planView(new Rng(3), 0, RGB, 32, {}).crop).toHaveLength(0);
    expect(MOCO_V2_AUGMENTATION.cropScale).toEqual([0.2, 1]);
  });

  it("validates options and lists every problem", () => {
    try {
      planView(new Rng(0), 4, RGB, 28, { flipProbability: 1.5, hue: 0.7, blurSigma: [2, 1], brightness: -1 });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(MixmaskError);
      const error = e as MixmaskError;
      expect(error.code).toBe("INVALID_OPTION");
      expect(error.issues.map((i) => i.path).sort()).toEqual(["blurSigma", "brightness", "flipProbability", "hue"]);
    }
    expect(() => planView(new Rng(0), 4, RGB, 0, {})).toThrow(/imageSize/);
    expect(() => planView(new Rng(0), 4, { height: 28, width: 28, channels: 2 as 1 }, 28, {})).toThrow(
      /source.channels/,
    );
  });
});

function expectClose(actual: Float32Array, expected: number[]): void {
  expect(actual).toHaveLength(expected.length);
  expected.forEach((value, i) => expect(actual[i]).toBeCloseTo(value, 6));
}
