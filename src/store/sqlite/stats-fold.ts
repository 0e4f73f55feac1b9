/** Folding the event log into per-minute aggregates: each event counted exactly once, in bulk. */
import type { Database } from "bun:sqlite";
import { HISTOGRAM_BOUNDS_MS } from "../../core/monitor-store.ts";

/** Events folded per transaction, so a fold never holds the write lock for long. */
export const FOLD_BATCH = 20_000;

/** How many of the slowest completions each hour keeps for reports. */
export const SLOWEST_PER_HOUR = 5;

// Built from a constant (never from input): the histogram bucket of duration_ms.
const BUCKET = `CASE ${HISTOGRAM_BOUNDS_MS.map((bound, i) => `WHEN duration_ms <= ${bound} THEN ${i}`).join(" ")} ELSE ${HISTOGRAM_BOUNDS_MS.length} END`;

const FOLD_MINUTES = `
  INSERT INTO stats_minutes (minute, queue, enqueued, started, completed, failed, cancelled, retried, expired, recovered, run_ms, wait_ms)
  SELECT at - at % 60000, queue,
    count(*) FILTER (WHERE type = 'job.enqueued'),
    count(*) FILTER (WHERE type = 'job.started'),
    count(*) FILTER (WHERE type = 'job.completed'),
    count(*) FILTER (WHERE type = 'job.failed'),
    count(*) FILTER (WHERE type = 'job.cancelled'),
    count(*) FILTER (WHERE type = 'job.retrying'),
    count(*) FILTER (WHERE error_type = 'lease_expired' AND (type = 'job.retrying' OR type = 'job.failed')),
    count(*) FILTER (WHERE type = 'job.completed' AND attempt > 1),
    total(duration_ms) FILTER (WHERE type = 'job.completed'),
    total(duration_ms) FILTER (WHERE type = 'job.started')
  FROM events WHERE id > ?1 AND id <= ?2 AND job_id IS NOT NULL
  GROUP BY 1, 2
  ON CONFLICT (minute, queue) DO UPDATE SET
    enqueued = enqueued + excluded.enqueued, started = started + excluded.started,
    completed = completed + excluded.completed, failed = failed + excluded.failed,
    cancelled = cancelled + excluded.cancelled, retried = retried + excluded.retried,
    expired = expired + excluded.expired, recovered = recovered + excluded.recovered,
    run_ms = run_ms + excluded.run_ms, wait_ms = wait_ms + excluded.wait_ms`;

const FOLD_HISTOGRAM = `
  INSERT INTO stats_histogram (minute, queue, metric, bucket, n)
  SELECT at - at % 60000, queue, CASE type WHEN 'job.started' THEN 'wait' ELSE 'run' END, ${BUCKET}, count(*)
  FROM events WHERE id > ?1 AND id <= ?2 AND (type = 'job.started' OR type = 'job.completed')
  GROUP BY 1, 2, 3, 4
  ON CONFLICT (minute, queue, metric, bucket) DO UPDATE SET n = n + excluded.n`;

const FOLD_ERRORS = `
  INSERT INTO stats_errors (minute, queue, type, n)
  SELECT at - at % 60000, queue, error_type, count(*)
  FROM events WHERE id > ?1 AND id <= ?2 AND error_type IS NOT NULL AND (type = 'job.retrying' OR type = 'job.failed')
  GROUP BY 1, 2, 3
  ON CONFLICT (minute, queue, type) DO UPDATE SET n = n + excluded.n`;

const FOLD_SLOWEST = `
  INSERT OR REPLACE INTO stats_slowest (hour, job_id, queue, key, run_ms, finished_at)
  SELECT hour, job_id, queue, key, duration_ms, at FROM (
    SELECT at - at % 3600000 AS hour, job_id, queue, key, duration_ms, at,
      row_number() OVER (PARTITION BY at - at % 3600000 ORDER BY duration_ms DESC) AS r
    FROM events WHERE id > ?1 AND id <= ?2 AND type = 'job.completed')
  WHERE r <= ${SLOWEST_PER_HOUR}`;

const TRIM_SLOWEST = `
  DELETE FROM stats_slowest WHERE (hour, job_id) IN (
    SELECT hour, job_id FROM (
      SELECT hour, job_id, row_number() OVER (PARTITION BY hour ORDER BY run_ms DESC) AS r
      FROM stats_slowest WHERE hour >= ?1)
    WHERE r > ${SLOWEST_PER_HOUR})`;

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
  db.query(FOLD_MINUTES).run(from, to);
  db.query(FOLD_HISTOGRAM).run(from, to);
  db.query(FOLD_ERRORS).run(from, to);
  db.query(FOLD_SLOWEST).run(from, to);
  const first = db
    .query("SELECT MIN(at - at % 3600000) AS hour FROM events WHERE id > ?1 AND id <= ?2 AND type = 'job.completed'")
    .get(from, to) as { hour: number | null };
  if (first.hour !== null) db.query(TRIM_SLOWEST).run(first.hour);
  db.query("UPDATE monitor_cursors SET value = ? WHERE name = 'stats_fold'").run(to);
  return to - from;
}
