import { describe, expect, it } from "vitest";
import { MixmaskError } from "../../src/errors.js";
import { channelMeanStd, type ImageDataset } from "../../src/data/image-dataset.js";

function dataset(channels: 1 | 3, pixels: number[], count: number, side: number): ImageDataset {
  return {
    name: "t",
    split: "train",
    count,
    height: side,
    width: side,
    channels,
    pixels: Uint8Array.from(pixels),
    labels: new Int32Array(count),
    numClasses: 1,
    classNames: ["x"],
  };
}

describe("channelMeanStd", () => {
  it("computes population mean and std per RGB channel in [0, 1] units", () => {
    // Two 1×1 RGB images: R = {0, 255}, G = {51, 51}, B = {255, 255}.
    const { mean, std } = channelMeanStd(dataset(3, [0, 51, 255, 255, 51, 255], 2, 1));
    expect(mean[0]).toBeCloseTo(0.5, 12);
    expect(mean[1]).toBeCloseTo(0.2, 12);
    expect(mean[2]).toBeCloseTo(1, 12);
    expect(std[0]).toBeCloseTo(0.5, 12);
    expect(std[1]).toBe(0);
    expect(std[2]).toBe(0);
  });

  it("repeats a grey channel's statistics three times", () => {
    const pixels = [0, 10, 20, 30, 40, 50, 60, 255];
    const { mean, std } = channelMeanStd(dataset(1, pixels, 2, 2));
    const m = pixels.reduce((a, b) => a + b, 0) / pixels.length / 255;
    const s = Math.sqrt(pixels.reduce((a, v) => a + (v / 255 - m) ** 2, 0) / pixels.length);
    expect(mean).toHaveLength(3);
    for (let c = 0; c < 3; c++) {
      expect(mean[c]).toBeCloseTo(m, 12);
      expect(std[c]).toBeCloseTo(s, 12);
    }
  });

  it("refuses an empty dataset and a pixel buffer of the wrong length", () => {
    expect(() => channelMeanStd(dataset(1, [], 0, 2))).toThrow(MixmaskError);
    expect(() => channelMeanStd(dataset(3, [1, 2, 3, 4], 1, 1))).toThrow(/count·height·width·channels/);
  });
});
