import { describe, expect, it } from "vitest";
import { Embeddings } from "../../src/embed/embeddings.js";
import { modelInput } from "../../src/embed/model-input.js";

const spec = { imageSize: 2, mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] };

describe("modelInput: the worker's k-NN preprocessing in TypeScript", () => {
  it("lays RGB images out as [N, 3, S, S] with float32 (x / 255 − mean) / std per channel", () => {
    // 1 image, 2×2, HWC: pixel p has channels (10p, 10p + 1, 10p + 2).
    const pixels = Uint8Array.from([0, 1, 2, 10, 11, 12, 20, 21, 22, 30, 31, 32]);
    const x = modelInput({ count: 1, height: 2, width: 2, channels: 3, pixels }, spec);
    expect(x.length).toBe(12);
    for (let c = 0; c < 3; c++) {
      for (let p = 0; p < 4; p++) {
        const f = Math.fround;
        expect(x[c * 4 + p]).toBe(f(f(f((10 * p + c) / 255) - f(spec.mean[c]!)) / f(spec.std[c]!)));
      }
    }
  });

  it("repeats a grey channel to the three network channels, each with its own mean and std", () => {
    const x = modelInput(
      { count: 2, height: 2, width: 2, channels: 1, pixels: Uint8Array.from([0, 64, 128, 255, 1, 2, 3, 4]) },
      spec,
    );
    expect(x.length).toBe(2 * 3 * 4);
    const f = Math.fround;
    expect(x[3]).toBe(f(f(f(255 / 255) - f(0.485)) / f(0.229))); // image 0, R plane, pixel 3
    expect(x[4 + 3]).toBe(f(f(f(255 / 255) - f(0.456)) / f(0.224))); // image 0, G plane, pixel 3
    expect(x[12 + 8 + 1]).toBe(f(f(f(2 / 255) - f(0.406)) / f(0.225))); // image 1, B plane, pixel 1
  });

  it("refuses images that are not S × S and says how to get there", () => {
    expect(() => modelInput({ count: 1, height: 3, width: 2, channels: 1, pixels: new Uint8Array(6) }, spec)).toThrow(
      /expected: 2x2 images[\s\S]*received: 3x2[\s\S]*embed through the worker/,
    );
  });
});

describe("Embeddings", () => {
  it("gives rows as views, unit rows on request, and refuses a buffer of the wrong length", () => {
    const e = new Embeddings(2, 2, Float32Array.from([3, 4, 0, 0]));
    expect(Array.from(e.row(1))).toEqual([0, 0]);
    expect(Array.from(e.normalized().row(0))).toEqual([Math.fround(0.6), Math.fround(0.8)]);
    expect(Array.from(e.normalized().row(1))).toEqual([0, 0]);
    expect(e.toArrays()).toEqual([
      [3, 4],
      [0, 0],
    ]);
    expect(() => e.row(2)).toThrow(/row index out of range/);
    expect(() => new Embeddings(2, 3, new Float32Array(5))).toThrow(/count × dim/);
  });
});
