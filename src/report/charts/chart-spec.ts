/**
 * The one description of every plot: vega-lite specifications built from a run's numbers. The same object is drawn
 * by the dashboard page in the browser (vega's View with the SVG renderer) and headless in Node for report.md's PNGs
 * (`render-chart.ts`), so a plot in a report and on the page cannot disagree. The measurement behind the choice of
 * vega-lite is in docs/CHARTS.md.
 */
import type { TopLevelSpec } from "vega-lite";

/** Colour-blind-safe palette (Okabe & Ito 2008); a configuration keeps its colour across plots. */
export const PALETTE = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442", "#000000"];

export function colourOf(index: number): string {
  return PALETTE[index % PALETTE.length]!;
}

export interface LineSeries {
  name: string;
  /** [x, y] points in x order; non-finite y values are left out. */
  points: [number, number][];
  /** Optional shaded band: [x, low, high] (e.g. mean ± std over seeds). */
  band?: [number, number, number][];
  /** Palette index, so that one configuration keeps its colour across plots (default: the series' position). */
  colour?: number;
}

/** A dashed horizontal line, e.g. the untrained encoder's or the pixel baseline's k-NN top-1. */
export interface ReferenceLine {
  y: number;
  label: string;
}

export interface LineChartInput {
  title: string;
  /** A second title line: what the reader must know to read the plot (smoothing, mixed term counts, …). */
  subtitle?: string;
  xLabel: string;
  yLabel: string;
  series: LineSeries[];
  references?: ReferenceLine[];
  /** The x axis counts whole things (steps, epochs): integer ticks only. Default true. */
  integerX?: boolean;
  /** Fix the y domain (e.g. [0, 1] for accuracies); default: fitted to the data. */
  yDomain?: [number, number];
  width?: number;
  height?: number;
}

export interface HistogramInput {
  title: string;
  xLabel: string;
  series: { name: string; values: number[]; colour?: number }[];
  range: [number, number];
  bins: number;
  width?: number;
  height?: number;
}

/** Every chart specification carries its row count, so the page (and its browser test) can tell data arrived. */
export interface ChartSpec {
  spec: TopLevelSpec;
  /** Data rows drawn (points, band rows, reference lines). */
  rows: number;
}

const FONT = "DejaVu Sans, sans-serif";
/** The most points a line keeps: a longer one is thinned evenly (its last point kept), so specs stay small. */
export const MAX_POINTS = 400;

/** Below the plot, outside the data: a legend never covers the first points or a reference line. */
const LEGEND = {
  orient: "bottom",
  direction: "vertical",
  title: null,
  labelLimit: 480,
  symbolType: "stroke",
  symbolStrokeWidth: 3,
  symbolOpacity: 1,
} as const;

function baseConfig(): Record<string, unknown> {
  return {
    font: FONT,
    background: "white",
    view: { stroke: "#333" },
    title: { fontSize: 15, subtitleFontSize: 11, subtitleColor: "#555", anchor: "middle" },
    axis: { labelFontSize: 11, titleFontSize: 12, gridColor: "#e5e5e5" },
    legend: { labelFontSize: 11 },
  };
}

