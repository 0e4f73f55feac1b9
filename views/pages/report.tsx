/** @jsxImportSource hono/jsx */
/** One day's report: totals, rates, run times, the hourly distribution and its peak, failures by type, retries, queues, disk, the week's trend. */
import type { DailyReport } from "../../src/monitor/daily-report.ts";
import { BarChart } from "../charts/bar-chart.tsx";
import { HBarChart } from "../charts/hbar-chart.tsx";
import { StateCountsGrid } from "../components/counts.tsx";
import { ApiCalls } from "../components/curl.tsx";
import { percent, QueueFigures, SlowestJobs } from "../components/report-tables.tsx";
import { Ago, count, duration } from "../components/time.tsx";
import { PageHead } from "../layout.tsx";

const GB = 1024 ** 3;
const bytes = (n: number) => (n >= GB ? `${(n / GB).toFixed(1)} GB` : `${(n / 1024 ** 2).toFixed(0)} MB`);

/** Hours in the report's local day: 23 or 25 on the days clocks change. */
const hours = (r: DailyReport) => Math.round((Date.parse(r.to) - Date.parse(r.from)) / 3_600_000);

function Stat({ n, label }: { n: string; label: string }) {
  return <div class="stat"><span class="n">{n}</span><span class="l">{label}</span></div>;
}

export function ReportPage({ report: r }: { report: DailyReport }) {
  const t = r.totals;
  return (
    <>
      <PageHead title={`Report ${r.date}`} crumbs={[["/reports", "Reports"]]}
        sub={<>The day {r.date} in {r.timezone} ({hours(r)} h); made <Ago ms={Date.parse(r.generatedAt)} />.</>}>
        <a class="button" href={`/v1/reports/daily/${r.date}`} download={`spool-report-${r.date}.json`}>Download JSON</a>
      </PageHead>
      <section class="panel" aria-labelledby="totals">
        <h2 id="totals">Totals</h2>
        <div class="stats" data-report-totals>
          <Stat n={count(t.enqueued)} label="enqueued" />
          <Stat n={count(t.completed)} label="completed" />
          <Stat n={count(t.failed)} label="failed" />
          <Stat n={count(t.cancelled)} label="cancelled" />
          <Stat n={percent(r.completionRate)} label="completion rate" />
          <Stat n={percent(r.failureRate)} label="failure rate" />
          <Stat n={duration(r.runTime.avgMs)} label="avg run" />
          <Stat n={duration(r.runTime.p95Ms)} label="p95 run" />
          <Stat n={duration(r.waitTime.avgMs)} label="avg wait" />
        </div>
        <h3 style="margin-top:14px">Jobs by state when the report was made</h3>
        <StateCountsGrid counts={r.states} hrefOf={() => "/queues"} />
      </section>
      <div class="grid wide">
        <section class="panel" aria-labelledby="hourly">
          <h2 id="hourly">By hour <small>{r.timezone}</small></h2>
          <BarChart title={`Completed and failed jobs per hour on ${r.date}`} tick="time" timeZone={r.timezone}
            times={r.hourly.map((h) => Date.parse(h.start))}
            series={[
              { label: "completed", tone: "ok", values: r.hourly.map((h) => h.completed) },
              { label: "failed", tone: "bad", values: r.hourly.map((h) => h.failed) },
            ]} />
          <p class="hint" data-peak>{r.peakHour ? <>Peak hour {r.peakHour.hour}: {count(r.peakHour.finished)} jobs finished.</> : "No job finished that day."}</p>
        </section>
        <section class="panel" aria-labelledby="trend">
          <h2 id="trend">7-day trend <small>to {r.date}</small></h2>
          <BarChart title={`Completed and failed jobs per day, the week to ${r.date}`} tick="day"
            times={r.trend.map((d) => Date.parse(`${d.date}T00:00:00Z`))}
            series={[
              { label: "completed", tone: "ok", values: r.trend.map((d) => d.completed) },
              { label: "failed", tone: "bad", values: r.trend.map((d) => d.failed) },
            ]} />
        </section>
      </div>
      <div class="grid wide">
        <section class="panel" aria-labelledby="by-type">
          <h2 id="by-type">Failures by error type</h2>
          {r.failuresByType.length === 0
            ? <p class="empty">No failed attempt that day.</p>
            : <HBarChart title={`Failed attempts by error type on ${r.date}`} items={r.failuresByType.map((f) => ({ label: f.type, value: f.n }))} />}
        </section>
        <section class="panel" aria-labelledby="retries">
          <h2 id="retries">Retries</h2>
          <dl class="kv">
            <dt>Attempts retried</dt><dd>{count(r.retries.retriedAttempts)}</dd>
            <dt>Completed after a retry</dt><dd>{count(r.retries.recoveredJobs)} ({percent(r.retries.completedAfterRetryShare)} of completions)</dd>
            <dt>Leases expired</dt><dd>{count(r.retries.expiredLeases)}</dd>
          </dl>
          <h3 style="margin-top:14px">Disk</h3>
          {r.disk
            ? <dl class="kv"><dt>Used</dt><dd>{r.disk.usedPercent} % ({bytes(r.disk.usedBytes)} of {bytes(r.disk.totalBytes)})</dd><dt>Free</dt><dd>{bytes(r.disk.freeBytes)}</dd></dl>
            : <p class="hint">Not measured (no data folder).</p>}
        </section>
      </div>
      <section class="panel" aria-labelledby="slowest">
        <h2 id="slowest">Slowest jobs</h2>
        <SlowestJobs slowest={r.slowest} />
      </section>
      <section class="panel" aria-labelledby="queues">
        <h2 id="queues">Queues</h2>
        <QueueFigures queues={r.queues} />
      </section>
      <ApiCalls calls={[{ path: `/v1/reports/daily/${r.date}` }]} />
    </>
  );
}
