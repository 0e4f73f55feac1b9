/**
 * The ScheduleStore: stored schedules, the compare-and-set that fires them, their run
 * history, and the bounded pruning of finished jobs that retention needs.
 *
 * Like the Store, every method takes one params object with time as `now`; a guarded
 * change returns null when its guard fails. `scheduleFire` is the one place a schedule
 * enqueues: the job, the schedule's advance and the history entries are written together
 * or not at all, so two processes reading the same due schedule fire it once.
 */
import type { EnqueueOptions, JobState, NewJob } from "./job.ts";
import type { EnqueueOutcome } from "./store.ts";

export type Overlap = "allow" | "skip";
export type CatchUp = "one" | "none";

/** The job options a schedule may set for the jobs it enqueues (payload and idempotency are its own). */
export type ScheduleJobOptions = Pick<EnqueueOptions, "key" | "priority" | "maxAttempts" | "backoff" | "timeoutMs" | "delayMs">;

/** What an operator defines. Exactly one of `cron` and `every` is set. */
export type ScheduleDefinition = {
  name: string;
  cron: string | null;
  every: string | null;
  timezone: string;
  queue: string;
  payload: unknown;
  jobOptions: ScheduleJobOptions;
  enabled: boolean;
  overlap: Overlap;
  catchUp: CatchUp;
};

/** A schedule as stored: its definition plus the state the scheduler keeps. Times are epoch ms. */
export type Schedule = ScheduleDefinition & {
  builtin: boolean;
  /** The next fire time the scheduler will act on; null while paused. */
  nextFireAt: number | null;
  lastFireAt: number | null;
  lastJobId: string | null;
  /** The latest result a maintenance task recorded for this schedule (see scheduleRecord). */
  lastResult: unknown;
  lastResultAt: number | null;
  /** Bumped by every edit and every fire: the guard of schedulePut and scheduleFire. */
  revision: number;
  createdAt: number;
  updatedAt: number;
};

/** fired: a job was enqueued · skipped: not fired, the previous job was unfinished · missed: not fired, spool was down. */
export type ScheduleRunKind = "fired" | "skipped" | "missed";

/** What the job of a run became: read live from the job, or as it was when the job was deleted. */
export type ScheduleRunJob = { state: JobState; finishedAt: number | null; error: string | null; deleted: boolean };

export type ScheduleRun = {
  id: string;
  schedule: string;
  kind: ScheduleRunKind;
  /** The fire time, or the first of a range of skipped/missed fire times. */
  fireTime: number;
  lastFireTime: number;
  /** How many fire times this entry stands for (a cron's missed runs are counted up to 1000). */
  count: number;
  /** Fired by an operator's trigger rather than the clock. */
  manual: boolean;
  /** Fired late, once, for runs missed while spool was down (catchUp "one"). */
  catchUp: boolean;
  /** The enqueued job (fired), or the unfinished job that caused the skip (skipped). */
  jobId: string | null;
  job: ScheduleRunJob | null;
  at: number;
};

export type ScheduleRunInput = {
  kind: ScheduleRunKind;
  fireTime: number;
  lastFireTime?: number;
  count?: number;
  manual?: boolean;
  catchUp?: boolean;
  /** For a skip, the unfinished job; a fired run records the job it enqueued. */
  jobId?: string | null;
};

export type ScheduleFireParams = {
  name: string;
  /** Guard: the schedule still has this revision and this nextFireAt. */
  expectedRevision: number;
  expectedNextFireAt: number | null;
  nextFireAt: number | null;
  /** The job to enqueue (idempotently, by its key); the run of kind "fired" records it. */
  job: NewJob | null;
  runs: ScheduleRunInput[];
  /** History entries kept per schedule; older ones are dropped. */
  historyKeep: number;
  now: number;
};

export type ScheduleFireOutcome = { schedule: Schedule; job: EnqueueOutcome | null };

export type NewSchedule = ScheduleDefinition & { builtin: boolean; nextFireAt: number | null };

export type FinishedState = "completed" | "failed" | "cancelled";

export type JobsPruneParams = {
  queue: string;
  state: FinishedState;
  /** Deletes only jobs that finished strictly before this time. */
  finishedBefore: number;
  limit: number;
  now: number;
  /**
   * Where the previous batch of the same pass (same queue, state and cutoff) stopped looking
   * (its outcome's `resumeAfter`): what it kept before then is kept again, so a store need not
   * read it again. Absent: from the start.
   */
  resumeAfter?: string | null;
};

/** Jobs deleted and the bytes of job data they held. */
/** `resumeAfter`: pass it to the pass's next batch (null: nothing read yet, start from the first). */
export type JobsPruneOutcome = { deleted: number; bytes: number; resumeAfter: string | null };

export interface ScheduleStore {
  scheduleGet(p: { name: string }): Promise<Schedule | null>;
  /** Every schedule, by name. */
  schedulesList(): Promise<Schedule[]>;
  /** Enabled schedules whose nextFireAt is at or before `now`, earliest first. */
  schedulesDue(p: { now: number; limit: number }): Promise<Schedule[]>;
  /** Creates a schedule; null when the name is taken. */
  scheduleCreate(p: { schedule: NewSchedule; now: number }): Promise<Schedule | null>;
  /** Replaces an existing schedule's definition and nextFireAt; null when it is gone or its revision moved on. */
  schedulePut(p: { schedule: ScheduleDefinition; nextFireAt: number | null; expectedRevision: number; now: number }): Promise<Schedule | null>;
  /** Deletes a schedule and its history; false when unknown. */
  scheduleDelete(p: { name: string; now: number }): Promise<boolean>;
  /**
   * Atomically: when the schedule still has `expectedRevision` and `expectedNextFireAt`,
   * enqueue `job` (if any), set nextFireAt, and append `runs` to the history (a skip behind
   * the same job as the latest entry extends that entry). Null when the guard fails.
   */
  scheduleFire(p: ScheduleFireParams): Promise<ScheduleFireOutcome | null>;
  /** History, newest first, each run with its job's outcome. */
  scheduleRunsList(p: { name: string; limit: number }): Promise<ScheduleRun[]>;
  /** Records the latest result of the schedule's task; false when the schedule is unknown. */
  scheduleRecord(p: { name: string; result: unknown; now: number }): Promise<boolean>;
  /**
   * Deletes up to `limit` jobs of one queue in one finished state that finished before
   * `finishedBefore`, oldest first. A failed job that holds a blocked lane is kept: only an
   * operator's retry or skip releases that lane.
   */
  jobsPrune(p: JobsPruneParams): Promise<JobsPruneOutcome>;
}
