import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PNG } from "pngjs";
import { describe, expect, it } from "vitest";
import { writeSvgAsPng } from "../../src/report/png-file.js";
import { movingAverage } from "../../src/report/run-metrics.js";
import { colourOf, histogramSvg, lineChartSvg } from "../../src/report/svg-chart.js";

/** Pixels of a PNG whose colour is within 40 of `hex` in every channel. */
function pixelsOf(png: PNG, hex: string): number {
  const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
  let n = 0;
  for (let i = 0; i < png.data.length; i += 4) {
    if (Math.abs(png.data[i]! - r!) < 40 && Math.abs(png.data[i + 1]! - g!) < 40 && Math.abs(png.data[i + 2]! - b!) < 40) n++;
  }
  return n;
}

describe("charts", () => {
  it("draw each series in its colour and rasterise to a PNG without a browser", async () => {
    const svg = lineChartSvg({
      title: "k-NN <top-1> & more",
      xLabel: "epoch",
      yLabel: "top-1",
      series: [
        { name: "none", points: [[0, 0.69], [1, 0.72], [2, 0.75]], band: [[0, 0.68, 0.7], [1, 0.7, 0.74], [2, 0.73, 0.77]] },
        { name: "mixmask", points: [[0, 0.69], [1, 0.7], [2, 0.76]] },
      ],
      reference: { y: 0.69, label: "untrained" },
    });
    expect(svg).toContain("k-NN &lt;top-1&gt; &amp; more"); // escaped, so the document stays valid
    const file = join(mkdtempSync(join(tmpdir(), "mixmask-chart-")), "plots/knn.png");
    await writeSvgAsPng(svg, file);
    const png = PNG.sync.read(readFileSync(file));
    expect([png.width, png.height]).toEqual([1280, 800]); // 640 × 400 at 2× density
    expect(pixelsOf(png, colourOf(0))).toBeGreaterThan(500);
    expect(pixelsOf(png, colourOf(1))).toBeGreaterThan(500);
  });

  it("histograms count fractions per bin, so series of different sizes compare", async () => {
    const svg = histogramSvg({ title: "λ", xLabel: "λ", range: [0, 1], bins: 4, series: [{ name: "a", values: [0.1, 0.1, 0.6, 0.6] }, { name: "b", values: [0.9] }] });
    // Series a: half of its values in bin 0 and half in bin 2 → two bars at 0.5; b: one bar at 1 (the y axis top).
    expect(svg.match(/<path /g)).toHaveLength(2);
    const file = join(mkdtempSync(join(tmpdir(), "mixmask-hist-")), "h.png");
    await writeSvgAsPng(svg, file);
    expect(PNG.sync.read(readFileSync(file)).width).toBe(1280);
  });

  it("moving average is trailing and exact", () => {
    expect(movingAverage([1, 2, 3, 4, 5], 2)).toEqual([1, 1.5, 2.5, 3.5, 4.5]);
    expect(movingAverage([4], 10)).toEqual([4]);
  });
});
