/** The ScheduleStore on SQLite: schedules, the fire compare-and-set, run history, job pruning. */
import type { Database } from "bun:sqlite";
import type { JobState } from "../../core/job.ts";
import type {
  JobsPruneOutcome, JobsPruneParams, NewSchedule, Schedule, ScheduleDefinition, ScheduleFireOutcome,
  ScheduleFireParams, ScheduleRun, ScheduleRunInput, ScheduleRunKind, ScheduleStore,
} from "../../core/schedule-store.ts";
import type { GroupCommit } from "./database.ts";
import type { JobOps } from "./job-ops.ts";
import { BY_QUEUE_STATE } from "./job-list.ts";
import { json, rowId, type JobRow } from "./rows.ts";

/** Jobs read at a time while looking for expired ones. */
const PRUNE_READ = 256;

type ScheduleRow = {
  name: string;
  cron: string | null;
  every: string | null;
  timezone: string;
  queue: string;
  payload: string;
  job_options: string;
  enabled: number;
  overlap: string;
  catch_up: string;
  builtin: number;
  next_fire_at: number | null;
  last_fire_at: number | null;
  last_job_id: number | null;
  last_result: string | null;
  last_result_at: number | null;
  revision: number;
  created_at: number;
  updated_at: number;
};

type RunRow = {
  id: number;
  schedule: string;
  kind: string;
  fire_time: number;
  last_fire_time: number;
  count: number;
  manual: number;
  catch_up: number;
  job_id: number | null;
  job_state: string | null;
  job_finished_at: number | null;
  job_error: string | null;
  at: number;
  live_state: string | null;
  live_finished_at: number | null;
  live_error: string | null;
};

