// A small hand-drawn SVG area chart with a max label and the latest value.
import { areaPath, linePath, niceMax } from '../lib/charts';
import { count } from '../lib/format';

type Props = { title: string; series: readonly number[]; unit: string; seconds: number };

const W = 600;
const H = 120;

export function AreaChart({ title, series, unit, seconds }: Props) {
  const max = niceMax(Math.max(0, ...series));
  const latest = series.at(-1) ?? 0;
  return (
    <figure className="chart">
      <figcaption>
        <span>{title}</span>
        <span className="chart-latest">
          {count(latest)} {unit}
        </span>
      </figcaption>
      <svg viewBox={`0 0 ${W} ${H}`} preserveAspectRatio="none" role="img" aria-label={`${title}: ${latest} ${unit} now, peak ${Math.max(0, ...series)}`}>
        <line x1={0} x2={W} y1={0.5} y2={0.5} className="grid-line" />
        <line x1={0} x2={W} y1={H / 2} y2={H / 2} className="grid-line" />
        <path d={areaPath(series, W, H, max)} className="area" />
        <path d={linePath(series, W, H, max)} className="line" vectorEffect="non-scaling-stroke" />
      </svg>
      <div className="chart-axis">
        <span>{seconds / 60} min ago</span>
        <span>max {count(max)}</span>
        <span>now</span>
      </div>
    </figure>
  );
}
