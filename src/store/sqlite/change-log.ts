/**
 * What a job change writes besides the job row, in the change's own transaction: the queue's
 * count by state, the event log's row (src/core/job-events.ts decides which event) and, when an
 * attempt ends, its worker's figures. JobOps and Lanes report each change here as they make it;
 * the group-commit writer keeps what a write gathered when the write succeeds, drops it when
 * the write is rolled back to its savepoint, and writes what the transaction kept just before
 * COMMIT. So a transaction costs one count update per queue and state that moved, one worker
 * update per worker and a few multi-row event inserts, however many jobs it changed; at
 * concurrency 1 a completion and the next claim share them. (Deleted rows still leave their
 * counts by trigger, migration 001: retention deletes in bulk, in SQL.)
 */
import type { Database, Statement } from "bun:sqlite";
import type { JobError, JobState } from "../../core/job.ts";
import { eventOfChange } from "../../core/job-events.ts";
import type { JobRow } from "./rows.ts";

/** The columns a change needs of the job as it is after the change (RETURNING). */
export type ChangedRow = Pick<JobRow, "id" | "queue" | "key" | "state" | "attempts" | "run_at" | "created_at" | "started_at" | "finished_at">;
export const CHANGED_COLUMNS = "id, queue, key, state, attempts, run_at, created_at, started_at, finished_at";


/** Event rows per insert statement: a batch goes out in power-of-two chunks up to this. */
const MAX_CHUNK = 64;
const EVENT_COLUMNS = "(at, type, queue, key, job_id, state, prev_state, attempt, error_type, duration_ms)";
const PER_EVENT = 10;

/** Changes gathered and not yet written: count deltas, event rows, worker figures. */
class Gathered {
  /** Count deltas by queue, then state. */
  deltas = new Map<string, Map<string, number>>();
  /** The events' column values, PER_EVENT to an event, in EVENT_COLUMNS order. */
  events: (string | number | null)[] = [];
  /** Attempts ended by worker: completed (processed) and failed. */
  attempts = new Map<string, { processed: number; failed: number }>();

  get empty(): boolean {
    return this.deltas.size === 0 && this.events.length === 0 && this.attempts.size === 0;
  }

  count(queue: string, state: string, delta: number): void {
    let states = this.deltas.get(queue);
    if (!states) this.deltas.set(queue, (states = new Map()));
    states.set(state, (states.get(state) ?? 0) + delta);
  }

  attempt(workerId: string, as: "processed" | "failed", n = 1): void {
    let figures = this.attempts.get(workerId);
    if (!figures) this.attempts.set(workerId, (figures = { processed: 0, failed: 0 }));
    figures[as] += n;
  }

  /** Adds `other`'s changes after these. */
  absorb(other: Gathered): void {
    for (const [queue, states] of other.deltas) for (const [state, delta] of states) this.count(queue, state, delta);
    for (const [worker, { processed, failed }] of other.attempts) (this.attempt(worker, "processed", processed), this.attempt(worker, "failed", failed));
    for (const value of other.events) this.events.push(value);
  }
}

export class ChangeLog {
  /** False only to measure what the event log costs (bench/monitor-overhead.ts). */
  logEvents = true;
  /** The running write's changes. */
  private current = new Gathered();
  /** The changes of the open transaction's writes that succeeded so far. */
  private kept = new Gathered();
  private readonly inserts = new Map<number, Statement>();
  private readonly addCount: Statement;
  private readonly creditWorker: Statement;

  constructor(private readonly db: Database) {
    this.addCount = db.prepare("UPDATE queue_counts SET n = n + ? WHERE queue = ? AND state = ?");
    this.creditWorker = db.prepare("UPDATE workers SET processed = processed + ?, failed = failed + ? WHERE id = ?");
  }

  /** A job was enqueued as `row`. */
  inserted(row: ChangedRow): void {
    this.current.count(row.queue, row.state, 1);
    this.log(null, row, null);
  }

  /**
   * A job moved from `from` to the state in `row`. `appended` is the error this change added to
   * the job (a failed or retried attempt); `handOnAt` is when a lane was handed to it (blocked →
   * waiting/delayed). Only a hand-on logs a move out of blocked, besides a cancel.
   */
  moved(from: JobState, row: ChangedRow, appended: JobError | null = null, handOnAt?: number): void {
    if (from === row.state) return;
    this.current.count(row.queue, from, -1);
    this.current.count(row.queue, row.state, 1);
    if (from !== "blocked" || row.state === "cancelled" || handOnAt !== undefined) this.log(from, row, appended, handOnAt);
  }

  /**
   * An attempt `workerId` held ended: completed ("processed"), or "failed" (retried, failed, or
   * its lease expired). An attempt a cancel ended counts as neither.
   */
  attemptEnded(workerId: string, as: "processed" | "failed"): void {
    this.current.attempt(workerId, as);
  }

  /** The change to a count not written yet (add it to what queue_counts holds). */
  unwritten(queue: string, state: string): number {
    return (this.kept.deltas.get(queue)?.get(state) ?? 0) + (this.current.deltas.get(queue)?.get(state) ?? 0);
  }

  /** The running write succeeded: its changes go with the transaction. */
  keep(): void {
    if (this.current.empty) return;
    if (this.kept.empty) [this.kept, this.current] = [this.current, this.kept];
    else (this.kept.absorb(this.current), (this.current = new Gathered()));
  }

  /** The running write was rolled back: its changes go with it. */
  discard(): void {
    if (!this.current.empty) this.current = new Gathered();
  }

  /** The transaction is about to commit: writes what its writes kept. */
  write(): void {
    const kept = this.kept;
    if (kept.empty) return;
    this.kept = new Gathered();
    for (const [queue, states] of kept.deltas) {
      for (const [state, delta] of states) if (delta !== 0) this.addCount.run(delta, queue, state);
    }
    for (const [worker, { processed, failed }] of kept.attempts) this.creditWorker.run(processed, failed, worker);
    const values = kept.events;
    const total = values.length / PER_EVENT;
    for (let i = 0; i < total; ) {
      let size = MAX_CHUNK;
      while (size > total - i) size >>= 1;
      this.insertStatement(size).run(...values.slice(i * PER_EVENT, (i + size) * PER_EVENT));
      i += size;
    }
  }

  /** The transaction was rolled back: nothing it gathered is written. */
  reset(): void {
    this.discard();
    if (!this.kept.empty) this.kept = new Gathered();
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
    this.current.events.push(e.at, e.type, row.queue, row.key, row.id, e.state, e.prevState, row.attempts, e.errorType, e.durationMs);
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
