/** Reading the per-minute aggregates in SQLite: totals, series, histograms, errors, slowest jobs. */
import type { Database } from "bun:sqlite";
import {
  HISTOGRAM_BUCKETS, type ErrorCount, type ErrorMinute, type QueueHistogram, type QueueStats, type SeriesPoint, type SlowJob,
} from "../../core/monitor-store.ts";

const SUMS = `SUM(enqueued) AS enqueued, SUM(started) AS started, SUM(completed) AS completed, SUM(failed) AS failed,
  SUM(cancelled) AS cancelled, SUM(retried) AS retried, SUM(expired) AS expired, SUM(recovered) AS recovered,
  SUM(run_ms) AS runMs, SUM(wait_ms) AS waitMs`;

type Range = { from: number; to: number };

export function statsTotals(db: Database, p: Range): QueueStats[] {
  return db
    .query(`SELECT queue, ${SUMS} FROM stats_minutes WHERE minute >= ? AND minute < ? GROUP BY queue ORDER BY queue`)
    .all(p.from, p.to) as QueueStats[];
}

export function statsSeries(db: Database, p: Range & { stepMs: number; queue?: string }): SeriesPoint[] {
  const step = Math.max(60_000, p.stepMs - (p.stepMs % 60_000));
  return db
    .query(
      `SELECT minute - minute % ?3 AS at, ${SUMS} FROM stats_minutes
       WHERE minute >= ?1 AND minute < ?2 AND (?4 IS NULL OR queue = ?4) GROUP BY 1 ORDER BY 1`,
    )
    .all(p.from, p.to, step, p.queue ?? null) as SeriesPoint[];
}

export function statsHistogram(db: Database, p: Range & { metric: "run" | "wait" }): QueueHistogram[] {
  const rows = db
    .query(
      `SELECT queue, bucket, SUM(n) AS n FROM stats_histogram
       WHERE minute >= ? AND minute < ? AND metric = ? GROUP BY queue, bucket ORDER BY queue`,
    )
    .all(p.from, p.to, p.metric) as { queue: string; bucket: number; n: number }[];
  const byQueue = new Map<string, number[]>();
  for (const { queue, bucket, n } of rows) {
    const buckets = byQueue.get(queue) ?? new Array<number>(HISTOGRAM_BUCKETS).fill(0);
    buckets[bucket] = n;
    byQueue.set(queue, buckets);
  }
  return [...byQueue].map(([queue, buckets]) => ({ queue, buckets }));
}

export function statsErrors(db: Database, p: Range): ErrorCount[] {
  return db
    .query(
      `SELECT queue, type, SUM(n) AS n FROM stats_errors WHERE minute >= ? AND minute < ?
       GROUP BY queue, type ORDER BY n DESC, queue, type`,
    )
    .all(p.from, p.to) as ErrorCount[];
}

export function statsErrorMinutes(db: Database, p: Range & { queue?: string }): ErrorMinute[] {
  return db
    .query(
      `SELECT minute, queue, type, n FROM stats_errors WHERE minute >= ?1 AND minute < ?2 AND (?3 IS NULL OR queue = ?3)
       ORDER BY minute, queue, type`,
    )
    .all(p.from, p.to, p.queue ?? null) as ErrorMinute[];
}

export function statsSlowest(db: Database, p: Range & { limit: number }): SlowJob[] {
  const rows = db
    .query(
      `SELECT job_id, queue, key, run_ms, finished_at FROM stats_slowest
       WHERE hour >= ?1 - ?1 % 3600000 AND hour < ?2 AND finished_at >= ?1 AND finished_at < ?2
       ORDER BY run_ms DESC, job_id LIMIT ?3`,
    )
    .all(p.from, p.to, p.limit) as { job_id: number; queue: string; key: string | null; run_ms: number; finished_at: number }[];
  return rows.map((r) => ({ jobId: String(r.job_id), queue: r.queue, key: r.key, runMs: r.run_ms, finishedAt: r.finished_at }));
}

/** Deletes up to `limit` aggregate rows older than `before` from each table; returns how many went. */
export function historyPruneBatch(db: Database, before: number, limit: number): number {
  let n = 0;
  n += db.query(
    "DELETE FROM stats_minutes WHERE (minute, queue) IN (SELECT minute, queue FROM stats_minutes WHERE minute < ? LIMIT ?)",
  ).run(before, limit).changes;
  n += db.query(
    `DELETE FROM stats_histogram WHERE (minute, queue, metric, bucket) IN
       (SELECT minute, queue, metric, bucket FROM stats_histogram WHERE minute < ? LIMIT ?)`,
  ).run(before, limit).changes;
  n += db.query(
    "DELETE FROM stats_errors WHERE (minute, queue, type) IN (SELECT minute, queue, type FROM stats_errors WHERE minute < ? LIMIT ?)",
  ).run(before, limit).changes;
  n += db.query(
    "DELETE FROM stats_slowest WHERE (hour, job_id) IN (SELECT hour, job_id FROM stats_slowest WHERE hour < ? LIMIT ?)",
  ).run(before, limit).changes;
  n += db.query(
    "DELETE FROM alerts WHERE id IN (SELECT id FROM alerts WHERE state = 'resolved' AND resolved_at < ? LIMIT ?)",
  ).run(before, limit).changes;
  return n;
}

