import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PNG } from "pngjs";
import { describe, expect, it } from "vitest";
import { colourOf, histogram, lineChart } from "../../src/report/charts/chart-spec.js";
import { chartSvg, writeChartPng } from "../../src/report/charts/render-chart.js";
import { runCharts, smoothingNote } from "../../src/report/charts/run-charts.js";
import { movingAverage } from "../../src/report/run-metrics.js";
import { describeTerms } from "../../src/train/describe-method.js";
import { resolveConfig } from "../../src/config/presets.js";
import { validatePretrainConfig } from "../../src/config/pretrain-config.js";

/** Pixels of a PNG whose colour is within 40 of `hex` in every channel. */
function pixelsOf(png: PNG, hex: string): number {
  const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
  let n = 0;
  for (let i = 0; i < png.data.length; i += 4) {
    if (
      Math.abs(png.data[i]! - r!) < 40 &&
      Math.abs(png.data[i + 1]! - g!) < 40 &&
      Math.abs(png.data[i + 2]! - b!) < 40
    )
      n++;
  }
  return n;
}

describe("charts (vega-lite specs rendered headless)", () => {
  it("draw each series in its colour, labels escaped, and rasterise to a PNG without a browser", async () => {
    const chart = lineChart({
      title: "k-NN <top-1> & more",
      xLabel: "epoch",
      yLabel: "top-1",
      integerX: true,
      series: [
        {
          name: "none",
          points: [
            [0, 0.69],
            [1, 0.72],
            [2, 0.75],
          ],
          band: [
            [0, 0.68, 0.7],
            [1, 0.7, 0.74],
            [2, 0.73, 0.77],
          ],
        },
        {
          name: "mixmask",
          points: [
            [0, 0.69],
            [1, 0.7],
            [2, 0.76],
          ],
        },
      ],
      references: [
        { y: 0.65, label: "untrained" },
        { y: 0.8, label: "pixels" },
      ],
    });
    expect(chart.rows).toBe(3 + 3 + 3 + 2);
    const svg = await chartSvg(chart);
    expect(svg).toContain("k-NN &lt;top-1&gt; &amp; more");
    expect(svg).toContain(">untrained<");
    expect(svg).toContain(">pixels<");
    // Whole epochs only: the hand-written axis this replaced printed 0.5, 1.5, …
    const ticks = [...svg.matchAll(/<text[^>]*>([0-9.]+)<\/text>/g)].map((m) => m[1]!);
    expect(ticks).toContain("1");
    expect(ticks).not.toContain("0.5");
    const file = join(mkdtempSync(join(tmpdir(), "mixmask-chart-")), "plots/knn.png");
    await writeChartPng(chart, file);
    const png = PNG.sync.read(readFileSync(file));
    expect(png.width).toBeGreaterThan(1000); // rendered at 2× density
    expect(pixelsOf(png, colourOf(0))).toBeGreaterThan(500);
    expect(pixelsOf(png, colourOf(1))).toBeGreaterThan(500);
  });

  it("keep the legend below the plot, never over the data", async () => {
    const chart = lineChart({
      title: "t",
      xLabel: "x",
      yLabel: "y",
      series: [
        {
          name: "a long legend entry",
          points: [
            [0, 1],
            [1, 1],
          ],
        },
      ],
      height: 200,
    });
    const svg = await chartSvg(chart);
    const legend = /role-legend[^]*?translate\(([-\d.]+),([-\d.]+)\)/.exec(svg);
    expect(legend).not.toBeNull();
    expect(Number(legend![2])).toBeGreaterThan(200); // below the 200-pixel-high plot area
  });

  it("histograms count fractions per bin, so series of different sizes compare", () => {
    const chart = histogram({
      title: "λ",
      xLabel: "λ",
      range: [0, 1],
      bins: 4,
      series: [
        { name: "a", values: [0.1, 0.1, 0.6, 0.6] },
        { name: "b", values: [0.9] },
      ],
    });
    const rows = (chart.spec as unknown as { data: { values: { series: string; fraction: number }[] } }).data.values;
    expect(rows.filter((r) => r.series.startsWith("a")).map((r) => r.fraction)).toEqual([0.5, 0, 0.5, 0]);
    expect(rows.filter((r) => r.series.startsWith("b")).map((r) => r.fraction)).toEqual([0, 0, 0, 1]);
  });

  it("name a run's loss terms, plot spread and positive top-1, and say when a curve is not smoothed", () => {
    const mixmask = describeTerms(validatePretrainConfig(resolveConfig("cpu", { masker: "mixmask" })));
    expect(mixmask).toEqual(["InfoNCE(q, k)", "λ · InfoNCE(q_mix, k)", "(1 − λ) · InfoNCE(q_mix[inv], k)"]);
    expect(describeTerms(validatePretrainConfig(resolveConfig("cpu", { masker: "none" })))).toEqual(["InfoNCE(q, k)"]);
    expect(smoothingNote(1)).toBe("per step, not smoothed");
    const charts = runCharts({
      name: "m",
      metrics: [
        { step: 0, loss: 3, termLosses: [1, 1, 1], positiveTop1: 0.1, embeddingStd: 0.9, lr: 0.1, lambda: 0.4 },
      ],
      knn: [],
      references: { untrained: 0.5, pixels: 0.6 },
      termNames: mixmask,
    });
    expect(JSON.stringify(charts.terms.spec)).toContain("λ · InfoNCE(q_mix, k)");
    expect(JSON.stringify(charts.loss.spec)).not.toContain("of 1 steps");
    expect(charts.spread.rows).toBe(1);
    expect(charts.positiveTop1.rows).toBe(1);
    expect(charts.knn.rows).toBe(1 + 2); // the untrained point at epoch 0, two dashed lines
  });

  it("moving average is trailing and exact", () => {
    expect(movingAverage([1, 2, 3, 4, 5], 2)).toEqual([1, 1.5, 2.5, 3.5, 4.5]);
    expect(movingAverage([4], 10)).toEqual([4]);
  });
});
