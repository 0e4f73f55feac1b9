/** @jsxImportSource hono/jsx */
/** The daily report's tables: slowest jobs and per-queue figures. */
import type { DailyReport } from "../../src/monitor/daily-report.ts";
import { Ago, count, duration } from "./time.tsx";

export const percent = (rate: number | null) => (rate === null ? "—" : `${(rate * 100).toFixed(rate < 0.1 && rate > 0 ? 1 : 0)} %`);

export function SlowestJobs({ slowest }: { slowest: DailyReport["slowest"] }) {
  if (slowest.length === 0) return <p class="empty">Nothing completed that day.</p>;
  return (
    <div class="table-wrap">
      <table>
        <thead><tr><th>Job</th><th>Queue</th><th class="num">Run time</th><th class="hide-sm">Finished</th></tr></thead>
        <tbody>
          {slowest.map((s) => (
            <tr>
              <td><a href={`/jobs/${encodeURIComponent(s.jobId)}`}>job {s.jobId}</a>{s.key && <span class="sub">key {s.key}</span>}</td>
              <td><a href={`/queues/${encodeURIComponent(s.queue)}`}>{s.queue}</a></td>
              <td class="num">{duration(s.runMs)}</td>
              <td class="hide-sm"><Ago ms={Date.parse(s.finishedAt)} /></td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function QueueFigures({ queues }: { queues: DailyReport["queues"] }) {
  if (queues.length === 0) return <p class="empty">No queue had activity that day.</p>;
  return (
    <div class="table-wrap">
      <table class="stack-sm">
        <thead>
          <tr><th>Queue</th><th class="num">Enqueued</th><th class="num">Completed</th><th class="num">Failed</th><th class="num">Failure rate</th><th class="num">Avg run</th><th class="num">p95 run</th><th class="num hide-sm">Retried</th></tr>
        </thead>
        <tbody>
          {queues.map((q) => (
            <tr data-queue={q.queue}>
              <td data-label="Queue"><a href={`/queues/${encodeURIComponent(q.queue)}`}>{q.queue}</a></td>
              <td class="num" data-label="Enqueued">{count(q.enqueued)}</td>
              <td class="num" data-label="Completed">{count(q.completed)}</td>
              <td class="num" data-label="Failed">{q.failed > 0 ? <a href={`/queues/${encodeURIComponent(q.queue)}?state=failed`}>{count(q.failed)}</a> : "0"}</td>
              <td class="num" data-label="Failure rate">{percent(q.failureRate)}</td>
              <td class="num" data-label="Avg run">{duration(q.runTime.avgMs)}</td>
              <td class="num" data-label="p95 run">{duration(q.runTime.p95Ms)}</td>
              <td class="num hide-sm" data-label="Retried">{count(q.retried)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
