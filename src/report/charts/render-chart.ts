import type { ChartSpec } from "./chart-spec.js";
import { writeSvgAsPng } from "../png-file.js";

/**
 * Draws a chart specification to an SVG document in Node: vega-lite compiles it to a vega spec and vega's headless
 * View renders the scenegraph to SVG — the same spec and the same renderer the dashboard page uses in the browser.
 * vega and vega-lite are imported on first use so that commands drawing no chart never load them.
 */
export async function chartSvg(chart: ChartSpec): Promise<string> {
  const [vega, vegaLite] = await Promise.all([import("vega"), import("vega-lite")]);
  const compiled = vegaLite.compile(chart.spec).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: "none" });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/**
 * Renders the chart and writes it as a PNG through png-file.ts (the one SVG → PNG path), atomically; returns the
 * file written — the SVG beside it when the optional sharp is not installed.
 */
export async function writeChartPng(chart: ChartSpec, file: string): Promise<string> {
  return writeSvgAsPng(await chartSvg(chart), file);
}
