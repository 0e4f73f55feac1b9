/**
 * Listing jobs newest first by keyset, through an index for every combination of filters, so a
 * page costs the same with ten jobs or two million: queue and state (jobs_by_queue_state),
 * queue and key (jobs_by_key), one queue's every state (its states merged), one state or key
 * across queues (each queue's, merged), no filter (the rowid). Search reads a bounded window.
 */
import type { Database } from "bun:sqlite";
import { JOB_STATES, type JobState } from "../../core/job.ts";
import { SEARCH_WINDOW, type JobListParams } from "../../core/store.ts";
import type { JobRow } from "./rows.ts";

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
    if (parts.length === 1) return parts[0]!;
    return parts.flat().sort((a, b) => b.id - a.id).slice(0, n);
  }

  private range(f: Filters, cursor: number | null, n: number): JobRow[] {
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

/** Case-insensitive: the id exactly, or the text anywhere in the key or the payload's JSON. */
function matcher(q: string): (row: JobRow) => boolean {
  const needle = q.toLowerCase();
  return (row) => String(row.id) === q || (row.key?.toLowerCase().includes(needle) ?? false) || (row.payload?.toLowerCase().includes(needle) ?? false);
}
