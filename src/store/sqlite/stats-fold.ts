/**
 * Folding the event log into per-minute aggregates: each event counted exactly once, in bulk.
 *
 * One pass reads the batch's events (a handful of integer columns each) and sums them in
 * memory by queue and minute; then a few upserts per minute add the sums to the stats tables.
 * Grouping in SQL instead sorts every event on five keys, which cost three times as much.
 */
import type { Database } from "bun:sqlite";
import { HISTOGRAM_BUCKETS, histogramBucket } from "../../core/monitor-store.ts";

/** Events folded per transaction, so a fold never holds the write lock for long. */
export const FOLD_BATCH = 20_000;

/** How many of the slowest completions each hour keeps for reports. */
export const SLOWEST_PER_HOUR = 5;

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;

/** The event types the aggregates count, by the code the read returns (-1: not counted, e.g. lane hand-ons). */
const COUNTED = ["job.enqueued", "job.started", "job.completed", "job.failed", "job.cancelled", "job.retrying"] as const;
const [ENQUEUED, STARTED, COMPLETED, FAILED, CANCELLED, RETRYING] = [0, 1, 2, 3, 4, 5];
const TYPE_CODE = `CASE type ${COUNTED.map((type, i) => `WHEN '${type}' THEN ${i}`).join(" ")} ELSE -1 END`;

// Columns by position: id, at, queue, type code, duration_ms, attempt, error_type.
const READ = `SELECT id, at, queue, ${TYPE_CODE}, duration_ms, attempt, error_type FROM events
  WHERE id > ?1 AND id <= ?2 AND job_id IS NOT NULL`;
type EventValues = [number, number, string, number, number | null, number | null, string | null];

/** One queue's sums for one minute. */
type MinuteSums = {
  counts: number[]; // by type code
  expired: number;
  recovered: number;
  runMs: number;
  waitMs: number;
  run: number[]; // histogram buckets
  wait: number[];
  errors: Map<string, number>;
};

const newSums = (): MinuteSums => ({
  counts: COUNTED.map(() => 0), expired: 0, recovered: 0, runMs: 0, waitMs: 0,
  run: new Array(HISTOGRAM_BUCKETS).fill(0), wait: new Array(HISTOGRAM_BUCKETS).fill(0), errors: new Map(),
});

const ADD_MINUTE = `
  INSERT INTO stats_minutes (minute, queue, enqueued, started, completed, failed, cancelled, retried, expired, recovered, run_ms, wait_ms)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
  ON CONFLICT (minute, queue) DO UPDATE SET
    enqueued = enqueued + excluded.enqueued, started = started + excluded.started,
    completed = completed + excluded.completed, failed = failed + excluded.failed,
    cancelled = cancelled + excluded.cancelled, retried = retried + excluded.retried,
    expired = expired + excluded.expired, recovered = recovered + excluded.recovered,
    run_ms = run_ms + excluded.run_ms, wait_ms = wait_ms + excluded.wait_ms`;

const ADD_BUCKET = `
  INSERT INTO stats_histogram (minute, queue, metric, bucket, n) VALUES (?, ?, ?, ?, ?)
  ON CONFLICT (minute, queue, metric, bucket) DO UPDATE SET n = n + excluded.n`;

const ADD_ERRORS = `
  INSERT INTO stats_errors (minute, queue, type, n) VALUES (?, ?, ?, ?)
  ON CONFLICT (minute, queue, type) DO UPDATE SET n = n + excluded.n`;

const ADD_SLOWEST = `
  INSERT OR REPLACE INTO stats_slowest (hour, job_id, queue, key, run_ms, finished_at)
  SELECT ?, job_id, queue, key, duration_ms, at FROM events WHERE id = ?`;

const TRIM_SLOWEST = `
  DELETE FROM stats_slowest WHERE hour = ?1 AND job_id NOT IN (
    SELECT job_id FROM stats_slowest WHERE hour = ?1 ORDER BY run_ms DESC, job_id LIMIT ${SLOWEST_PER_HOUR})`;

export function foldCursor(db: Database): number {
  return (db.query("SELECT value FROM monitor_cursors WHERE name = 'stats_fold'").get() as { value: number }).value;
}

