/**
 * Which event each job change makes — the rule every store keeps, atomically with the change
 * (SQLite: change-log.ts calls this function; Redis: change_event in lua/lib/changes.lua). The
 * store contract checks every kind of change against this function, so no store can drift.
 *
 *   change                                   type           at              durationMs
 *   enqueued                                 job.enqueued   createdAt       —
 *   → active                                 job.started    startedAt       wait: startedAt − runAt
 *   → completed                              job.completed  finishedAt      run: finishedAt − startedAt
 *   → failed / cancelled                     job.<state>    finishedAt      —
 *   active → waiting/delayed (retry)         job.retrying   the error's at  —
 *   blocked → waiting/delayed (lane hand-on) job.<state>    the hand-on     —
 *   other → waiting/delayed/blocked          job.<state>    runAt           —
 *
 * errorType is the type of the error the change appended (a failed or retried attempt, or a
 * cancel that ended a failing one). What each event counts in the aggregates is
 * src/core/event-counting.ts.
 */
import type { Job, JobError, JobState } from "./job.ts";
import type { JobEventType } from "./monitor-store.ts";

/** The event fields a change decides (the rest — queue, key, job id, attempt — are the job's). */
export type ChangeEvent = { type: JobEventType; at: number; state: JobState; prevState: JobState | null; durationMs: number | null; errorType: string | null };

/** What the rule reads of the job as it is after the change: its last error is the one the change appended, if any. */
export type ChangedJob = Pick<Job, "state" | "runAt" | "createdAt" | "startedAt" | "finishedAt"> & { errors: readonly Pick<JobError, "type" | "at">[] };

/**
 * The event of a change from `from` (null: the job was just enqueued) to the job as it is
 * after the change. `handOnAt` is when the lane was handed to it (blocked → waiting/delayed).
 */
export function eventOfChange(from: JobState | null, job: ChangedJob, handOnAt?: number): ChangeEvent {
  const to = job.state;
  const base = { state: to, prevState: from, durationMs: null, errorType: null };
  if (from === null) return { ...base, type: "job.enqueued", at: job.createdAt };
  const appended = from === "active" && to !== "completed" ? (job.errors.at(-1) ?? null) : null;
  const errorType = appended?.type ?? null;
  if (to === "active") return { ...base, type: "job.started", at: job.startedAt!, durationMs: Math.max(0, job.startedAt! - job.runAt) };
  if (to === "completed") return { ...base, type: "job.completed", at: job.finishedAt!, durationMs: Math.max(0, job.finishedAt! - job.startedAt!) };
  if (to === "failed" || to === "cancelled") return { ...base, type: `job.${to}`, at: job.finishedAt!, errorType };
  if (from === "active") return { ...base, type: "job.retrying", at: appended!.at, errorType };
  if (from === "blocked" && handOnAt !== undefined) return { ...base, type: `job.${to}`, at: handOnAt };
  return { ...base, type: `job.${to}`, at: job.runAt };
}
