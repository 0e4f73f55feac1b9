/** The event log in SQLite: reading after an id with filters, appending alert events, pruning. */
import type { Database } from "bun:sqlite";
import type { JobState } from "../../core/job.ts";
import type { JobError } from "../../core/job.ts";
import type { AlertEventType, ErrorFailure, ErrorSample, EventFilters, EventsPage, MonitorEvent } from "../../core/monitor-store.ts";
import { foldCursor, latestEventId } from "./stats-fold.ts";
import { rowId } from "./rows.ts";

/** Ids examined per read, so a selective filter never scans the whole log at once. */
const SCAN_WINDOW = 10_000;

type EventRow = {
  id: number; at: number; type: string; queue: string | null; key: string | null; job_id: number | null; state: string | null;
  prev_state: string | null; attempt: number | null; error_type: string | null; duration_ms: number | null; data: string | null;
};

function toEvent(r: EventRow): MonitorEvent {
  return {
    id: r.id,
    at: r.at,
    type: r.type as MonitorEvent["type"],
    queue: r.queue,
    key: r.key,
    jobId: r.job_id === null ? null : String(r.job_id),
    state: r.state as JobState | null,
    prevState: r.prev_state as JobState | null,
    attempt: r.attempt,
    errorType: r.error_type,
    durationMs: r.duration_ms,
    data: r.data === null ? null : JSON.parse(r.data),
  };
}

export function eventsAfter(db: Database, p: { afterId: number; filters: EventFilters; limit: number }): EventsPage {
  const afterId = Math.max(0, Math.floor(p.afterId));
  const latest = latestEventId(db);
  const upper = Math.min(latest, afterId + SCAN_WINDOW);
  if (upper <= afterId) return { events: [], lastId: afterId, atEnd: true };
  // An unparseable job id names no job: filter on an id no row has.
  const jobId = p.filters.jobId === undefined ? null : (rowId(p.filters.jobId) ?? -1);
  const rows = db
    .query(
      `SELECT * FROM events WHERE id > ?1 AND id <= ?2
         AND (?3 IS NULL OR queue = ?3) AND (?4 IS NULL OR key = ?4) AND (?5 IS NULL OR job_id = ?5)
       ORDER BY id LIMIT +?6`,
    )
    .all(afterId, upper, p.filters.queue ?? null, p.filters.key ?? null, jobId, p.limit) as EventRow[];
  const lastId = rows.length === p.limit ? rows[rows.length - 1]!.id : upper;
  return { events: rows.map(toEvent), lastId, atEnd: lastId === latest };
}

/**
 * The newest `limit` of a job's events still in the log, oldest first: the ids on the job's row
 * (its timeline, written with its events; migration 010), each read by its id. A deleted job's
 * timeline goes with it; its events stay in the log (eventsAfter with its jobId).
 */
export function jobEvents(db: Database, p: { jobId: string; limit: number }): MonitorEvent[] {
  const jobId = rowId(p.jobId);
  if (jobId === null) return [];
  const rows = db
    .query(
      `SELECT events.* FROM jobs, json_each('[' || jobs.event_ids || ']') AS timeline, events
       WHERE jobs.id = ?1 AND events.id = timeline.value ORDER BY events.id DESC LIMIT +?2`,
    )
    .all(jobId, p.limit) as EventRow[];
  return rows.reverse().map(toEvent);
}

/** Appends an alert event with the id given (the next one after the log's newest when null). */
export function eventAppend(db: Database, p: { id: number | null; type: AlertEventType; queue: string | null; data: unknown; now: number }): number {
  const row = db
    .query("INSERT INTO events (id, at, type, queue, data) VALUES (?, ?, ?, ?, ?) RETURNING id")
    .get(p.id, p.now, p.type, p.queue, JSON.stringify(p.data ?? null)) as { id: number };
  return row.id;
}

/**
 * Deletes up to `limit` of the oldest events beyond the newest `keep`, never past the fold
 * cursor (unfolded events are still owed to the aggregates) and never the newest event.
 */
export function eventsPruneBatch(db: Database, p: { keep: number; limit: number }): number {
  const oldest = (db.query("SELECT MIN(id) AS id FROM events").get() as { id: number | null }).id;
  if (oldest === null) return 0;
  const cutoff = Math.min(latestEventId(db) - Math.max(1, p.keep), foldCursor(db), oldest + p.limit - 1);
  if (cutoff < oldest) return 0;
  return db.query("DELETE FROM events WHERE id <= ?").run(cutoff).changes;
}

/**
 * The newest event of a queue and error type, through the events_errors index, and its job's
 * newest error of that type (a job keeps one error per failed attempt, so this reads one row).
 */
export function errorSample(db: Database, p: { queue: string; type: string }): ErrorSample | null {
  const event = db
    .query("SELECT job_id FROM events WHERE queue = ? AND error_type = ? ORDER BY id DESC LIMIT 1")
    .get(p.queue, p.type) as { job_id: number | null } | null;
  if (event?.job_id == null) return null;
  const job = db.query("SELECT errors FROM jobs WHERE id = ?").get(event.job_id) as { errors: string } | null;
  if (!job) return null;
  const error = (JSON.parse(job.errors) as JobError[]).findLast((e) => e.type === p.type);
  return error ? { jobId: String(event.job_id), message: error.message } : null;
}

/** Failed attempts of a queue and error type, newest first, walked down the events_errors index. */
export function errorFailures(db: Database, p: { queue: string; type: string; beforeEventId?: number; limit: number }): ErrorFailure[] {
  const before = p.beforeEventId === undefined ? Number.MAX_SAFE_INTEGER : Math.floor(p.beforeEventId);
  const rows = db
    .query(
      `SELECT id, job_id, at, attempt FROM events WHERE queue = ?1 AND error_type = ?2 AND id < ?3 AND job_id IS NOT NULL
       ORDER BY id DESC LIMIT ?4`,
    )
    .all(p.queue, p.type, before, Math.max(1, Math.floor(p.limit))) as { id: number; job_id: number; at: number; attempt: number | null }[];
  return rows.map((r) => ({ eventId: r.id, jobId: String(r.job_id), at: r.at, attempt: r.attempt }));
}
