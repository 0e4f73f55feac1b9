/** Folding the event log into per-minute aggregates: each event counted exactly once, in bulk. */
import type { Database } from "bun:sqlite";
import { HISTOGRAM_BOUNDS_MS } from "../../core/monitor-store.ts";

/** Events folded per transaction, so a fold never holds the write lock for long. */
export const FOLD_BATCH = 20_000;

/** How many of the slowest completions each hour keeps for reports. */
export const SLOWEST_PER_HOUR = 5;

// Built from a constant (never from input): the histogram bucket of duration_ms.
const BUCKET = `CASE ${HISTOGRAM_BOUNDS_MS.map((bound, i) => `WHEN duration_ms <= ${bound} THEN ${i}`).join(" ")} ELSE ${HISTOGRAM_BOUNDS_MS.length} END`;

// One scan of the batch, grouped finely; the aggregates are then summed from these few rows.
const GROUPS_CREATE = `
  CREATE TEMP TABLE IF NOT EXISTS fold_groups (
    minute INTEGER, queue TEXT, type TEXT, bucket INTEGER, error_type TEXT, n INTEGER, retried_before INTEGER, duration REAL)`;

const GROUPS_FILL = `
  INSERT INTO temp.fold_groups
  SELECT at - at % 60000, queue, type,
    CASE WHEN type = 'job.started' OR type = 'job.completed' THEN ${BUCKET} END,
    CASE WHEN type = 'job.retrying' OR type = 'job.failed' THEN error_type END,
    count(*), count(*) FILTER (WHERE attempt > 1), total(duration_ms)
  FROM events WHERE id > ?1 AND id <= ?2 AND job_id IS NOT NULL
  GROUP BY 1, 2, 3, 4, 5`;

const FOLD_MINUTES = `
  INSERT INTO stats_minutes (minute, queue, enqueued, started, completed, failed, cancelled, retried, expired, recovered, run_ms, wait_ms)
  SELECT minute, queue,
    total(n) FILTER (WHERE type = 'job.enqueued'),
    total(n) FILTER (WHERE type = 'job.started'),
    total(n) FILTER (WHERE type = 'job.completed'),
    total(n) FILTER (WHERE type = 'job.failed'),
    total(n) FILTER (WHERE type = 'job.cancelled'),
    total(n) FILTER (WHERE type = 'job.retrying'),
    total(n) FILTER (WHERE error_type = 'lease_expired'),
    total(retried_before) FILTER (WHERE type = 'job.completed'),
    total(duration) FILTER (WHERE type = 'job.completed'),
    total(duration) FILTER (WHERE type = 'job.started')
  FROM temp.fold_groups GROUP BY minute, queue
  ON CONFLICT (minute, queue) DO UPDATE SET
    enqueued = enqueued + excluded.enqueued, started = started + excluded.started,
    completed = completed + excluded.completed, failed = failed + excluded.failed,
    cancelled = cancelled + excluded.cancelled, retried = retried + excluded.retried,
    expired = expired + excluded.expired, recovered = recovered + excluded.recovered,
    run_ms = run_ms + excluded.run_ms, wait_ms = wait_ms + excluded.wait_ms`;

const FOLD_HISTOGRAM = `
  INSERT INTO stats_histogram (minute, queue, metric, bucket, n)
  SELECT minute, queue, CASE type WHEN 'job.started' THEN 'wait' ELSE 'run' END, bucket, sum(n)
  FROM temp.fold_groups WHERE bucket IS NOT NULL
  GROUP BY 1, 2, 3, 4
  ON CONFLICT (minute, queue, metric, bucket) DO UPDATE SET n = n + excluded.n`;

const FOLD_ERRORS = `
  INSERT INTO stats_errors (minute, queue, type, n)
  SELECT minute, queue, error_type, sum(n) FROM temp.fold_groups WHERE error_type IS NOT NULL
  GROUP BY 1, 2, 3
  ON CONFLICT (minute, queue, type) DO UPDATE SET n = n + excluded.n`;

const COMPLETED_HOURS = `SELECT DISTINCT minute - minute % 3600000 AS hour FROM temp.fold_groups WHERE type = 'job.completed'`;

// ?3: the hour. A top-N scan of the batch's completions in that hour, then the hour keeps its slowest.
const FOLD_SLOWEST = `
  INSERT OR REPLACE INTO stats_slowest (hour, job_id, queue, key, run_ms, finished_at)
  SELECT ?3, job_id, queue, key, duration_ms, at FROM events
  WHERE id > ?1 AND id <= ?2 AND type = 'job.completed' AND at >= ?3 AND at < ?3 + 3600000
  ORDER BY duration_ms DESC LIMIT ${SLOWEST_PER_HOUR}`;

const TRIM_SLOWEST = `
  DELETE FROM stats_slowest WHERE hour = ?1 AND job_id NOT IN (
    SELECT job_id FROM stats_slowest WHERE hour = ?1 ORDER BY run_ms DESC, job_id LIMIT ${SLOWEST_PER_HOUR})`;

export function foldCursor(db: Database): number {
  return (db.query("SELECT value FROM monitor_cursors WHERE name = 'stats_fold'").get() as { value: number }).value;
}

export function latestEventId(db: Database): number {
  return (db.query("SELECT COALESCE(MAX(id), 0) AS id FROM events").get() as { id: number }).id;
}

/**
 * Folds the events after the cursor up to `upTo` (at most FOLD_BATCH of them), inside the
 * caller's transaction; returns how many ids it covered.
 */
export function foldBatch(db: Database, upTo: number): number {
  const from = foldCursor(db);
  const to = Math.min(latestEventId(db), upTo, from + FOLD_BATCH);
  if (to <= from) return 0;
  db.query(GROUPS_CREATE).run();
  db.query("DELETE FROM temp.fold_groups").run();
  db.query(GROUPS_FILL).run(from, to);
  db.query(FOLD_MINUTES).run();
  db.query(FOLD_HISTOGRAM).run();
  db.query(FOLD_ERRORS).run();
  for (const { hour } of db.query(COMPLETED_HOURS).all() as { hour: number }[]) {
    db.query(FOLD_SLOWEST).run(from, to, hour);
    db.query(TRIM_SLOWEST).run(hour);
  }
  db.query("UPDATE monitor_cursors SET value = ? WHERE name = 'stats_fold'").run(to);
  return to - from;
}
