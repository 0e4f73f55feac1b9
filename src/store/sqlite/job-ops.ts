/** Job state changes in SQLite, each run synchronously inside the caller's transaction. */
import type { Database } from "bun:sqlite";
import type { JobError, JobState, NewJob } from "../../core/job.ts";
import type { ClaimParams, CompleteItem, EnqueueOutcome, FailParams, HeartbeatParams } from "../../core/store.ts";
import { defaultQueueConfig, type QueueConfig } from "../../core/queue-config.ts";
import { endedAt, leaseFrom, renewedLease, startedAt } from "../../core/lease.ts";
import { GIVEN_BACK } from "../../core/retry.ts";
import { CHANGED_COLUMNS, type ChangeLog, type ChangedRow } from "./change-log.ts";
import { Lanes } from "./lanes.ts";
import { json, rowId, toJob, type JobRow } from "./rows.ts";

const STATES = ["waiting", "delayed", "blocked", "active", "completed", "failed", "cancelled"];

export type CompletedRow = ChangedRow & { worker_id: string | null };
const COMPLETED_COLUMNS = `${CHANGED_COLUMNS}, worker_id`;

type QueueRow = { name: string; paused: number; config: string; rate_window_start: number; rate_count: number };

/** What a completion needs of a job this store leased, kept from the claim with the lease's token (its state and end the completion sets). */
type Leased = Omit<CompletedRow, "state" | "finished_at"> & { token: string };

/** A completion of a job whose lease holds: the guard is the one a completion's read checks (complete()). */
const COMPLETE_UNDER_LEASE = `UPDATE jobs SET state = 'completed', result = ?, finished_at = ?, lease_expires_at = NULL, event_ids = concat_ws(',', event_ids, ?)
  WHERE id = ? AND state = 'active' AND lease_token = ? AND lease_expires_at > ?`;

/** Leases remembered at most (about 250 bytes each): past this the memory starts afresh, and a completion reads its row. */
const MAX_LEASED = 20_000;

export class JobOps {
  readonly lanes: Lanes;
  /**
   * The jobs this store leased and not yet saw finish, by id. A lease's token is made for one
   * claim, and while the job is active under it, the columns a completion reports (queue, key,
   * attempts, …) are the ones that claim wrote; so a completion whose token matches updates
   * the row under the lease's guard and takes the rest from here, instead of reading the row
   * first. Only a hint: the guard in the UPDATE decides, so an entry left by a claim rolled
   * back, or by a job cancelled or deleted since, only finds the guard failing.
   */
  private readonly leased = new Map<number, Leased>();

  constructor(
    private readonly db: Database,
    private readonly changes: ChangeLog,
  ) {
    this.lanes = new Lanes(db, changes);
  }

  /** Creates the queue row and its count rows on first use. */
  ensureQueue(queue: string, now: number): void {
    const created = this.db
      .query("INSERT OR IGNORE INTO queues (name, config, created_at, updated_at) VALUES (?, ?, ?, ?)")
      .run(queue, JSON.stringify(defaultQueueConfig(queue)), now, now);
    if (created.changes === 0) return;
    const insertCount = this.db.query("INSERT OR IGNORE INTO queue_counts (queue, state, n) VALUES (?, ?, 0)");
    for (const state of STATES) insertCount.run(queue, state);
  }

  queueRow(queue: string): QueueRow | null {
    return this.db.query("SELECT * FROM queues WHERE name = ?").get(queue) as QueueRow | null;
  }

  queueConfig(queue: string): QueueConfig {
    const row = this.queueRow(queue);
    return row ? { ...JSON.parse(row.config), name: queue, paused: row.paused === 1 } : defaultQueueConfig(queue);
  }

  row(id: number): JobRow | null {
    return this.db.query("SELECT * FROM jobs WHERE id = ?").get(id) as JobRow | null;
  }

