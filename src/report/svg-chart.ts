/**
 * Minimal SVG charts for reports: line charts (with an optional ±band per series) and overlaid histograms. Hand-written
 * so that plots need no browser and no charting dependency; rasterised to PNG by `png-file.ts`.
 */

export interface LineSeries {
  name: string;
  /** [x, y] points in x order. */
  points: [number, number][];
  /** Optional shaded band: [x, low, high] (e.g. mean ± std over seeds). */
  band?: [number, number, number][];
  /** Palette index, so that one configuration keeps its colour across plots (default: the series' position). */
  colour?: number;
}

export interface LineChartSpec {
  title: string;
  xLabel: string;
  yLabel: string;
  series: LineSeries[];
  /** A dashed horizontal reference line, e.g. the untrained encoder's accuracy. */
  reference?: { y: number; label: string };
  width?: number;
  height?: number;
}

export interface HistogramSpec {
  title: string;
  xLabel: string;
  series: { name: string; values: number[]; colour?: number }[];
  range: [number, number];
  bins: number;
  width?: number;
  height?: number;
}

/** Colour-blind-safe palette (Okabe & Ito 2008). */
const PALETTE = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442", "#000000"];
const MARGIN = { left: 64, right: 16, top: 36, bottom: 48 };
const FONT = `font-family="DejaVu Sans, sans-serif"`;

export function colourOf(index: number): string {
  return PALETTE[index % PALETTE.length]!;
}

export function lineChartSvg(spec: LineChartSpec): string {
  const width = spec.width ?? 640;
  const height = spec.height ?? 400;
  const xs = spec.series.flatMap((s) => s.points.map((p) => p[0]));
  const ys = [
    ...spec.series.flatMap((s) => [...s.points.map((p) => p[1]), ...(s.band ?? []).flatMap((b) => [b[1], b[2]])]),
    ...(spec.reference ? [spec.reference.y] : []),
  ].filter(Number.isFinite);
  const x = axis(xs, MARGIN.left, width - MARGIN.right, false);
  const y = axis(ys, height - MARGIN.bottom, MARGIN.top, true);
  const parts: string[] = [frame(width, height, spec.title, spec.xLabel, spec.yLabel, x, y)];
  spec.series.forEach((s, i) => {
    const colour = colourOf(s.colour ?? i);
    if (s.band && s.band.length > 1) {
      const upper = s.band.map((b) => `${x.at(b[0]).toFixed(1)},${y.at(b[2]).toFixed(1)}`);
      const lower = s.band.map((b) => `${x.at(b[0]).toFixed(1)},${y.at(b[1]).toFixed(1)}`).reverse();
      parts.push(`<polygon points="${[...upper, ...lower].join(" ")}" fill="${colour}" fill-opacity="0.18" stroke="none"/>`);
    }
    const finite = s.points.filter((p) => Number.isFinite(p[1]));
    if (finite.length === 1) parts.push(`<circle cx="${x.at(finite[0]![0]).toFixed(1)}" cy="${y.at(finite[0]![1]).toFixed(1)}" r="3" fill="${colour}"/>`);
    else parts.push(`<polyline points="${finite.map((p) => `${x.at(p[0]).toFixed(1)},${y.at(p[1]).toFixed(1)}`).join(" ")}" fill="none" stroke="${colour}" stroke-width="2"/>`);
    if (finite.length <= 20) for (const p of finite) parts.push(`<circle cx="${x.at(p[0]).toFixed(1)}" cy="${y.at(p[1]).toFixed(1)}" r="2.5" fill="${colour}"/>`);
  });
  if (spec.reference) {
    const yy = y.at(spec.reference.y).toFixed(1);
    parts.push(`<line x1="${MARGIN.left}" x2="${width - MARGIN.right}" y1="${yy}" y2="${yy}" stroke="#555" stroke-dasharray="5,4"/>`);
    parts.push(`<text x="${width - MARGIN.right - 4}" y="${(Number(yy) - 4).toFixed(1)}" ${FONT} font-size="11" fill="#555" text-anchor="end">${escapeXml(spec.reference.label)}</text>`);
  }
  parts.push(legend(spec.series.map((s, i) => ({ name: s.name, colour: s.colour ?? i })), MARGIN.left + 8, MARGIN.top + 6));
  return svgDocument(width, height, parts);
}

