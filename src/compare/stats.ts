/** Mean and sample standard deviation (n − 1; 0 for a single value) of finite values. */
export interface MeanStd {
  mean: number;
  std: number;
  n: number;
  values: number[];
}

export function meanStd(values: number[]): MeanStd {
  const finite = values.filter(Number.isFinite);
  const n = finite.length;
  const mean = n ? finite.reduce((a, b) => a + b, 0) / n : NaN;
  const std = n > 1 ? Math.sqrt(finite.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1)) : 0;
  return { mean, std, n, values };
}

export function formatMeanStd(m: MeanStd, digits = 4): string {
  if (m.n === 0) return "—";
  return m.n > 1 ? `${m.mean.toFixed(digits)} ± ${m.std.toFixed(digits)}` : m.mean.toFixed(digits);
}
