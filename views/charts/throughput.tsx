/** @jsxImportSource hono/jsx */
/**
 * Completed and failed jobs over the last hour (per minute) and the last 24 hours (per hour), of
 * all queues or one, with the jobs enqueued as a line: a line above the bars is a backlog growing.
 */
import type { SeriesPoint } from "../../src/core/monitor-store.ts";
import { BarChart } from "./bar-chart.tsx";

export function ThroughputCharts({ lastHour, lastDay, what }: { lastHour: SeriesPoint[]; lastDay: SeriesPoint[]; what: string }) {
  const chart = (points: SeriesPoint[], title: string) => (
    <BarChart
      title={title}
      times={points.map((p) => p.at)}
      tick="time"
      series={[
        { label: "completed", tone: "ok", values: points.map((p) => p.completed) },
        { label: "failed", tone: "bad", values: points.map((p) => p.failed) },
      ]}
      line={{ label: "enqueued", values: points.map((p) => p.enqueued) }}
    />
  );
  return (
    <div class="grid wide">
      <section class="panel" aria-labelledby="chart-hour">
        <h2 id="chart-hour">Last hour <small>per minute, UTC</small></h2>
        {chart(lastHour, `${what}: completed and failed jobs per minute over the last hour, and jobs enqueued`)}
      </section>
      <section class="panel" aria-labelledby="chart-day">
        <h2 id="chart-day">Last 24 hours <small>per hour, UTC</small></h2>
        {chart(lastDay, `${what}: completed and failed jobs per hour over the last 24 hours, and jobs enqueued`)}
      </section>
    </div>
  );
}
