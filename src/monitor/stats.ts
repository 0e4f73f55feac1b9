/** Stats from the aggregates: throughput, failure rate, average and p95 run and wait times, per queue and in total. */
import { isOwnQueue } from "../core/job.ts";
import { HISTOGRAM_BOUNDS_MS, HISTOGRAM_BUCKETS, type QueueHistogram, type SeriesPoint, type StatsCounters } from "../core/monitor-store.ts";
import { emptyCounts, type StateCounts } from "../core/queue-config.ts";
import type { Store } from "../core/store.ts";

export const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;

/**
 * The last `ms` up to and including `now`, as a range of minutes: aggregates count a minute
 * in [from, to) when its start is, so the current minute is in and the window spans `ms`.
 */
export function lastWindow(now: number, ms: number): { from: number; to: number } {
  return { from: now - ms + 1, to: now + 1 };
}

export const zeroCounters = (): StatsCounters => ({
  enqueued: 0, started: 0, completed: 0, failed: 0, cancelled: 0, retried: 0, expired: 0, recovered: 0, runMs: 0, waitMs: 0,
});

const COUNTER_KEYS = Object.keys(zeroCounters()) as (keyof StatsCounters)[];

/** Adds `add`'s counters to `into`'s (or takes them away, with sign -1); other fields are left as they are. */
export function addCounters(into: StatsCounters, add: StatsCounters, sign = 1): StatsCounters {
  for (const k of COUNTER_KEYS) into[k] += sign * add[k];
  return into;
}

export const zeroBuckets = (): number[] => new Array<number>(HISTOGRAM_BUCKETS).fill(0);

export function addBuckets(into: number[], add: number[]): number[] {
  add.forEach((n, i) => (into[i] = (into[i] ?? 0) + n));
  return into;
}

/**
 * The q-quantile (0–1) of a histogram, interpolated linearly inside its bucket; null when
 * empty. A quantile in the last, unbounded bucket reads as that bucket's lower bound.
 */
export function percentile(buckets: number[], q: number): number | null {
  const total = buckets.reduce((a, b) => a + b, 0);
  if (total === 0) return null;
  const rank = q * total;
  let below = 0;
  for (let i = 0; i < buckets.length; i++) {
    const n = buckets[i]!;
    if (n > 0 && below + n >= rank) {
      const lower = i === 0 ? 0 : HISTOGRAM_BOUNDS_MS[i - 1]!;
      const upper = HISTOGRAM_BOUNDS_MS[i];
      if (upper === undefined) return lower;
      return Math.round(lower + ((upper - lower) * (rank - below)) / n);
    }
    below += n;
  }
  return HISTOGRAM_BOUNDS_MS[HISTOGRAM_BOUNDS_MS.length - 1]!;
}

export type Timing = { avgMs: number | null; p95Ms: number | null };

export type WindowStats = StatsCounters & {
  /** Completed and failed jobs per minute over the window. */
  throughputPerMinute: { completed: number; failed: number };
  /** failed / (completed + failed); null when nothing finished. */
  failureRate: number | null;
  runTime: Timing;
  waitTime: Timing;
};

const round2 = (n: number) => Math.round(n * 100) / 100;

/** Figures of one window from its counters and histograms. */
export function windowStats(c: StatsCounters, runBuckets: number[], waitBuckets: number[], windowMs: number): WindowStats {
  const minutes = windowMs / 60_000;
  const finished = c.completed + c.failed;
  return {
    ...c,
    throughputPerMinute: { completed: round2(c.completed / minutes), failed: round2(c.failed / minutes) },
    failureRate: finished === 0 ? null : round2(c.failed / finished),
    runTime: { avgMs: c.completed === 0 ? null : Math.round(c.runMs / c.completed), p95Ms: percentile(runBuckets, 0.95) },
    waitTime: { avgMs: c.started === 0 ? null : Math.round(c.waitMs / c.started), p95Ms: percentile(waitBuckets, 0.95) },
  };
}

