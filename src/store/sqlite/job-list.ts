/**
 * Listing jobs newest first by keyset, through an index for every combination of filters, so a
 * page costs the same with ten jobs or two million: queue and state (inState), queue and key
 * (jobs_by_key), one queue's every state (its states merged), one state or key across queues
 * (each queue's, merged), no filter (the rowid). Search reads a bounded window.
 */
import type { Database } from "bun:sqlite";
import { JOB_STATES, type JobState } from "../../core/job.ts";
import { SEARCH_WINDOW, type JobListParams } from "../../core/store.ts";
import type { JobRow } from "./rows.ts";

/**
 * jobs_by_queue_state holds every state but waiting and active, whose jobs are listed through
 * the claim's own indexes: a claim and a completion then touch it once, not four times. A query
 * names the index's condition itself, since SQLite uses a partial index only for a query whose
 * WHERE contains it.
 */
export const BY_QUEUE_STATE = "state <> 'waiting' AND state <> 'active'";

/** The priorities a queue has waiting jobs at, highest first, each found by a seek in jobs_runnable. */
const WAITING_PRIORITIES = `WITH RECURSIVE p(v) AS (
    SELECT MAX(priority) FROM jobs WHERE queue = ?1 AND state = 'waiting'
    UNION ALL
    SELECT (SELECT MAX(priority) FROM jobs WHERE queue = ?1 AND state = 'waiting' AND priority < p.v) FROM p WHERE p.v IS NOT NULL
  ) SELECT v FROM p WHERE v IS NOT NULL`;

export type Order = "newest" | "oldest";

type Filters = { queue?: string; state?: JobState; key?: string };

export class JobList {
  constructor(private readonly db: Database) {}

  /** A page of at most `limit` jobs below `cursor`, and where the next page starts (null: none). */
  page(p: JobListParams, cursor: number | null): { rows: JobRow[]; nextCursor: number | null } {
    if (!p.q) {
      const rows = this.newest(p, cursor, p.limit + 1);
      const page = rows.slice(0, p.limit);
      return { rows: page, nextCursor: rows.length > p.limit ? page[page.length - 1]!.id : null };
    }
    const window = this.newest(p, cursor, SEARCH_WINDOW + 1);
    const scanned = window.slice(0, SEARCH_WINDOW);
    const matches = scanned.filter(matcher(p.q));
    if (matches.length > p.limit) {
      const page = matches.slice(0, p.limit);
      return { rows: page, nextCursor: page[page.length - 1]!.id };
    }
    return { rows: matches, nextCursor: window.length > SEARCH_WINDOW ? scanned[scanned.length - 1]!.id : null };
  }

  /** The newest `n` jobs matching the filters, below `cursor`, each query an index range. */
  private newest(f: Filters, cursor: number | null, n: number): JobRow[] {
    const queues = f.queue !== undefined ? [f.queue] : f.state !== undefined || f.key !== undefined ? this.queueNames() : [undefined];
    const states: (JobState | undefined)[] = f.queue !== undefined && f.state === undefined && f.key === undefined ? [...JOB_STATES] : [f.state];
    const parts = queues.flatMap((queue) => states.map((state) => this.range({ queue, state, key: f.key }, cursor, n)));
    return parts.length === 1 ? parts[0]! : mergeById(parts, "newest", n);
  }

  /**
   * At most `n` of one queue's jobs in one state, by id from `order`'s end, past `cursor` (an id
   * the range starts after), each read through an index range: waiting jobs through
   * jobs_runnable, one range per priority the queue has waiting (merged), active jobs through
   * jobs_leased (as many as workers hold), the other states through jobs_by_queue_state.
   */
  inState(queue: string, state: JobState, order: Order, cursor: number | null, n: number): JobRow[] {
    // `+?`: planned once, not at every read (database.ts); jobs_by_queue_state is selected by BY_QUEUE_STATE.
    const [dir, past] = order === "newest" ? ["DESC", "id < ?"] : ["ASC", "id > ?"];
    const after = cursor === null ? "" : `AND ${past}`;
    const bounds = cursor === null ? [n] : [cursor, n];
    if (state === "waiting") {
      const priorities = this.db.query(WAITING_PRIORITIES).all(queue) as { v: number }[];
      const byPriority = this.db.query(`SELECT * FROM jobs WHERE queue = +? AND state = 'waiting' AND priority = +? ${after} ORDER BY id ${dir} LIMIT +?`);
      const parts = priorities.map(({ v }) => byPriority.all(queue, v, ...bounds) as JobRow[]);
      return parts.length === 1 ? parts[0]! : mergeById(parts, order, n);
    }
    if (state === "active") {
      return this.db
        .query(`SELECT * FROM jobs INDEXED BY jobs_leased WHERE state = 'active' AND queue = +? ${after} ORDER BY id ${dir} LIMIT +?`)
        .all(queue, ...bounds) as JobRow[];
    }
    return this.db
      .query(`SELECT * FROM jobs WHERE queue = +? AND state = +? AND ${BY_QUEUE_STATE} ${after} ORDER BY id ${dir} LIMIT +?`)
      .all(queue, state, ...bounds) as JobRow[];
  }

  private range(f: Filters, cursor: number | null, n: number): JobRow[] {
    if (f.queue !== undefined && f.state !== undefined && f.key === undefined) return this.inState(f.queue, f.state, "newest", cursor, n);
    const where: string[] = [];
    const args: (string | number)[] = [];
    if (f.queue !== undefined) (where.push("queue = ?"), args.push(f.queue));
    if (f.state !== undefined) (where.push("state = ?"), args.push(f.state));
    if (f.key !== undefined) (where.push("key = ?"), args.push(f.key));
    if (cursor !== null) (where.push("id < ?"), args.push(cursor));
    const sql = `SELECT * FROM jobs ${where.length ? "WHERE " + where.join(" AND ") : ""} ORDER BY id DESC LIMIT ?`;
    return this.db.query(sql).all(...args, n) as JobRow[];
  }

  private queueNames(): string[] {
    return (this.db.query("SELECT name FROM queues").all() as { name: string }[]).map((r) => r.name);
  }
}

/** The first `n` of several id-ordered ranges, in that order. */
export function mergeById(parts: JobRow[][], order: Order, n: number): JobRow[] {
  const sign = order === "newest" ? -1 : 1;
  return parts.flat().sort((a, b) => sign * (a.id - b.id)).slice(0, n);
}

/** Case-insensitive: the id exactly, or the text anywhere in the key or the payload's JSON. */
function matcher(q: string): (row: JobRow) => boolean {
  const needle = q.toLowerCase();
  return (row) => String(row.id) === q || (row.key?.toLowerCase().includes(needle) ?? false) || (row.payload?.toLowerCase().includes(needle) ?? false);
}
