/** Counts and the lanes view in SQLite, read from the counters and lanes tables (no job scan). */
import type { Database } from "bun:sqlite";
import type { JobError, JobState } from "../../core/job.ts";
import type { BlockedLanes, LaneView } from "../../core/monitor-store.ts";
import { emptyCounts, type StateCounts } from "../../core/queue-config.ts";

export function countsTotal(db: Database): { total: StateCounts; queues: Record<string, StateCounts> } {
  const rows = db.query("SELECT queue, state, n FROM queue_counts").all() as { queue: string; state: keyof StateCounts; n: number }[];
  const total = emptyCounts();
  const queues: Record<string, StateCounts> = {};
  for (const { queue, state, n } of rows) {
    (queues[queue] ??= emptyCounts())[state] = n;
    total[state] += n;
  }
  return { total, queues };
}

type LaneRow = { queue: string; key: string; head_id: number; blocked: number; since: number; state: string | null; errors: string | null };

export function lanesList(db: Database, p: { queue: string; key?: string; limit: number }): LaneView[] {
  const rows = db
    .query(
      `SELECT l.queue, l.key, l.head_id, l.blocked, l.since, j.state, j.errors
       FROM lanes l LEFT JOIN jobs j ON j.id = l.head_id
       WHERE l.queue = ?1 AND (?2 IS NULL OR l.key = ?2) ORDER BY l.blocked DESC, l.since, l.key LIMIT ?3`,
    )
    .all(p.queue, p.key ?? null, p.limit) as LaneRow[];
  const depth = db.query("SELECT COUNT(*) AS n FROM jobs WHERE queue = ? AND key = ? AND state = 'blocked'");
  return rows.map((r) => {
    const errors = r.errors === null ? [] : (JSON.parse(r.errors) as JobError[]);
    const last = errors[errors.length - 1];
    return {
      queue: r.queue,
      key: r.key,
      status: r.blocked ? "blocked" : "busy",
      headJobId: String(r.head_id),
      headState: r.state as JobState | null,
      lastError: last ? { type: last.type, message: last.message, at: last.at } : null,
      since: r.since,
      depth: (depth.get(r.queue, r.key) as { n: number }).n,
    };
  });
}

export function lanesBlocked(db: Database): BlockedLanes[] {
  return db
    .query("SELECT queue, COUNT(*) AS blocked, MIN(since) AS oldestSince FROM lanes WHERE blocked = 1 GROUP BY queue ORDER BY queue")
    .all() as BlockedLanes[];
}
