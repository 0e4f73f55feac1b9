/** Per-key lanes in SQLite: who holds a lane, and handing it on when its head ends. */
import type { Database } from "bun:sqlite";
import { CHANGED_COLUMNS, type ChangeLog, type ChangedRow } from "./change-log.ts";

export type LaneRow = { queue: string; key: string; head_id: number; blocked: number; since: number };

/** Lane bookkeeping, run inside the caller's transaction. */
export class Lanes {
  constructor(
    private readonly db: Database,
    private readonly changes: ChangeLog,
  ) {}

  get(queue: string, key: string): LaneRow | null {
    return this.db.query("SELECT * FROM lanes WHERE queue = ? AND key = ?").get(queue, key) as LaneRow | null;
  }

  /** Makes `jobId` the head of a lane that had none. */
  take(queue: string, key: string, jobId: number, now: number): void {
    this.db
      .query("INSERT INTO lanes (queue, key, head_id, blocked, since) VALUES (?, ?, ?, 0, ?)")
      .run(queue, key, jobId, now);
  }

  /** Marks the lane as stopped behind its failed head (laneOnFailure: block). */
  block(queue: string, key: string, jobId: number, now: number): void {
    this.db.query("UPDATE lanes SET blocked = 1, head_id = ?, since = ? WHERE queue = ? AND key = ?").run(jobId, now, queue, key);
  }

  /** The failed head runs again and holds its lane as before. */
  unblock(queue: string, key: string, now: number): void {
    this.db.query("UPDATE lanes SET blocked = 0, since = ? WHERE queue = ? AND key = ?").run(now, queue, key);
  }

  /**
   * The lane's head has ended: promote the next blocked job in enqueue order (waiting, or
   * delayed while its runAt is ahead), or drop the lane when none is left.
   */
  advance(queue: string, key: string, now: number): void {
    const next = this.db
      // jobs_lane holds only blocked jobs; left to itself the planner took jobs_by_key, which
      // holds the key's whole history and had this read walk past every job of it that ended.
      .query(`SELECT ${CHANGED_COLUMNS} FROM jobs INDEXED BY jobs_lane WHERE queue = +? AND key = +? AND state = 'blocked' ORDER BY id LIMIT 1`)
      .get(queue, key) as ChangedRow | null;
    if (!next) {
      this.db.query("DELETE FROM lanes WHERE queue = ? AND key = ?").run(queue, key);
      return;
    }
    // Updated by primary key with the state decided here (an UPDATE … RETURNING costs twice as much).
    const moved: ChangedRow = { ...next, state: next.run_at <= now ? "waiting" : "delayed" };
    this.db.query("UPDATE jobs SET state = ? WHERE id = ?").run(moved.state, moved.id);
    this.changes.moved("blocked", moved, null, now);
    this.db
      .query("UPDATE lanes SET head_id = ?, blocked = 0, since = ? WHERE queue = ? AND key = ?")
      .run(moved.id, now, queue, key);
  }

  /** Whether a job of the lane enqueued before `jobId` waits in it (blocked). */
  waitsBefore(queue: string, key: string, jobId: number): boolean {
    return this.db.query("SELECT 1 FROM jobs INDEXED BY jobs_lane WHERE queue = +? AND key = +? AND state = 'blocked' AND id < +? LIMIT 1").get(queue, key, jobId) !== null;
  }

  /** Called when job `jobId` leaves the lane for good; advances only if it held the lane. */
  release(queue: string, key: string | null, jobId: number, now: number): void {
    if (key === null) return;
    const lane = this.get(queue, key);
    if (lane && lane.head_id === jobId) this.advance(queue, key, now);
  }
}
