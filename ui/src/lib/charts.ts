// Geometry for the hand-drawn SVG charts: a series of numbers → an area path and a
// line path scaled into a box, plus a "nice" maximum for the axis.

/** The smallest of 1, 2, 5 × 10^n at or above `value` (at least 1). */
export function niceMax(value: number): number {
  if (!(value > 1)) return 1;
  const exp = 10 ** Math.floor(Math.log10(value));
  for (const m of [1, 2, 5, 10]) if (m * exp >= value) return m * exp;
  return 10 * exp;
}

export function points(series: readonly number[], width: number, height: number, max: number): [number, number][] {
  const n = series.length;
  if (n === 0) return [];
  const step = n > 1 ? width / (n - 1) : 0;
  return series.map((v, i) => [round(i * step), round(height - (Math.max(0, v) / max) * height)]);
}

const round = (n: number): number => Math.round(n * 10) / 10;

export function linePath(series: readonly number[], width: number, height: number, max: number): string {
  return points(series, width, height, max)
    .map(([x, y], i) => `${i === 0 ? 'M' : 'L'}${x},${y}`)
    .join(' ');
}

export function areaPath(series: readonly number[], width: number, height: number, max: number): string {
  const line = linePath(series, width, height, max);
  if (!line) return '';
  const last = points(series, width, height, max).at(-1)?.[0] ?? 0;
  return `${line} L${last},${height} L0,${height} Z`;
}

/** Adds series point by point (for an "all apps" line). */
export function sum(series: readonly (readonly number[])[]): number[] {
  const length = Math.max(0, ...series.map((s) => s.length));
  const out = new Array<number>(length).fill(0);
  for (const s of series) s.forEach((v, i) => (out[i] = (out[i] ?? 0) + v));
  return out;
}