  enqueue(job: NewJob, now: number): EnqueueOutcome {
    if (job.idempotencyKey !== null) {
      const existing = this.db
        .query("SELECT * FROM jobs WHERE queue = ? AND idempotency_key = ?")
        .get(job.queue, job.idempotencyKey) as JobRow | null;
      if (existing) return { job: toJob(existing), created: false };
    }
    let state = job.runAt > now ? "delayed" : "waiting";
    const lane = job.key === null ? null : this.lanes.get(job.queue, job.key);
    if (lane) state = "blocked";
    // The row as stored, with the columns' defaults: an INSERT … RETURNING * costs twice the insert.
    const row: JobRow = {
      id: 0, queue: job.queue, key: job.key, payload: json(job.payload ?? null)!, priority: job.priority, state, run_at: job.runAt,
      attempts: 0, max_attempts: job.maxAttempts, given_back: 0, backoff: JSON.stringify(job.backoff), timeout_ms: job.timeoutMs,
      idempotency_key: job.idempotencyKey, progress: null, checkpoint: null, result: null, errors: "[]", worker_id: null,
      lease_token: null, lease_expires_at: null, deadline_at: null, cancel_requested: 0, created_at: now, started_at: null, finished_at: null,
    };
    // The job's timeline starts with its enqueue event.
    const eventId = this.changes.eventId();
    const inserted = this.db
      .query(
        `INSERT INTO jobs (queue, key, payload, priority, state, run_at, max_attempts, backoff, timeout_ms, idempotency_key, created_at, event_ids)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(row.queue, row.key, row.payload, row.priority, row.state, row.run_at, row.max_attempts, row.backoff, row.timeout_ms, row.idempotency_key, now, eventId);
    row.id = Number(inserted.lastInsertRowid);
    this.changes.inserted(row, eventId);
    if (job.key !== null && !lane) this.lanes.take(job.queue, job.key, row.id, now);
    return { job: toJob(row), created: true };
  }

  /** Due delayed jobs (at most `limit`), queue by queue through jobs_delayed: a read, no transaction needed. */
  dueDelayed(now: number, limit: number): { queue: string; ids: number[] }[] {
    const out: { queue: string; ids: number[] }[] = [];
    for (const { name } of this.db.query("SELECT name FROM queues").all() as { name: string }[]) {
      if (limit <= 0) break;
      const due = this.db
        .query("SELECT id FROM jobs WHERE queue = +? AND state = 'delayed' AND run_at <= +? ORDER BY run_at LIMIT +?")
        .all(name, now, limit) as { id: number }[];
      if (due.length) out.push({ queue: name, ids: due.map((r) => r.id) });
      limit -= due.length;
    }
    return out;
  }

  /** Due delayed jobs to waiting, each by primary key (see claim); one claimed meanwhile is left as it is. Returns how many moved. */
  promote(ids: number[]): number {
    const promote = this.db.query(`UPDATE jobs SET state = 'waiting' WHERE id = ? AND state = 'delayed' RETURNING ${CHANGED_COLUMNS}`);
    let moved = 0;
    for (const id of ids) {
      const row = promote.get(id) as ChangedRow | null;
      if (row) (this.changes.moved("delayed", row), moved++);
    }
    return moved;
  }

  claim(p: ClaimParams): JobRow[] {
    const queue = this.queueRow(p.queue);
    if (!queue || queue.paused) return [];
    const config = JSON.parse(queue.config) as QueueConfig;
    let allowed = p.max;
    if (config.concurrency != null) {
      const active = this.db.query("SELECT n FROM queue_counts WHERE queue = ? AND state = 'active'").get(p.queue) as { n: number };
      allowed = Math.min(allowed, config.concurrency - active.n - this.changes.unwritten(p.queue, "active"));
    }
    let windowStart = queue.rate_window_start;
    let started = queue.rate_count;
    if (config.rateLimit) {
      if (p.now >= windowStart + config.rateLimit.intervalMs) {
        windowStart = p.now;
        started = 0;
      }
      allowed = Math.min(allowed, config.rateLimit.max - started);
    }
    if (allowed <= 0) return [];
    // A look first: an UPDATE … RETURNING costs several microseconds even when it changes nothing.
    if (this.db.query("SELECT 1 FROM jobs WHERE queue = +? AND state = 'delayed' AND run_at <= +? LIMIT 1").get(p.queue, p.now)) {
      const due = this.db
        .query(`UPDATE jobs SET state = 'waiting' WHERE queue = +? AND state = 'delayed' AND run_at <= +? RETURNING ${CHANGED_COLUMNS}`)
        .all(p.queue, p.now) as ChangedRow[];
      for (const row of due) this.changes.moved("delayed", row);
    }
    // Read the rows, then lease each by primary key with the values set here: RETURNING would
    // double the cost of each update (SQLite runs it as a trigger into a temporary table).
    // `+?`: planned once, not at every claim (database.ts).
    const rows = this.db
      .query("SELECT * FROM jobs WHERE queue = +? AND state = 'waiting' ORDER BY priority DESC, id LIMIT +?")
      .all(p.queue, allowed) as JobRow[];
    const lease = this.db.query(
      `UPDATE jobs SET state = 'active', attempts = ?, worker_id = ?, lease_token = ?, started_at = ?, deadline_at = ?,
         lease_expires_at = ?, cancel_requested = 0, event_ids = concat_ws(',', event_ids, ?)
       WHERE id = ?`,
    );
    for (const row of rows) {
      const { deadlineAt, leaseExpiresAt } = leaseFrom(p.now, p.leaseMs, row.timeout_ms);
      // A lane's next job starts no earlier than the lane was handed to it (lanes.since).
      const lane = row.key === null ? null : this.lanes.get(row.queue, row.key);
      row.state = "active";
      row.attempts += 1;
      row.worker_id = p.workerId;
      row.lease_token = p.token;
      row.started_at = startedAt(p.now, lane?.since);
      row.deadline_at = deadlineAt;
      row.lease_expires_at = leaseExpiresAt;
      row.cancel_requested = 0;
      const eventId = this.changes.eventId();
      lease.run(row.attempts, row.worker_id, row.lease_token, row.started_at, row.deadline_at, row.lease_expires_at, eventId, row.id);
      this.changes.moved("waiting", row, null, undefined, eventId);
      this.remember(row, p.token);
    }
    if (config.rateLimit) {
      this.db
        .query("UPDATE queues SET rate_window_start = ?, rate_count = ? WHERE name = ?")
        .run(windowStart, started + rows.length, p.queue);
    }
    return rows;
  }

  private remember(row: JobRow, token: string): void {
    if (this.leased.size >= MAX_LEASED) this.leased.clear();
    this.leased.set(row.id, {
      id: row.id, queue: row.queue, key: row.key, attempts: row.attempts, run_at: row.run_at, created_at: row.created_at, started_at: row.started_at,
      worker_id: row.worker_id, token,
    });
  }

  /**
   * Completes a job whose lease holds, returning the row as it is after (`columns` of it: what
   * the caller needs). The row is read under the lease's guard, then updated (under the same
   * guard, as completeLeased does) in the same transaction: cheaper than an UPDATE … RETURNING.
   */
  private complete<R extends CompletedRow>(item: CompleteItem, result: string | null, now: number, columns: string): R | null {
    const id = rowId(item.id);
    if (id === null) return null;
    const row = this.db
      .query(`SELECT ${columns} FROM jobs WHERE id = ? AND state = 'active' AND lease_token = ? AND lease_expires_at > ?`)
      .get(id, item.token, now) as R | null;
    this.leased.delete(id);
    if (!row) return null;
    const eventId = this.changes.eventId();
    const at = endedAt(now, row.started_at);
    this.db.query(COMPLETE_UNDER_LEASE).run(result, at, eventId, id, item.token, now);
    return this.completed(row, at, eventId);
  }

  /**
   * Completes a job this store leased under `item`'s token (see `leased`) without reading its
   * row: the update carries the lease's guard and reports whether it held. Undefined when the
   * job's lease is not remembered under that token (complete() then reads the row).
   */
  private completeLeased(item: CompleteItem, result: string | null, now: number): CompletedRow | null | undefined {
    const id = rowId(item.id);
    const leased = id === null ? undefined : this.leased.get(id);
    if (leased?.token !== item.token) return undefined;
    this.leased.delete(id!);
    const eventId = this.changes.peekEventId();
    const at = endedAt(now, leased.started_at);
    const { changes } = this.db.query(COMPLETE_UNDER_LEASE).run(result, at, eventId, id, item.token, now);
    if (changes === 0) return null;
    const { token: _token, ...row } = leased;
    return this.completed({ ...row, state: "completed", finished_at: at }, at, this.changes.eventId());
  }

  /** What a completion at `at` changes besides the job's row: its counts, event, worker's figures and lane. */
  private completed<R extends CompletedRow>(row: R, at: number, eventId: number | null): R {
    row.state = "completed";
    row.finished_at = at;
    this.changes.moved("active", row, null, undefined, eventId);
    if (row.worker_id !== null) this.changes.attemptEnded(row.worker_id, "processed");
    this.lanes.release(row.queue, row.key, row.id, at);
    return row;
  }

  /** Completes one job and returns it whole. */
  completeOne(item: CompleteItem, now: number): JobRow | null {
    const result = json(item.result ?? null);
    const row = this.complete<JobRow>(item, result, now, "*");
    if (row) (row.result = result), (row.lease_expires_at = null);
    return row;
  }

  /** Completes each item whose lease holds (null where it was lost), returning only the columns a change needs. */
  completeMany(items: CompleteItem[], now: number): (CompletedRow | null)[] {
    return items.map((item) => {
      const result = json(item.result ?? null);
      const done = this.completeLeased(item, result, now);
      return done !== undefined ? done : this.complete<CompletedRow>(item, result, now, COMPLETED_COLUMNS);
    });
  }

  /** Ends an attempt in failure; `expired` selects the reaper's guard (lease ran out) over the worker's (lease live). */
  fail(p: FailParams, expired: boolean): JobRow | null {
    const id = rowId(p.id);
    if (id === null) return null;
    this.leased.delete(id);
    const leaseGuard = expired ? "lease_expires_at <= ?" : "lease_expires_at > ?";
    const current = this.db
      .query(`SELECT * FROM jobs WHERE id = ? AND state = 'active' AND lease_token = ? AND ${leaseGuard}`)
      .get(id, p.token, p.now) as JobRow | null;
    if (!current) return null;
    const errors = appendError(current.errors, p.error);
    // An attempt given back unfinished is counted apart: errors keeps only the latest 50.
    const givenBack = current.given_back + (p.error.type === GIVEN_BACK ? 1 : 0);
    // A worker's failure keeps its token on the job (like a completion), so the same failure
    // resent after its answer was lost can be recognised; a lease the reaper recovers keeps none.
    const endedBy = expired ? null : p.token;
    // The worker's record counts the attempt as failed unless a cancel ended it.
    const failedBy = current.worker_id;
    // A cancel requested after the failure's retry was decided wins: the job ends, cancelled.
    if (p.retryAt !== null && !current.cancel_requested) {
      const retried = this.db
        .query(
          `UPDATE jobs SET state = ?, run_at = ?, errors = ?, given_back = ?, worker_id = NULL, lease_token = ?, lease_expires_at = NULL,
             deadline_at = NULL
           WHERE id = ? RETURNING *`,
        )
        .get(p.retryAt <= p.now ? "waiting" : "delayed", p.retryAt, errors, givenBack, endedBy, id) as JobRow;
      this.changes.moved("active", retried, p.error);
      if (failedBy !== null) this.changes.attemptEnded(failedBy, "failed");
      return retried;
    }
    const final = current.cancel_requested ? "cancelled" : "failed";
    const at = endedAt(p.now, current.started_at);
    const row = this.db
      .query(
        `UPDATE jobs SET state = ?, errors = ?, given_back = ?, finished_at = ?, lease_token = ?, lease_expires_at = NULL, deadline_at = NULL
         WHERE id = ? RETURNING *`,
      )
      .get(final, errors, givenBack, at, endedBy, id) as JobRow;
    this.changes.moved("active", row, p.error);
    if (failedBy !== null && final === "failed") this.changes.attemptEnded(failedBy, "failed");
    if (row.key !== null) {
      if (final === "failed" && this.queueConfig(row.queue).laneOnFailure === "block") {
        this.lanes.block(row.queue, row.key, row.id, at);
      } else {
        this.lanes.release(row.queue, row.key, row.id, at);
      }
    }
    return row;
  }

  heartbeat(p: HeartbeatParams): JobRow | null {
    const id = rowId(p.id);
    if (id === null) return null;
    const row = this.db
      .query("SELECT * FROM jobs WHERE id = ? AND state = 'active' AND lease_token = ? AND lease_expires_at > ?")
      .get(id, p.token, p.now) as JobRow | null;
    if (!row) return null;
    row.lease_expires_at = renewedLease(row.lease_expires_at!, p.now, p.leaseMs, row.deadline_at);
    const progress = json(p.progress);
    if (progress !== null) row.progress = progress;
    if (p.checkpoint !== undefined) row.checkpoint = json(p.checkpoint);
    this.db
      .query("UPDATE jobs SET lease_expires_at = ?, progress = ?, checkpoint = ? WHERE id = ?")
      .run(row.lease_expires_at, row.progress, row.checkpoint, id);
    return row;
  }

  cancel(id: number, force: boolean, now: number): JobRow | null {
    if (force) this.leased.delete(id);
    const current = this.row(id);
    if (!current || ["completed", "failed", "cancelled"].includes(current.state)) return null;
    if (current.state === "active" && !force) {
      return this.db.query("UPDATE jobs SET cancel_requested = 1 WHERE id = ? RETURNING *").get(id) as JobRow;
    }
    const at = current.state === "active" ? endedAt(now, current.started_at) : now;
    const row = this.db
      .query(
        `UPDATE jobs SET state = 'cancelled', finished_at = ?, lease_token = NULL, lease_expires_at = NULL, deadline_at = NULL
         WHERE id = ? RETURNING *`,
      )
      .get(at, id) as JobRow;
    this.changes.moved(current.state as JobState, row);
    if (current.state !== "blocked") this.lanes.release(row.queue, row.key, row.id, at);
    return row;
  }

  retry(id: number, resetCheckpoint: boolean, now: number): JobRow | null {
    const current = this.row(id);
    if (!current || (current.state !== "failed" && current.state !== "cancelled")) return null;
    let state = "waiting";
    // The lane's failed head, retried behind an earlier job of its key retried before it (a bulk retry): the earlier runs first.
    let handOn = false;
    if (current.key !== null) {
      const lane = this.lanes.get(current.queue, current.key);
      if (!lane) this.lanes.take(current.queue, current.key, id, now);
      else if (lane.head_id === id && lane.blocked && !this.lanes.waitsBefore(current.queue, current.key, id)) this.lanes.unblock(current.queue, current.key, now);
      else (state = "blocked"), (handOn = lane.head_id === id);
    }
    const row = this.db
      .query(
        `UPDATE jobs SET state = ?, attempts = 0, given_back = 0, run_at = ?, result = NULL, progress = NULL, finished_at = NULL,
           lease_token = NULL, cancel_requested = 0, checkpoint = CASE WHEN ? THEN NULL ELSE checkpoint END
         WHERE id = ? RETURNING *`,
      )
      .get(state, now, resetCheckpoint ? 1 : 0, id) as JobRow;
    this.changes.moved(current.state as JobState, row);
    if (handOn) this.lanes.advance(current.queue, current.key!, now);
    return row;
  }

  /** Removes a job row, handing on its lane if it held one. */
  remove(row: JobRow, now: number): void {
    this.db.query("DELETE FROM jobs WHERE id = ?").run(row.id);
    this.leased.delete(row.id);
    if (row.state !== "blocked") this.lanes.release(row.queue, row.key, row.id, now);
  }
}

function appendError(errorsJson: string, error: JobError): string {
  const errors = JSON.parse(errorsJson) as JobError[];
  errors.push(error);
  // Keep the history bounded: the first errors and the most recent ones tell the story.
  if (errors.length > 50) errors.splice(10, errors.length - 50);
  return JSON.stringify(errors);
}
