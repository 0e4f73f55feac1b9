/**
 * What a job change writes besides the job row, in the change's own transaction: the queue's
 * count by state, the event log's row (src/core/job-events.ts decides which event) and, when an
 * attempt ends, its worker's figures. JobOps and Lanes report each change here as they make it;
 * the group-commit writer keeps what a write gathered when the write succeeds, drops it when
 * the write is rolled back to its savepoint, and writes what the transaction kept just before
 * COMMIT. So a transaction costs one count update per queue and state that moved, one worker
 * update per worker and a few multi-row event inserts, however many jobs it changed; at
 * concurrency 1 a completion and the next claim share them. Each event's id goes on its job's
 * row (event_ids, the job's timeline; migration 010): ids are handed out here, so an enqueue, a
 * claim and a completion write it with the row, and other changes have it added before COMMIT.
 * (Deleted rows still leave their counts by trigger, migration 001: retention deletes in bulk,
 * in SQL.)
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
const EVENT_COLUMNS = "(id, at, type, queue, key, job_id, state, prev_state, attempt, error_type, duration_ms)";
const PER_EVENT = 11;

function addFigures(to: Map<string, { processed: number; failed: number }>, worker: string, processed: number, failed: number): void {
  const figures = to.get(worker);
  if (figures) (figures.processed += processed), (figures.failed += failed);
  else to.set(worker, { processed, failed });
}

/** Changes gathered and not yet written: count deltas, event rows, worker figures. */
class Gathered {
  /** Count deltas by queue, then state. */
  deltas = new Map<string, Map<string, number>>();
  /** The events' column values, PER_EVENT to an event, in EVENT_COLUMNS order. */
  events: (string | number | null)[] = [];
  /** Job id, event id, …: events whose job's row does not have their id yet. */
  timelines: number[] = [];
  /** Attempts ended by worker: completed (processed) and failed. */
  attempts: Map<string, { processed: number; failed: number }> = new Map();

  get empty(): boolean {
    return this.deltas.size === 0 && this.events.length === 0 && this.attempts.size === 0;
  }

  count(queue: string, state: string, delta: number): void {
    let states = this.deltas.get(queue);
    if (!states) this.deltas.set(queue, (states = new Map()));
    states.set(state, (states.get(state) ?? 0) + delta);
  }

  attempt(workerId: string, as: "processed" | "failed"): void {
    addFigures(this.attempts, workerId, as === "processed" ? 1 : 0, as === "failed" ? 1 : 0);
  }

  /** Adds `other`'s changes after these. */
  absorb(other: Gathered): void {
    for (const [queue, states] of other.deltas) for (const [state, delta] of states) this.count(queue, state, delta);
    for (const [worker, { processed, failed }] of other.attempts) addFigures(this.attempts, worker, processed, failed);
    for (const value of other.events) this.events.push(value);
    for (const id of other.timelines) this.timelines.push(id);
  }
}

/**
 * Workers' figures are written at most this often: at concurrency 1 one more page per
 * transaction was a tenth of its writes. Until then they are added to what is read
 * (unwrittenFigures), and a crash loses at most this much of them: figures, not jobs.
 */
export const WORKER_FIGURES_EVERY_MS = 1000;

type Figures = Map<string, { processed: number; failed: number }>;

export class ChangeLog {
  /** False only to measure what the event log costs (bench/monitor-overhead.ts). */
  logEvents = true;
  /** Committed workers' figures not written yet, and when they were last written (performance.now()). */
  private figures: Figures = new Map();
  private figuresWrittenAt = -Infinity;
  /** The committing transaction's figures: written with it (true), or to add to `figures` once it commits. */
  private committing: { figures: Figures; written: boolean } | null = null;
  /** The running write's changes. */
  private current = new Gathered();
  /** The changes of the open transaction's writes that succeeded so far. */
  private kept = new Gathered();
  private readonly inserts = new Map<number, Statement>();
  private readonly addCount: Statement;
  private readonly creditWorker: Statement;
  private readonly workerExists: Statement;
  private readonly addToTimeline: Statement;
  private readonly lastEventId: Statement;
  /** The id the transaction's next event gets; read from the log at its first. */
  private nextId: number | null = null;

  constructor(
    private readonly db: Database,
    private readonly figuresEveryMs = WORKER_FIGURES_EVERY_MS,
  ) {
    this.addCount = db.prepare("UPDATE queue_counts SET n = n + ? WHERE queue = ? AND state = ?");
    this.creditWorker = db.prepare("UPDATE workers SET processed = processed + ?, failed = failed + ? WHERE id = ?");
    // An attempt of a worker with no row (forgotten) counts for no one, as the update would.
    this.workerExists = db.prepare("SELECT 1 FROM workers WHERE id = ?");
    // Jobs ?2 to ?3 each add their id + ?1: their events' ids are as consecutive as their own.
    this.addToTimeline = db.prepare("UPDATE jobs SET event_ids = concat_ws(',', event_ids, id + ?1) WHERE id BETWEEN ?2 AND ?3");
    this.lastEventId = db.prepare("SELECT coalesce(max(id), 0) AS id FROM events");
  }

  /**
   * The id of an event this transaction will log (null while none are), handed out in order:
   * a write that puts it on its job's row passes it to inserted() or moved(); an event
   * appended by itself (an alert) takes one too, so that no two events meet on one id.
   */
  eventId(): number | null {
    const id = this.peekEventId();
    if (id !== null) this.nextId = id + 1;
    return id;
  }

