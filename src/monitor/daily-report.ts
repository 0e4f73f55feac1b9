/** The daily report: a local day's figures from the aggregates, stored and written as JSON under reports/daily/. */
import { mkdir, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { isOwnQueue } from "../core/job.ts";
import type { SeriesPoint, StatsCounters } from "../core/monitor-store.ts";
import { emptyCounts, type StateCounts } from "../core/queue-config.ts";
import type { Store } from "../core/store.ts";
import { addDays, dayRange, localTime } from "./calendar.ts";
import { diskUsage } from "./disk-usage.ts";
import { addCounters, operatorCounts, operatorSeries, percentile, windowByQueue, zeroCounters, type Timing } from "./stats.ts";

export const DAILY = "daily";
const HOUR = 3_600_000;

type Rates = { completionRate: number | null; failureRate: number | null };
type HourFigures = { hour: string; start: string; enqueued: number; completed: number; failed: number };

export type DailyReport = {
  date: string;
  timezone: string;
  from: string;
  to: string;
  generatedAt: string;
  totals: Omit<StatsCounters, "runMs" | "waitMs">;
  /** Jobs by state when the report was made. */
  states: StateCounts;
  runTime: Timing;
  waitTime: Timing;
  slowest: { jobId: string; queue: string; key: string | null; runMs: number; finishedAt: string }[];
  hourly: HourFigures[];
  peakHour: { hour: string; finished: number } | null;
  failuresByType: { type: string; n: number }[];
  retries: { retriedAttempts: number; recoveredJobs: number; expiredLeases: number; completedAfterRetryShare: number | null };
  queues: ({ queue: string; states: StateCounts; runTime: Timing } & Omit<StatsCounters, "runMs" | "waitMs"> & Rates)[];
  disk: { usedPercent: number; usedBytes: number; freeBytes: number; totalBytes: number } | null;
  trend: ({ date: string; enqueued: number; completed: number; failed: number; avgRunMs: number | null } & Rates)[];
} & Rates;

const ratio = (a: number, b: number) => (b === 0 ? null : Math.round((a / b) * 10_000) / 10_000);
const rates = (c: StatsCounters): Rates => ({
  completionRate: ratio(c.completed, c.completed + c.failed),
  failureRate: ratio(c.failed, c.completed + c.failed),
});
const timing = (sum: number, n: number, buckets: number[]): Timing => ({
  avgMs: n === 0 ? null : Math.round(sum / n),
  p95Ms: percentile(buckets, 0.95),
});
const iso = (ms: number) => new Date(ms).toISOString();

function counts({ runMs: _r, waitMs: _w, ...rest }: StatsCounters) {
  return rest;
}

function hourly(series: SeriesPoint[], from: number, to: number, timezone: string): HourFigures[] {
  const hours: HourFigures[] = [];
  for (let start = from; start < to; start += HOUR) {
    hours.push({ hour: localTime(start, timezone), start: iso(start), enqueued: 0, completed: 0, failed: 0 });
  }
  for (const p of series) {
    const h = hours[Math.floor((p.at - from) / HOUR)];
    if (!h) continue;
    h.enqueued += p.enqueued;
    h.completed += p.completed;
    h.failed += p.failed;
  }
  return hours;
}

async function trend(store: Store, date: string, timezone: string, now: number) {
  const days = Array.from({ length: 7 }, (_, i) => addDays(date, i - 6));
  return Promise.all(
    days.map(async (day) => {
      const { from, to } = dayRange(day, timezone);
      const c = (await store.statsTotals({ from, to, now })).reduce((all, q) => addCounters(all, q), zeroCounters());
      return {
        date: day, enqueued: c.enqueued, completed: c.completed, failed: c.failed,
        avgRunMs: c.completed === 0 ? null : Math.round(c.runMs / c.completed), ...rates(c),
      };
    }),
  );
}

function disk(dataDir: string | null, now: number): DailyReport["disk"] {
  if (!dataDir) return null;
  try {
    const d = diskUsage(dataDir, now);
    return { usedPercent: d.usedPercent, usedBytes: d.usedBytes, freeBytes: d.freeBytes, totalBytes: d.totalBytes };
  } catch {
    return null;
  }
}

/** Builds the report of one local day (YYYY-MM-DD in `timezone`) from the aggregates. */
export async function buildDailyReport(p: { store: Store; date: string; timezone: string; now: number; dataDir: string | null }): Promise<DailyReport> {
  const { store, date, timezone, now } = p;
  const { from, to } = dayRange(date, timezone);
  const [window, series, errors, slowest, states] = await Promise.all([
    windowByQueue(store, from, to, now),
    operatorSeries(store, { from, to, stepMs: 60_000, now }),
    store.statsErrors({ from, to, now }),
    // Spool's own jobs are left out, as from the totals: a few more are read to leave five.
    store.statsSlowest({ from, to, limit: 10, now }),
    operatorCounts(store, now),
  ]);
  const all = window.all.counters;
  const hours = hourly(series, from, to, timezone);
  const peak = hours.reduce<HourFigures | null>((best, h) => (h.completed + h.failed > (best ? best.completed + best.failed : 0) ? h : best), null);
  const byType = new Map<string, number>();
  for (const e of errors) if (!isOwnQueue(e.queue)) byType.set(e.type, (byType.get(e.type) ?? 0) + e.n);
  return {
    date,
    timezone,
    from: iso(from),
    to: iso(to),
    generatedAt: iso(now),
    totals: counts(all),
    states: states.total,
    ...rates(all),
    runTime: timing(all.runMs, all.completed, window.all.run),
    waitTime: timing(all.waitMs, all.started, window.all.wait),
    slowest: slowest.filter((s) => !isOwnQueue(s.queue)).slice(0, 5).map((s) => ({ ...s, finishedAt: iso(s.finishedAt) })),
    hourly: hours,
    peakHour: peak ? { hour: peak.hour, finished: peak.completed + peak.failed } : null,
    failuresByType: [...byType].map(([type, n]) => ({ type, n })).sort((a, b) => b.n - a.n || a.type.localeCompare(b.type)),
    retries: {
      retriedAttempts: all.retried,
      recoveredJobs: all.recovered,
      expiredLeases: all.expired,
      completedAfterRetryShare: ratio(all.recovered, all.completed),
    },
    queues: [...window.queues].map(([queue, q]) => ({
      queue,
      states: states.queues[queue] ?? emptyCounts(),
      ...counts(q.counters),
      ...rates(q.counters),
      runTime: timing(q.counters.runMs, q.counters.completed, q.run),
    })),
    disk: disk(p.dataDir, now),
    trend: await trend(store, date, timezone, now),
  };
}

export function reportFileOf(dataDir: string, date: string): string {
  return join(dataDir, "reports", "daily", `${date}.json`);
}

/** Stores the report and writes it to <dataDir>/reports/daily/<date>.json (atomically: temp file, then rename). */
export async function saveDailyReport(p: { store: Store; report: DailyReport; dataDir: string | null; now: number }): Promise<string | null> {
  await p.store.reportPut({ kind: DAILY, date: p.report.date, body: p.report, now: p.now });
  if (!p.dataDir) return null;
  const file = reportFileOf(p.dataDir, p.report.date);
  await mkdir(join(p.dataDir, "reports", "daily"), { recursive: true });
  await writeFile(`${file}.tmp`, JSON.stringify(p.report, null, 2) + "\n");
  await rename(`${file}.tmp`, file);
  return file;
}