/** Lines of at most about `width` characters, broken at spaces: a long note must not widen the chart. */
function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(" ")) {
    if (line && line.length + word.length + 1 > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  return [...lines, line];
}

export function thin<T>(values: T[], max = MAX_POINTS): T[] {
  if (values.length <= max) return values;
  const every = Math.ceil(values.length / max);
  return values.filter((_, i) => i % every === 0 || i === values.length - 1);
}

/** Line chart: one coloured line per series, optional ± bands, dashed grey reference lines labelled at the right. */
export function lineChart(input: LineChartInput): ChartSpec {
  const names = input.series.map((s) => s.name);
  const colours = input.series.map((s, i) => colourOf(s.colour ?? i));
  const lines = input.series.flatMap((s) =>
    thin(s.points.filter((p) => Number.isFinite(p[1]) && Number.isFinite(p[0]))).map(([x, y]) => ({
      series: s.name,
      x,
      y,
    })),
  );
  const bands = input.series.flatMap((s) =>
    thin((s.band ?? []).filter((b) => b.every(Number.isFinite))).map(([x, low, high]) => ({
      series: s.name,
      x,
      low,
      high,
    })),
  );
  const references = (input.references ?? []).filter((r) => Number.isFinite(r.y));
  const colour = {
    field: "series",
    type: "nominal",
    scale: { domain: names, range: colours },
    legend: LEGEND,
  } as const;
  const yScale = input.yDomain ? { domain: input.yDomain } : { zero: false };
  const xAxis = (input.integerX ?? true) ? { tickMinStep: 1, format: "d" } : {};
  const x = { field: "x", type: "quantitative", title: input.xLabel, axis: xAxis, scale: { nice: false } } as const;
  const few = lines.length <= 20 * Math.max(1, input.series.length);
  const layer: unknown[] = [];
  if (bands.length) {
    layer.push({
      data: { values: bands },
      mark: { type: "area", opacity: 0.18 },
      encoding: {
        x,
        y: { field: "low", type: "quantitative", title: input.yLabel, scale: yScale },
        y2: { field: "high" },
        color: colour,
      },
    });
  }
  layer.push({
    data: { values: lines },
    mark: { type: "line", strokeWidth: 2, point: few ? { size: 25, filled: true } : false, clip: true },
    encoding: { x, y: { field: "y", type: "quantitative", title: input.yLabel, scale: yScale }, color: colour },
  });
  if (references.length) {
    layer.push({
      data: { values: references },
      layer: [
        {
          mark: { type: "rule", strokeDash: [5, 4], color: "#555" },
          encoding: { y: { field: "y", type: "quantitative" } },
        },
        {
          mark: { type: "text", align: "right", baseline: "bottom", dy: -3, color: "#555", fontSize: 11, x: "width" },
          encoding: { y: { field: "y", type: "quantitative" }, text: { field: "label" } },
        },
      ],
    });
  }
  const spec = {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title: input.subtitle ? { text: input.title, subtitle: wrap(input.subtitle, 100) } : input.title,
    width: input.width ?? 560,
    height: input.height ?? 300,
    config: baseConfig(),
    layer,
  } as unknown as TopLevelSpec;
  return { spec, rows: lines.length + bands.length + references.length };
}

/** Overlaid histograms of fractions per bin, so series with different numbers of values compare. */
export function histogram(input: HistogramInput): ChartSpec {
  const [lo, hi] = input.range;
  const width = (hi - lo) / input.bins;
  const rows = input.series.flatMap((s) => {
    const counts = new Array<number>(input.bins).fill(0);
    for (const v of s.values)
      if (v >= lo && v <= hi) counts[Math.min(input.bins - 1, Math.floor((v - lo) / width))]! += 1;
    const total = Math.max(1, s.values.length);
    const name = `${s.name} (${s.values.length} steps)`;
    return counts.map((c, b) => ({
      series: name,
      from: lo + b * width,
      to: lo + (b + 1) * width,
      fraction: c / total,
    }));
  });
  const names = input.series.map((s) => `${s.name} (${s.values.length} steps)`);
  const colours = input.series.map((s, i) => colourOf(s.colour ?? i));
  const spec = {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title: input.title,
    width: input.width ?? 560,
    height: input.height ?? 260,
    config: baseConfig(),
    data: { values: rows },
    mark: { type: "rect", opacity: 0.45, stroke: null },
    encoding: {
      x: { field: "from", type: "quantitative", title: input.xLabel, scale: { domain: [lo, hi], nice: false } },
      x2: { field: "to" },
      y: { field: "fraction", type: "quantitative", title: "fraction of steps", stack: null },
      y2: { datum: 0 },
      color: {
        field: "series",
        type: "nominal",
        scale: { domain: names, range: colours },
        legend: { ...LEGEND, symbolType: "square" },
      },
    },
  } as unknown as TopLevelSpec;
  return { spec, rows: rows.length };
}