  /** The id eventId() hands out next, not taken: for a write that learns only afterwards whether it logs an event. */
  peekEventId(): number | null {
    if (!this.logEvents) return null;
    return (this.nextId ??= (this.lastEventId.get() as { id: number }).id + 1);
  }

  /** A job was enqueued as `row`; `eventId` (from eventId()) is on its row already. */
  inserted(row: ChangedRow, eventId?: number | null): void {
    this.current.count(row.queue, row.state, 1);
    this.log(null, row, null, undefined, eventId);
  }

  /**
   * A job moved from `from` to the state in `row`. `appended` is the error this change added to
   * the job (a failed or retried attempt); `handOnAt` is when a lane was handed to it (blocked →
   * waiting/delayed). Only a hand-on logs a move out of blocked, besides a cancel. A write that
   * put the event's id on the job's row itself passes it as `eventId` (from eventId()), for a
   * move that is logged.
   */
  moved(from: JobState, row: ChangedRow, appended: JobError | null = null, handOnAt?: number, eventId?: number | null): void {
    if (from === row.state) return;
    this.current.count(row.queue, from, -1);
    this.current.count(row.queue, row.state, 1);
    if (from !== "blocked" || row.state === "cancelled" || handOnAt !== undefined) this.log(from, row, appended, handOnAt, eventId);
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

  /** The transaction is about to commit: writes what its writes kept (workers' figures now and then). */
  write(): void {
    const kept = this.kept;
    this.kept = new Gathered();
    const due = (kept.attempts.size > 0 || this.figures.size > 0) && performance.now() - this.figuresWrittenAt >= this.figuresEveryMs;
    if (due) this.writeFigures(kept.attempts);
    else for (const worker of kept.attempts.keys()) if (this.workerExists.get(worker) === null) kept.attempts.delete(worker);
    this.committing = { figures: kept.attempts, written: due };
    if (kept.empty) return;
    for (const [queue, states] of kept.deltas) {
      for (const [state, delta] of states) if (delta !== 0) this.addCount.run(delta, queue, state);
    }
    const values = kept.events;
    const total = values.length / PER_EVENT;
    for (let i = 0; i < total; ) {
      let size = MAX_CHUNK;
      while (size > total - i) size >>= 1;
      this.insertStatement(size).run(...values.slice(i * PER_EVENT, (i + size) * PER_EVENT));
      i += size;
    }
    this.addToTimelines(kept.timelines);
  }

  /**
   * Puts events' ids on their jobs' rows (already written in this transaction, so this adds no
   * page): `pairs` holds job id, event id, …. A run of consecutive jobs with consecutive events
   * (a lane handing on, retries) takes one statement.
   */
  private addToTimelines(pairs: number[]): void {
    for (let start = 0; start < pairs.length; ) {
      let end = start + 2;
      while (end < pairs.length && pairs[end] === pairs[end - 2]! + 1 && pairs[end + 1] === pairs[end - 1]! + 1) end += 2;
      this.addToTimeline.run(pairs[start + 1]! - pairs[start]!, pairs[start]!, pairs[end - 2]!);
      start = end;
    }
  }

  /** The transaction committed. */
  committed(): void {
    this.nextId = null;
    const committing = this.committing;
    this.committing = null;
    if (!committing) return;
    if (committing.written) {
      this.figures = new Map();
      this.figuresWrittenAt = performance.now();
    } else {
      for (const [worker, f] of committing.figures) addFigures(this.figures, worker, f.processed, f.failed);
    }
  }

  /** The transaction was rolled back: nothing it gathered is written. */
  reset(): void {
    this.nextId = null;
    this.discard();
    this.committing = null;
    if (!this.kept.empty) this.kept = new Gathered();
  }

  /** A worker's committed figures not written to its row yet (add them to what the row holds). */
  unwrittenFigures(workerId: string): { processed: number; failed: number } {
    return this.figures.get(workerId) ?? { processed: 0, failed: 0 };
  }

  /**
   * Writes every committed worker's figures now, inside the caller's transaction: the store is
   * closing, or workers are about to be forgotten (a worker seen again starts afresh).
   */
  writeAllFigures(): void {
    this.writeFigures(new Map());
    this.figures = new Map();
  }

  /** Writes the committed figures plus `more`, one update per worker. */
  private writeFigures(more: Figures): void {
    const all: Figures = new Map();
    for (const source of [this.figures, more]) for (const [worker, f] of source) addFigures(all, worker, f.processed, f.failed);
    for (const [worker, { processed, failed }] of all) this.creditWorker.run(processed, failed, worker);
  }

  private log(from: JobState | null, row: ChangedRow, appended: JobError | null, handOnAt?: number, eventId?: number | null): void {
    if (!this.logEvents) return;
    let id = eventId;
    if (id == null) {
      id = this.eventId()!;
      this.current.timelines.push(row.id, id);
    }
    const e = eventOfChange(
      from,
      {
        state: row.state as JobState, runAt: row.run_at, createdAt: row.created_at, startedAt: row.started_at, finishedAt: row.finished_at,
        errors: appended ? [appended] : [],
      },
      handOnAt,
    );
    this.current.events.push(id, e.at, e.type, row.queue, row.key, row.id, e.state, e.prevState, row.attempts, e.errorType, e.durationMs);
  }

  private insertStatement(rows: number): Statement {
    let statement = this.inserts.get(rows);
    if (!statement) {
      const values = Array.from({ length: rows }, () => `(${Array(PER_EVENT).fill("?").join(", ")})`).join(", ");
      statement = this.db.prepare(`INSERT INTO events ${EVENT_COLUMNS} VALUES ${values}`);
      this.inserts.set(rows, statement);
    }
    return statement;
  }
}