/**
 * Counters and histograms of every queue over [from, to), and the sum of the operator's: spool's
 * own queues (its maintenance jobs, a health run every 30 s) are listed but not counted in it,
 * where an idle server's totals read thousands of jobs a day.
 */
export async function windowByQueue(store: Store, from: number, to: number, now: number) {
  const [totals, run, wait] = await Promise.all([
    store.statsTotals({ from, to, now }),
    store.statsHistogram({ from, to, metric: "run", now }),
    store.statsHistogram({ from, to, metric: "wait", now }),
  ]);
  const bucketsOf = (list: QueueHistogram[], queue: string) => list.find((h) => h.queue === queue)?.buckets ?? zeroBuckets();
  const queues = new Map(totals.map(({ queue, ...c }) => [queue, { counters: c as StatsCounters, run: bucketsOf(run, queue), wait: bucketsOf(wait, queue) }]));
  const all = { counters: zeroCounters(), run: zeroBuckets(), wait: zeroBuckets() };
  for (const [queue, q] of queues) {
    if (isOwnQueue(queue)) continue;
    addCounters(all.counters, q.counters);
    addBuckets(all.run, q.run);
    addBuckets(all.wait, q.wait);
  }
  return { queues, all };
}

/** Jobs by state of every queue, and in total over the operator's queues (spool's own apart, as in windowByQueue). */
export async function operatorCounts(store: Store, now: number): Promise<{ total: StateCounts; queues: Record<string, StateCounts> }> {
  const { queues } = await store.countsTotal({ now });
  const total = emptyCounts();
  for (const [queue, c] of Object.entries(queues)) {
    if (isOwnQueue(queue)) continue;
    for (const state of Object.keys(total) as (keyof StateCounts)[]) total[state] += c[state];
  }
  return { total, queues };
}

/**
 * The operator's queues' counters over [from, to), one point per step that has any: the sum
 * of every queue's, less spool's own queues' (as in windowByQueue).
 */
export async function operatorSeries(store: Store, p: { from: number; to: number; stepMs: number; now: number }): Promise<SeriesPoint[]> {
  const own = (await store.queuesList()).map((q) => q.name).filter(isOwnQueue);
  const [all, ...ownSeries] = await Promise.all([store.statsSeries(p), ...own.map((queue) => store.statsSeries({ ...p, queue }))]);
  const byStep = new Map(all.map((point) => [point.at, { ...point }]));
  for (const series of ownSeries) {
    for (const point of series) {
      const total = byStep.get(point.at);
      if (total) addCounters(total, point, -1);
    }
  }
  return [...byStep.values()];
}

export type QueueStatsView = { queue: string; counts: StateCounts; lastHour: WindowStats; lastDay: WindowStats };

export type StatsSnapshot = {
  at: number;
  counts: StateCounts;
  lastHour: WindowStats;
  lastDay: WindowStats;
  queues: QueueStatsView[];
};

/** What GET /v1/stats answers: counts now, and the last hour's and day's figures, per queue and in total. */
export async function statsSnapshot(store: Store, now: number): Promise<StatsSnapshot> {
  const [counts, hour, day] = await Promise.all([
    operatorCounts(store, now),
    windowByQueue(store, lastWindow(now, HOUR_MS).from, now + 1, now),
    windowByQueue(store, lastWindow(now, DAY_MS).from, now + 1, now),
  ]);
  const names = [...new Set([...Object.keys(counts.queues), ...day.queues.keys()])].sort();
  const empty = { counters: zeroCounters(), run: zeroBuckets(), wait: zeroBuckets() };
  const view = (w: typeof empty, ms: number) => windowStats(w.counters, w.run, w.wait, ms);
  return {
    at: now,
    counts: counts.total,
    lastHour: view(hour.all, HOUR_MS),
    lastDay: view(day.all, DAY_MS),
    queues: names.map((queue) => ({
      queue,
      counts: counts.queues[queue] ?? emptyCounts(),
      lastHour: view(hour.queues.get(queue) ?? empty, HOUR_MS),
      lastDay: view(day.queues.get(queue) ?? empty, DAY_MS),
    })),
  };
}
