/** @jsxImportSource hono/jsx */
/** Overview: is spool well, and if not, why — health and its deductions, workers, counts, charts, alerts, lanes, schedules, paused queues. */
import type { Child } from "hono/jsx";
import { SEVERITY_RANK, type Alert, type BlockedLanes, type SeriesPoint } from "../../src/core/monitor-store.ts";
import type { HealthReport } from "../../src/monitor/health.ts";
import type { StatsSnapshot } from "../../src/monitor/stats.ts";
import { ThroughputCharts } from "../charts/throughput.tsx";
import { AlertRow } from "../components/alerts.tsx";
import { HealthBadge } from "../components/badges.tsx";
import { ApiCalls } from "../components/curl.tsx";
import { StateCountsGrid } from "../components/counts.tsx";
import { RetriedStat } from "../components/attempts.tsx";
import { Ago, count, duration } from "../components/time.tsx";
import { PageHead } from "../layout.tsx";

export type LateSchedule = { name: string; queue: string; nextFireAt: number };
/** A paused queue and how many of its jobs wait for it to resume (waiting, delayed, blocked). */
export type PausedQueue = { name: string; waiting: number };

export type OverviewData = {
  health: HealthReport;
  deductions: { alert: Alert; points: number }[];
  workers: { online: number; total: number };
  stats: StatsSnapshot;
  lastHour: SeriesPoint[];
  lastDay: SeriesPoint[];
  blockedLanes: BlockedLanes[];
  lateSchedules: LateSchedule[];
  pausedQueues: PausedQueue[];
  /** API requests refused for want of a valid token over the last five minutes; null when none were. */
  refused: { count: number; lastAt: number } | null;
};

/** A panel listing what needs a look (blocked lanes, late schedules, paused queues), or saying there is none. */
function ListPanel<T>({ id, title, empty, items, item }: { id: string; title: string; empty: string; items: T[]; item: (entry: T) => Child }) {
  return (
    <section class="panel" aria-labelledby={id}>
      <h2 id={id}>{title}</h2>
      {items.length === 0 ? <p class="empty">{empty}</p> : <ul>{items.map((entry) => <li>{item(entry)}</li>)}</ul>}
    </section>
  );
}

/** The worst first; within a severity, the newest first. */
function bySeverity(alerts: Alert[]): Alert[] {
  return [...alerts].sort((a, b) => SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity] || b.firstSeen - a.firstSeen);
}

export function OverviewPage({ data }: { data: OverviewData }) {
  const { health, stats } = data;
  const hour = stats.lastHour;
  return (
    <>
      <PageHead title="Overview" sub={<>Health is re-evaluated every 30 s; figures below are live.</>} />
      <div class="grid">
        <section class="panel" aria-labelledby="health">
          <h2 id="health">Health</h2>
          <div class="score">
            <span class="big" data-health-score>{health.score}</span>
            <div>
              <HealthBadge status={health.status} />
              <p class="hint">100 minus a deduction per firing alert</p>
            </div>
          </div>
          {data.deductions.length === 0
            ? <p class="hint">No firing alert takes points off.</p>
            : (
              <ul class="deductions">
                {data.deductions.map(({ alert, points }) => (
                  <li><strong>−{points}</strong> <a href={`/alerts#alert-${alert.id}`}>{alert.rule}</a> on <code>{alert.subject}</code>: {alert.message}</li>
                ))}
              </ul>
            )}
          {health.checks.filter((check) => check.status !== "ok").map((check) => <p class="flash bad">{check.name}: {check.message}</p>)}
        </section>
        <section class="panel" aria-labelledby="workers">
          <h2 id="workers">Workers</h2>
          <div class="stats">
            <a class="stat" href="/workers" style="text-decoration:none;color:inherit"><span class="n" data-workers-online>{data.workers.online}</span><span class="l">online</span></a>
            <div class="stat"><span class="n">{data.workers.total - data.workers.online}</span><span class="l">offline (24 h)</span></div>
          </div>
          {data.refused && (
            <p class="flash bad" data-refused>
              {/* One child: the flash lays its children out side by side. */}
              <span>
                {count(data.refused.count)} API {data.refused.count === 1 ? "request was" : "requests were"} refused in the last 5 min for want of a valid
                token (the latest <Ago ms={data.refused.lastAt} />): workers and producers started before tokens were needed must be given one (<code>SPOOL_TOKEN</code>).
              </span>
            </p>
          )}
          <h3 style="margin-top:12px">Last hour</h3>
          <div class="stats">
            <div class="stat"><span class="n">{count(hour.completed)}</span><span class="l">completed</span></div>
            <div class="stat"><span class="n">{count(hour.failed)}</span><span class="l">failed</span></div>
            <div class="stat"><span class="n">{hour.failureRate === null ? "—" : `${Math.round(hour.failureRate * 100)} %`}</span><span class="l">failure rate</span></div>
            <div class="stat"><span class="n">{duration(hour.runTime.p95Ms)}</span><span class="l">p95 run</span></div>
            <RetriedStat retried={hour.retried} />
          </div>
        </section>
      </div>
      <section class="panel" aria-labelledby="counts">
        <h2 id="counts">Jobs by state <small>all queues</small></h2>
        <StateCountsGrid counts={stats.counts} hrefOf={() => "/queues"} />
      </section>
      <ThroughputCharts lastHour={data.lastHour} lastDay={data.lastDay} what="All queues" />
      <section class="panel" aria-labelledby="alerts">
        <h2 id="alerts">Firing alerts <a href="/alerts"><small>all alerts</small></a></h2>
        {health.alerts.length === 0
          ? <p class="empty">Nothing is firing.</p>
          : (
            <div class="table-wrap">
              <table class="stack-sm">
                <thead><tr><th>Severity</th><th>Alert</th><th class="hide-sm">Since</th><th class="num">Score</th><th>Evidence</th></tr></thead>
                <tbody>{bySeverity(health.alerts).map((alert) => <AlertRow alert={alert} deduction={data.deductions.find((d) => d.alert.id === alert.id)?.points ?? 0} />)}</tbody>
              </table>
            </div>
          )}
      </section>
      <div class="grid">
        <ListPanel id="blocked" title="Blocked lanes" empty="No lane is blocked." items={data.blockedLanes}
          item={(b) => <><a href={`/lanes?queue=${encodeURIComponent(b.queue)}`}>{b.blocked} in <code>{b.queue}</code></a>, oldest since <Ago ms={b.oldestSince} /></>}
        />
        <ListPanel id="late" title="Late schedules" empty="Every schedule is on time." items={data.lateSchedules}
          item={(s) => <><a href={`/schedules/${encodeURIComponent(s.name)}`}>{s.name}</a> → <code>{s.queue}</code>, due <Ago ms={s.nextFireAt} /></>}
        />
        <ListPanel id="paused" title="Paused queues" empty="No queue is paused." items={data.pausedQueues}
          item={(q) => <><a href={`/queues/${encodeURIComponent(q.name)}`}><code>{q.name}</code></a>: {q.waiting === 0 ? "nothing waits" : `${count(q.waiting)} ${q.waiting === 1 ? "job waits" : "jobs wait"}`} for it to resume</>}
        />
      </div>
      <ApiCalls calls={[{ path: "/v1/health" }, { path: "/v1/stats" }, { path: "/v1/workers" }, { path: "/v1/alerts?state=firing" }]} />
    </>
  );
}
