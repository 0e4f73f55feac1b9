/**
 * What the per-minute aggregates count of each event (the rules of migration 004), in one place
 * for every store's fold: a store reads a batch of events, sums them here, then adds the sums
 * to its aggregates once.
 */
import { isOwnQueue } from "./job.ts";
import { HISTOGRAM_BUCKETS, histogramBucket, type MonitorEvent, type StatsCounters } from "./monitor-store.ts";

/** How many of the slowest completions each hour keeps for reports. */
export const SLOWEST_PER_HOUR = 5;

export const MINUTE_MS = 60_000;
export const HOUR_MS = 3_600_000;

/** The parts of an event the aggregates read. */
export type CountedEvent = Pick<MonitorEvent, "id" | "at" | "type" | "queue" | "jobId" | "attempt" | "errorType" | "durationMs">;

/** One queue's sums for one minute. */
export type MinuteSums = {
  counters: StatsCounters;
  /** Run-time histogram of completions, by bucket (HISTOGRAM_BOUNDS_MS). */
  run: number[];
  /** Wait-time histogram of starts, by bucket. */
  wait: number[];
  /** Failed attempts (retried or final) by error type. */
  errors: Map<string, number>;
};

/** A batch's sums: by queue, then by minute start; and each hour's slowest completions, slowest first. */
export type EventSums<E extends CountedEvent> = {
  byQueue: Map<string, Map<number, MinuteSums>>;
  slowest: Map<number, E[]>;
};

export function zeroCounters(): StatsCounters {
  return { enqueued: 0, started: 0, completed: 0, failed: 0, cancelled: 0, retried: 0, expired: 0, recovered: 0, runMs: 0, waitMs: 0 };
}

function newSums(): MinuteSums {
  return { counters: zeroCounters(), run: new Array(HISTOGRAM_BUCKETS).fill(0), wait: new Array(HISTOGRAM_BUCKETS).fill(0), errors: new Map() };
}

/** The counter each counted event type adds one to; other types (lane hand-ons, alerts) count nothing. */
const COUNTER_OF: Partial<Record<MonitorEvent["type"], keyof StatsCounters>> = {
  "job.enqueued": "enqueued",
  "job.started": "started",
  "job.completed": "completed",
  "job.failed": "failed",
  "job.cancelled": "cancelled",
  "job.retrying": "retried",
};

/** Slower first; at equal run times the lower job id first (the order an hour's slowest are kept and shown in). */
export function slowerFirst(a: CountedEvent, b: CountedEvent): number {
  return b.durationMs! - a.durationMs! || Number(a.jobId) - Number(b.jobId);
}

/** Keeps `e` among the hour's SLOWEST_PER_HOUR slowest, sorted by slowerFirst. */
function keepIfSlow<E extends CountedEvent>(top: E[], e: E): void {
  if (top.length === SLOWEST_PER_HOUR && slowerFirst(e, top[SLOWEST_PER_HOUR - 1]!) >= 0) return;
  let i = top.length;
  while (i > 0 && slowerFirst(e, top[i - 1]!) < 0) i--;
  top.splice(i, 0, e);
  if (top.length > SLOWEST_PER_HOUR) top.length = SLOWEST_PER_HOUR;
}

/**
 * Sums events by queue and minute: each counted type adds one to its counter; a start adds its
 * wait and a completion its run time (sums and histograms); a completion after a failed attempt
 * is also `recovered`; a failed or retried attempt with an error type counts by that type, and
 * as `expired` when the type is lease_expired. Only job events count.
 */
export function sumEvents<E extends CountedEvent>(events: Iterable<E>): EventSums<E> {
  const byQueue = new Map<string, Map<number, MinuteSums>>();
  const slowest = new Map<number, E[]>();
  for (const e of events) {
    const counter = COUNTER_OF[e.type];
    if (counter === undefined || e.jobId === null || e.queue === null) continue;
    const minute = e.at - (e.at % MINUTE_MS);
    let minutes = byQueue.get(e.queue);
    if (!minutes) byQueue.set(e.queue, (minutes = new Map()));
    let sums = minutes.get(minute);
    if (!sums) minutes.set(minute, (sums = newSums()));
    const c = sums.counters;
    c[counter]++;
    const duration = e.durationMs;
    if (counter === "started" && duration !== null) {
      c.waitMs += duration;
      sums.wait[histogramBucket(duration)]!++;
    } else if (counter === "completed" && duration !== null) {
      c.runMs += duration;
      sums.run[histogramBucket(duration)]!++;
      if (e.attempt !== null && e.attempt > 1) c.recovered++;
      // The hour's slowest are the operator's jobs: spool's own (a health run every 30 s) would crowd them out.
      if (e.queue === null || !isOwnQueue(e.queue)) {
        const hour = e.at - (e.at % HOUR_MS);
        let top = slowest.get(hour);
        if (!top) slowest.set(hour, (top = []));
        keepIfSlow(top, e);
      }
    } else if ((counter === "failed" || counter === "retried") && e.errorType !== null) {
      sums.errors.set(e.errorType, (sums.errors.get(e.errorType) ?? 0) + 1);
      if (e.errorType === "lease_expired") c.expired++;
    }
  }
  return { byQueue, slowest };
}