export function latestEventId(db: Database): number {
  return (db.query("SELECT COALESCE(MAX(id), 0) AS id FROM events").get() as { id: number }).id;
}

/** The slowest completions seen in one hour so far, slowest first: event ids and run times. */
type Slowest = { ids: number[]; ms: number[] };

function keepIfSlow(s: Slowest, id: number, ms: number): void {
  if (s.ms.length === SLOWEST_PER_HOUR && ms <= s.ms[SLOWEST_PER_HOUR - 1]!) return;
  let i = s.ms.length;
  while (i > 0 && s.ms[i - 1]! < ms) i--;
  s.ids.splice(i, 0, id);
  s.ms.splice(i, 0, ms);
  s.ids.length = Math.min(s.ids.length, SLOWEST_PER_HOUR);
  s.ms.length = Math.min(s.ms.length, SLOWEST_PER_HOUR);
}

/** Sums the events in (from, to] by queue and minute, and the slowest completions by hour. */
function sumEvents(db: Database, from: number, to: number) {
  const byQueue = new Map<string, Map<number, MinuteSums>>();
  const slowest = new Map<number, Slowest>();
  for (const [id, at, queue, type, duration, attempt, errorType] of db.query(READ).values(from, to) as EventValues[]) {
    if (type < 0) continue;
    const minute = at - (at % MINUTE_MS);
    let minutes = byQueue.get(queue);
    if (!minutes) byQueue.set(queue, (minutes = new Map()));
    let sums = minutes.get(minute);
    if (!sums) minutes.set(minute, (sums = newSums()));
    sums.counts[type]!++;
    if (type === STARTED && duration !== null) {
      sums.waitMs += duration;
      sums.wait[histogramBucket(duration)]!++;
    } else if (type === COMPLETED && duration !== null) {
      sums.runMs += duration;
      sums.run[histogramBucket(duration)]!++;
      if (attempt !== null && attempt > 1) sums.recovered++;
      const hour = at - (at % HOUR_MS);
      let top = slowest.get(hour);
      if (!top) slowest.set(hour, (top = { ids: [], ms: [] }));
      keepIfSlow(top, id, duration);
    } else if ((type === FAILED || type === RETRYING) && errorType !== null) {
      sums.errors.set(errorType, (sums.errors.get(errorType) ?? 0) + 1);
      if (errorType === "lease_expired") sums.expired++;
    }
  }
  return { byQueue, slowest };
}

/**
 * Folds the events after the cursor up to `upTo` (at most FOLD_BATCH of them), inside the
 * caller's transaction; returns how many ids it covered.
 */
export function foldBatch(db: Database, upTo: number): number {
  const from = foldCursor(db);
  const to = Math.min(latestEventId(db), upTo, from + FOLD_BATCH);
  if (to <= from) return 0;
  const { byQueue, slowest } = sumEvents(db, from, to);
  const addMinute = db.query(ADD_MINUTE);
  const addBucket = db.query(ADD_BUCKET);
  const addErrors = db.query(ADD_ERRORS);
  for (const [queue, minutes] of byQueue) {
    for (const [minute, s] of minutes) {
      const c = s.counts;
      addMinute.run(minute, queue, c[ENQUEUED]!, c[STARTED]!, c[COMPLETED]!, c[FAILED]!, c[CANCELLED]!, c[RETRYING]!, s.expired, s.recovered, s.runMs, s.waitMs);
      for (const [metric, buckets] of [["run", s.run], ["wait", s.wait]] as const) {
        buckets.forEach((n, bucket) => n > 0 && addBucket.run(minute, queue, metric, bucket, n));
      }
      for (const [type, n] of s.errors) addErrors.run(minute, queue, type, n);
    }
  }
  const addSlowest = db.query(ADD_SLOWEST);
  const trimSlowest = db.query(TRIM_SLOWEST);
  for (const [hour, top] of slowest) {
    for (const id of top.ids) addSlowest.run(hour, id);
    trimSlowest.run(hour);
  }
  db.query("UPDATE monitor_cursors SET value = ? WHERE name = 'stats_fold'").run(to);
  return to - from;
}
