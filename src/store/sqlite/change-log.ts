/**
 * What a job change writes besides the job row, in the change's own transaction: the queue's
 * count by state, the event log's row (src/core/job-events.ts decides which event) and, when an
 * attempt ends, its worker's figures. JobOps and Lanes report each change here as they make it;
 * the group-commit writer writes what a write gathered when the write ends, inside its
 * savepoint, or drops it with the write. So a claim of fifty jobs or a batch of completions
 * costs two count updates per queue and a few multi-row event inserts, where a trigger per
 * row cost a third of the job's time. (Deleted rows still leave their counts by trigger,
 * migration 001: retention deletes in bulk, in SQL.)
 */
import type { Database, Statement } from "bun:sqlite";
import type { JobError, JobState } from "../../core/job.ts";
import { eventOfChange } from "../../core/job-events.ts";
import type { JobRow } from "./rows.ts";

/** The columns a change needs of the job as it is after the change (RETURNING). */
export type ChangedRow = Pick<JobRow, "id" | "queue" | "key" | "state" | "attempts" | "run_at" | "created_at" | "started_at" | "finished_at">;
export const CHANGED_COLUMNS = "id, queue, key, state, attempts, run_at, created_at, started_at, finished_at";

type EventValues = [at: number, type: string, queue: string, key: string | null, jobId: number, state: string, prevState: string | null, attempt: number, errorType: string | null, durationMs: number | null];

/** Event rows per insert statement: a batch goes out in power-of-two chunks up to this. */
const MAX_CHUNK = 64;
const EVENT_COLUMNS = "(at, type, queue, key, job_id, state, prev_state, attempt, error_type, duration_ms)";

export class ChangeLog {
  /** False only to measure what the event log costs (bench/monitor-overhead.ts). */
  logEvents = true;
  /** Count deltas by queue, then state. */
  private deltas = new Map<string, Map<string, number>>();
  private events: EventValues[] = [];
  /** Attempts ended by worker: completed (processed) and failed. */
  private attempts = new Map<string, { processed: number; failed: number }>();
  private readonly inserts = new Map<number, Statement>();
  private readonly addCount: Statement;
  private readonly creditWorker: Statement;

  constructor(private readonly db: Database) {
    this.addCount = db.prepare("UPDATE queue_counts SET n = n + ? WHERE queue = ? AND state = ?");
    this.creditWorker = db.prepare("UPDATE workers SET processed = processed + ?, failed = failed + ? WHERE id = ?");
  }

  /** A job was enqueued as `row`. */
  inserted(row: ChangedRow): void {
    this.count(row.queue, row.state, 1);
    this.log(null, row, null);
  }

  /**
   * A job moved from `from` to the state in `row`. `appended` is the error this change added to
   * the job (a failed or retried attempt); `handOnAt` is when a lane was handed to it (blocked →
   * waiting/delayed). Only a hand-on logs a move out of blocked, besides a cancel.
   */
  moved(from: JobState, row: ChangedRow, appended: JobError | null = null, handOnAt?: number): void {
    if (from === row.state) return;
    this.count(row.queue, from, -1);
    this.count(row.queue, row.state, 1);
    if (from !== "blocked" || row.state === "cancelled" || handOnAt !== undefined) this.log(from, row, appended, handOnAt);
  }

  /**
   * An attempt `workerId` held ended: completed ("processed"), or "failed" (retried, failed, or
   * its lease expired). An attempt a cancel ended counts as neither.
   */
  attemptEnded(workerId: string, as: "processed" | "failed"): void {
    let figures = this.attempts.get(workerId);
    if (!figures) this.attempts.set(workerId, (figures = { processed: 0, failed: 0 }));
    figures[as]++;
  }

  /** Writes what was gathered since the last write or discard. */
  write(): void {
    for (const [queue, states] of this.deltas) {
      for (const [state, delta] of states) if (delta !== 0) this.addCount.run(delta, queue, state);
    }
    for (const [worker, { processed, failed }] of this.attempts) this.creditWorker.run(processed, failed, worker);
    const events = this.events;
    for (let i = 0; i < events.length; ) {
      let size = MAX_CHUNK;
      while (size > events.length - i) size >>= 1;
      this.insertStatement(size).run(...events.slice(i, i + size).flat());
      i += size;
    }
    this.discard();
  }

  /** Forgets what was gathered: the write it belonged to was rolled back. */
  discard(): void {
    if (this.deltas.size > 0) this.deltas = new Map();
    if (this.events.length > 0) this.events = [];
    if (this.attempts.size > 0) this.attempts = new Map();
  }

  private count(queue: string, state: string, delta: number): void {
    let states = this.deltas.get(queue);
    if (!states) this.deltas.set(queue, (states = new Map()));
    states.set(state, (states.get(state) ?? 0) + delta);
  }

  private log(from: JobState | null, row: ChangedRow, appended: JobError | null, handOnAt?: number): void {
    if (!this.logEvents) return;
    const e = eventOfChange(
      from,
      {
        state: row.state as JobState, runAt: row.run_at, createdAt: row.created_at, startedAt: row.started_at, finishedAt: row.finished_at,
        errors: appended ? [appended] : [],
      },
      handOnAt,
    );
    this.events.push([e.at, e.type, row.queue, row.key, row.id, e.state, e.prevState, row.attempts, e.errorType, e.durationMs]);
  }

  private insertStatement(rows: number): Statement {
    let statement = this.inserts.get(rows);
    if (!statement) {
      const values = Array.from({ length: rows }, () => "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)").join(", ");
      statement = this.db.prepare(`INSERT INTO events ${EVENT_COLUMNS} VALUES ${values}`);
      this.inserts.set(rows, statement);
    }
    return statement;
  }
}