function toSchedule(row: ScheduleRow): Schedule {
  return {
    name: row.name,
    cron: row.cron,
    every: row.every,
    timezone: row.timezone,
    queue: row.queue,
    payload: JSON.parse(row.payload),
    jobOptions: JSON.parse(row.job_options),
    enabled: row.enabled === 1,
    overlap: row.overlap as Schedule["overlap"],
    catchUp: row.catch_up as Schedule["catchUp"],
    builtin: row.builtin === 1,
    nextFireAt: row.next_fire_at,
    lastFireAt: row.last_fire_at,
    lastJobId: row.last_job_id === null ? null : String(row.last_job_id),
    lastResult: row.last_result === null ? null : JSON.parse(row.last_result),
    lastResultAt: row.last_result_at,
    revision: row.revision,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function toRun(row: RunRow): ScheduleRun {
  const live = row.live_state !== null;
  const state = live ? row.live_state : row.job_state;
  return {
    id: String(row.id),
    schedule: row.schedule,
    kind: row.kind as ScheduleRunKind,
    fireTime: row.fire_time,
    lastFireTime: row.last_fire_time,
    count: row.count,
    manual: row.manual === 1,
    catchUp: row.catch_up === 1,
    jobId: row.job_id === null ? null : String(row.job_id),
    job:
      state === null
        ? null
        : {
            state: state as JobState,
            finishedAt: live ? row.live_finished_at : row.job_finished_at,
            error: live ? row.live_error : row.job_error,
            deleted: !live,
          },
    at: row.at,
  };
}

const definitionArgs = (s: ScheduleDefinition) => [
  s.cron, s.every, s.timezone, s.queue, json(s.payload ?? null), JSON.stringify(s.jobOptions ?? {}),
  s.enabled ? 1 : 0, s.overlap, s.catchUp,
];

export class ScheduleOps implements ScheduleStore {
  constructor(
    private readonly db: Database,
    private readonly writer: GroupCommit,
    private readonly jobs: JobOps,
  ) {}

  async scheduleGet(p: { name: string }) {
    return this.read(p.name);
  }

  async schedulesList() {
    return (this.db.query("SELECT * FROM schedules ORDER BY name").all() as ScheduleRow[]).map(toSchedule);
  }

  async schedulesDue(p: { now: number; limit: number }) {
    const rows = this.db
      .query(
        `SELECT * FROM schedules WHERE enabled = 1 AND next_fire_at IS NOT NULL AND next_fire_at <= ?
         ORDER BY next_fire_at, name LIMIT ?`,
      )
      .all(p.now, p.limit) as ScheduleRow[];
    return rows.map(toSchedule);
  }

  async scheduleCreate(p: { schedule: NewSchedule; now: number }) {
    const s = p.schedule;
    return this.writer.write(() => {
      const row = this.db
        .query(
          `INSERT INTO schedules (name, cron, every, timezone, queue, payload, job_options, enabled, overlap, catch_up,
             builtin, next_fire_at, created_at, updated_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (name) DO NOTHING RETURNING *`,
        )
        .get(s.name, ...definitionArgs(s), s.builtin ? 1 : 0, s.nextFireAt, p.now, p.now) as ScheduleRow | null;
      return row ? toSchedule(row) : null;
    });
  }

  async schedulePut(p: { schedule: ScheduleDefinition; nextFireAt: number | null; expectedRevision: number; now: number }) {
    return this.writer.write(() => {
      const row = this.db
        .query(
          `UPDATE schedules SET cron = ?, every = ?, timezone = ?, queue = ?, payload = ?, job_options = ?, enabled = ?,
             overlap = ?, catch_up = ?, next_fire_at = ?, revision = revision + 1, updated_at = ?
           WHERE name = ? AND revision = ? RETURNING *`,
        )
        .get(...definitionArgs(p.schedule), p.nextFireAt, p.now, p.schedule.name, p.expectedRevision) as ScheduleRow | null;
      return row ? toSchedule(row) : null;
    });
  }

  async scheduleDelete(p: { name: string; now: number }) {
    return this.writer.write(() => {
      const gone = this.db.query("DELETE FROM schedules WHERE name = ?").run(p.name);
      this.db.query("DELETE FROM schedule_runs WHERE schedule = ?").run(p.name);
      return gone.changes > 0;
    });
  }

  async scheduleFire(p: ScheduleFireParams): Promise<ScheduleFireOutcome | null> {
    return this.writer.write(() => {
      const current = this.db
        .query("SELECT revision, next_fire_at FROM schedules WHERE name = ?")
        .get(p.name) as { revision: number; next_fire_at: number | null } | null;
      if (!current || current.revision !== p.expectedRevision || current.next_fire_at !== p.expectedNextFireAt) return null;
      let enqueued = null;
      if (p.job) {
        this.jobs.ensureQueue(p.job.queue, p.now);
        enqueued = this.jobs.enqueue(p.job, p.now);
      }
      const firedAt = p.runs.find((r) => r.kind === "fired")?.fireTime ?? null;
      const row = this.db
        .query(
          `UPDATE schedules SET next_fire_at = ?, revision = revision + 1, updated_at = ?,
             last_fire_at = COALESCE(?, last_fire_at), last_job_id = COALESCE(?, last_job_id)
           WHERE name = ? RETURNING *`,
        )
        .get(p.nextFireAt, p.now, firedAt, enqueued ? rowId(enqueued.job.id) : null, p.name) as ScheduleRow;
      for (const run of p.runs) {
        const jobId = run.kind === "fired" ? (enqueued?.job.id ?? null) : (run.jobId ?? null);
        this.appendRun(p.name, run, jobId, p.now);
      }
      this.trimRuns(p.name, p.historyKeep);
      return { schedule: toSchedule(row), job: enqueued };
    });
  }

  async scheduleRunsList(p: { name: string; limit: number }) {
    const rows = this.db
      .query(
        `SELECT r.*, j.state AS live_state, j.finished_at AS live_finished_at,
                json_extract(j.errors, '$[#-1].message') AS live_error
           FROM schedule_runs r LEFT JOIN jobs j ON j.id = r.job_id
          WHERE r.schedule = ? ORDER BY r.id DESC LIMIT ?`,
      )
      .all(p.name, p.limit) as RunRow[];
    return rows.map(toRun);
  }

  async scheduleRecord(p: { name: string; result: unknown; now: number }) {
    return this.writer.write(() => {
      const done = this.db
        .query("UPDATE schedules SET last_result = ?, last_result_at = ? WHERE name = ?")
        .run(json(p.result ?? null), p.now, p.name);
      return done.changes > 0;
    });
  }

  /** Deletes finished jobs of one queue and state that finished before the cutoff (expiredIds), oldest job first. */
  async jobsPrune(p: JobsPruneParams): Promise<JobsPruneOutcome> {
    return this.writer.write(() => {
      const remove = this.db.query(
        `DELETE FROM jobs WHERE id = ?
         RETURNING length(payload) + length(errors) + length(backoff) + COALESCE(length(result), 0)
           + COALESCE(length(checkpoint), 0) + COALESCE(length(progress), 0) + COALESCE(length(key), 0)
           + COALESCE(length(idempotency_key), 0) AS bytes`,
      );
      const { ids, lastRead } = this.expiredIds(p);
      const bytes = ids.reduce((sum, id) => sum + (remove.get(id) as { bytes: number }).bytes, 0);
      return { deleted: ids.length, bytes, resumeAfter: lastRead === null ? (p.resumeAfter ?? null) : String(lastRead) };
    });
  }

  /**
   * Up to `limit` jobs of one queue and state that finished before the cutoff, read in id order
   * through jobs_by_queue_state; a failed job heading a blocked lane is spared. A job finishes
   * after it is created, and ids grow with creation time, so the read stops at the first job
   * created at or after the cutoff instead of reading every job kept. (Had the clock once run
   * ahead, jobs created then would hold back the ones after them until that time is past.)
   * It starts after `resumeAfter`: the jobs a batch before it kept, a batch does not read again
   * (a pass over a queue whose oldest jobs finish last read them once, not once a batch).
   */
  private expiredIds(p: JobsPruneParams): { ids: number[]; lastRead: number | null } {
    const next = this.db.query(
      `SELECT id, key, created_at, finished_at FROM jobs INDEXED BY jobs_by_queue_state
        WHERE queue = +?1 AND state = +?2 AND ${BY_QUEUE_STATE} AND id > ?3 ORDER BY id LIMIT +?4`,
    );
    const headsLane = this.db.query("SELECT 1 FROM lanes WHERE queue = ? AND key = ? AND head_id = ?");
    const ids: number[] = [];
    let lastRead: number | null = null;
    for (let after = Number(p.resumeAfter ?? 0); ; ) {
      const rows = next.all(p.queue, p.state, after, PRUNE_READ) as Pick<JobRow, "id" | "key" | "created_at" | "finished_at">[];
      for (const row of rows) {
        if (row.created_at >= p.finishedBefore) return { ids, lastRead };
        lastRead = row.id;
        if (row.finished_at === null || row.finished_at >= p.finishedBefore) continue;
        if (row.key !== null && headsLane.get(p.queue, row.key, row.id)) continue;
        if (ids.push(row.id) === p.limit) return { ids, lastRead };
      }
      if (rows.length < PRUNE_READ) return { ids, lastRead };
      after = rows[rows.length - 1]!.id;
    }
  }

  private read(name: string): Schedule | null {
    const row = this.db.query("SELECT * FROM schedules WHERE name = ?").get(name) as ScheduleRow | null;
    return row ? toSchedule(row) : null;
  }

  /** Appends a run; a skip behind the same job as the latest entry extends that entry instead. */
  private appendRun(name: string, run: ScheduleRunInput, jobId: string | null, now: number): void {
    const lastFireTime = run.lastFireTime ?? run.fireTime;
    const count = run.count ?? 1;
    const job = jobId === null ? null : rowId(jobId);
    if (run.kind === "skipped") {
      const latest = this.db
        .query("SELECT id, kind, job_id FROM schedule_runs WHERE schedule = ? ORDER BY id DESC LIMIT 1")
        .get(name) as { id: number; kind: string; job_id: number | null } | null;
      if (latest && latest.kind === "skipped" && latest.job_id === job) {
        this.db
          .query("UPDATE schedule_runs SET count = count + ?, last_fire_time = ?, at = ? WHERE id = ?")
          .run(count, lastFireTime, now, latest.id);
        return;
      }
    }
    this.db
      .query(
        `INSERT INTO schedule_runs (schedule, kind, fire_time, last_fire_time, count, manual, catch_up, job_id, at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(name, run.kind, run.fireTime, lastFireTime, count, run.manual ? 1 : 0, run.catchUp ? 1 : 0, job, now);
  }

  private trimRuns(name: string, keep: number): void {
    this.db
      .query(
        `DELETE FROM schedule_runs WHERE schedule = ?1 AND id <= (
           SELECT id FROM schedule_runs WHERE schedule = ?1 ORDER BY id DESC LIMIT 1 OFFSET ?2)`,
      )
      .run(name, keep);
  }
}