export function histogramSvg(spec: HistogramSpec): string {
  const width = spec.width ?? 640;
  const height = spec.height ?? 360;
  const [lo, hi] = spec.range;
  const binWidth = (hi - lo) / spec.bins;
  const counts = spec.series.map((s) => {
    const c = new Array<number>(spec.bins).fill(0);
    for (const v of s.values) {
      if (!(v >= lo && v <= hi)) continue;
      c[Math.min(spec.bins - 1, Math.floor((v - lo) / binWidth))]! += 1;
    }
    const total = Math.max(1, s.values.length);
    return c.map((n) => n / total); // fractions, so series of different sizes compare
  });
  const x = axis([lo, hi], MARGIN.left, width - MARGIN.right, false, true);
  const y = axis([0, ...counts.flat()], height - MARGIN.bottom, MARGIN.top, true, true);
  const parts: string[] = [frame(width, height, spec.title, spec.xLabel, "fraction of steps", x, y)];
  counts.forEach((c, i) => {
    const colour = colourOf(spec.series[i]!.colour ?? i);
    const path = c.map((f, b) => `L${x.at(lo + b * binWidth).toFixed(1)},${y.at(f).toFixed(1)} L${x.at(lo + (b + 1) * binWidth).toFixed(1)},${y.at(f).toFixed(1)}`).join(" ");
    const base = y.at(0).toFixed(1);
    parts.push(`<path d="M${x.at(lo).toFixed(1)},${base} ${path} L${x.at(hi).toFixed(1)},${base} Z" fill="${colour}" fill-opacity="0.25" stroke="${colour}" stroke-width="1.5"/>`);
  });
  parts.push(legend(spec.series.map((s, i) => ({ name: `${s.name} (${s.values.length} steps)`, colour: s.colour ?? i })), MARGIN.left + 8, MARGIN.top + 6));
  return svgDocument(width, height, parts);
}

interface Axis {
  at(v: number): number;
  ticks: number[];
}

/** A linear scale from the data's range (padded a little) onto [from, to] pixels, with "nice" tick values. */
function axis(values: number[], from: number, to: number, padded: boolean, exact = false): Axis {
  let lo = values.length ? Math.min(...values) : 0;
  let hi = values.length ? Math.max(...values) : 1;
  if (hi === lo) {
    lo -= 0.5;
    hi += 0.5;
  } else if (padded && !exact) {
    const pad = (hi - lo) * 0.05;
    lo -= pad;
    hi += pad;
  }
  const step = niceStep((hi - lo) / 5);
  const ticks: number[] = [];
  for (let t = Math.ceil(lo / step) * step; t <= hi + step * 1e-9; t += step) ticks.push(Number(t.toPrecision(12)));
  return { at: (v) => from + ((v - lo) / (hi - lo)) * (to - from), ticks };
}

function niceStep(raw: number): number {
  const power = 10 ** Math.floor(Math.log10(raw));
  const f = raw / power;
  return (f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10) * power;
}

function frame(width: number, height: number, title: string, xLabel: string, yLabel: string, x: Axis, y: Axis): string {
  const left = MARGIN.left;
  const right = width - MARGIN.right;
  const top = MARGIN.top;
  const bottom = height - MARGIN.bottom;
  const out = [
    `<rect width="${width}" height="${height}" fill="white"/>`,
    `<text x="${width / 2}" y="22" ${FONT} font-size="15" font-weight="bold" text-anchor="middle">${escapeXml(title)}</text>`,
  ];
  for (const t of y.ticks) {
    const yy = y.at(t).toFixed(1);
    out.push(`<line x1="${left}" x2="${right}" y1="${yy}" y2="${yy}" stroke="#e5e5e5"/>`);
    out.push(`<text x="${left - 6}" y="${yy}" ${FONT} font-size="11" text-anchor="end" dominant-baseline="middle">${formatTick(t)}</text>`);
  }
  for (const t of x.ticks) {
    const xx = x.at(t).toFixed(1);
    out.push(`<line x1="${xx}" x2="${xx}" y1="${bottom}" y2="${bottom + 4}" stroke="#333"/>`);
    out.push(`<text x="${xx}" y="${bottom + 16}" ${FONT} font-size="11" text-anchor="middle">${formatTick(t)}</text>`);
  }
  out.push(`<rect x="${left}" y="${top}" width="${right - left}" height="${bottom - top}" fill="none" stroke="#333"/>`);
  out.push(`<text x="${(left + right) / 2}" y="${height - 10}" ${FONT} font-size="12" text-anchor="middle">${escapeXml(xLabel)}</text>`);
  out.push(`<text transform="translate(16 ${(top + bottom) / 2}) rotate(-90)" ${FONT} font-size="12" text-anchor="middle">${escapeXml(yLabel)}</text>`);
  return out.join("\n");
}

function legend(entries: { name: string; colour: number }[], x: number, y: number): string {
  const rows = entries.map(({ name, colour }, i) => {
    const yy = y + 14 * i + 8;
    return `<rect x="${x}" y="${yy - 8}" width="14" height="8" fill="${colourOf(colour)}"/><text x="${x + 20}" y="${yy}" ${FONT} font-size="11">${escapeXml(name)}</text>`;
  });
  const longest = Math.max(0, ...entries.map((e) => e.name.length));
  return `<rect x="${x - 4}" y="${y - 2}" width="${longest * 6.6 + 30}" height="${14 * entries.length + 6}" fill="white" fill-opacity="0.85" stroke="#ccc"/>\n${rows.join("\n")}`;
}

function formatTick(v: number): string {
  if (v === 0) return "0";
  const a = Math.abs(v);
  return a >= 1000 ? v.toFixed(0) : a >= 10 ? Number(v.toFixed(1)).toString() : Number(v.toPrecision(3)).toString();
}

function svgDocument(width: number, height: number, parts: string[]): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">\n${parts.join("\n")}\n</svg>\n`;
}

function escapeXml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}
