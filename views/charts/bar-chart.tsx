/** @jsxImportSource hono/jsx */
/**
 * Stacked bars over time (e.g. completed and failed per minute), drawn on the server as SVG:
 * readable without JavaScript, with a text alternative in <title> and <desc>.
 */
import { dateFormat } from "../../src/core/date-format.ts";

export type BarSeries = { label: string; tone: "ok" | "bad" | "info"; values: number[] };

export type BarChartProps = {
  title: string;
  /** Start time (epoch ms) of each bar. */
  times: number[];
  series: BarSeries[];
  /** A line drawn over the bars on the same scale (e.g. jobs enqueued): above the bars, work arrives faster than it ends. */
  line?: { label: string; values: number[] };
  /** How to label a bar's time on the axis: "HH:MM" for minutes and hours, "MM-DD" for days. */
  tick: "time" | "day";
  /** Time zone for axis labels (default UTC). */
  timeZone?: string;
};

const W = 600;
const H = 160;
const PAD = { top: 10, right: 8, bottom: 20, left: 36 };

function label(ms: number, tick: "time" | "day", timeZone: string): string {
  return dateFormat("en-GB", tick === "day"
    ? { month: "2-digit", day: "2-digit", timeZone }
    : { hour: "2-digit", minute: "2-digit", hour12: false, timeZone }).format(new Date(ms));
}

/** A round top for the y axis: 1, 2, 5 × 10^n. */
export function niceMax(max: number): number {
  if (max <= 0) return 1;
  const p = 10 ** Math.floor(Math.log10(max));
  return ([1, 2, 5, 10].find((m) => m * p >= max) ?? 10) * p;
}

export function BarChart({ title, times, series, line, tick, timeZone = "UTC" }: BarChartProps) {
  const n = times.length;
  const totals = times.map((_, i) => series.reduce((sum, s) => sum + (s.values[i] ?? 0), 0));
  const top = niceMax(Math.max(0, ...totals, ...(line?.values ?? [])));
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const barW = n === 0 ? 0 : plotW / n;
  const y = (v: number) => PAD.top + plotH - (v / top) * plotH;
  const sums = series.map((s) => s.values.reduce((a, b) => a + b, 0));
  const lineSum = line ? line.values.reduce((a, b) => a + b, 0) : 0;
  const desc = `${[...series.map((s, i) => `${sums[i]} ${s.label}`), ...(line ? [`${lineSum} ${line.label}`] : [])].join(", ")} from ${n > 0 ? label(times[0]!, tick, timeZone) : "—"} to ${n > 0 ? label(times[n - 1]!, tick, timeZone) : "—"}; the busiest step had ${Math.max(0, ...totals)}.`;
  const ticks = n === 0 ? [] : [0, Math.floor(n / 4), Math.floor(n / 2), Math.floor((3 * n) / 4), n - 1];
  return (
    <figure style="margin:0">
      <svg class="chart" viewBox={`0 0 ${W} ${H}`} role="img" aria-label={title} preserveAspectRatio="none">
        <title>{title}</title>
        <desc>{desc}</desc>
        <line class="axis" x1={PAD.left} y1={y(0)} x2={W - PAD.right} y2={y(0)} />
        <line class="axis" x1={PAD.left} y1={y(top)} x2={W - PAD.right} y2={y(top)} stroke-dasharray="2 3" />
        <text class="label" x={PAD.left - 4} y={y(top) + 4} text-anchor="end">{top}</text>
        <text class="label" x={PAD.left - 4} y={y(0)} text-anchor="end">0</text>
        {times.map((_, i) => {
          let base = 0;
          return series.map((s) => {
            const v = s.values[i] ?? 0;
            if (v <= 0) return null;
            const rect = <rect class={s.tone} x={PAD.left + i * barW + barW * 0.1} width={Math.max(barW * 0.8, 1)} y={y(base + v)} height={y(base) - y(base + v)} />;
            base += v;
            return rect;
          });
        })}
        {line && n > 0 && (
          <polyline class="line" data-line={line.label} points={line.values.map((v, i) => `${(PAD.left + i * barW + barW / 2).toFixed(1)},${y(v).toFixed(1)}`).join(" ")} />
        )}
        {[...new Set(ticks)].map((i) => (
          <text class="label" x={PAD.left + i * barW + barW / 2} y={H - 5} text-anchor={i === 0 ? "start" : i === n - 1 ? "end" : "middle"}>{label(times[i]!, tick, timeZone)}</text>
        ))}
      </svg>
      <figcaption class="legend">
        {series.map((s, i) => (
          <span><i class={s.tone}></i>{s.label}: {sums[i]}</span>
        ))}
        {line && <span><i class="line"></i>{line.label}: {lineSum}</span>}
      </figcaption>
    </figure>
  );
}
