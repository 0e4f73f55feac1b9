/** What one scheduler pass does with a due schedule: fire, skip for overlap, or record missed runs. */
import { resolveEnqueue, SCHEDULE_KEY_PREFIX } from "../core/enqueue.ts";
import type { NewJob } from "../core/job.ts";
import type { JobDefaults } from "../core/queue-config.ts";
import type { Schedule, ScheduleRunInput } from "../core/schedule-store.ts";
import { dueFires, nextFireAfter } from "./timing.ts";

/**
 * A fire time further in the past than this was missed (spool was down or stalled), and
 * `catchUp` decides whether it still fires; a closer one is simply this pass's fire.
 */
export const MISS_GRACE_MS = 60_000;
/** History entries kept per schedule. */
export const HISTORY_KEEP = 100;

export type FirePlan = {
  /** The fire time to enqueue a job for, or null when this pass enqueues nothing. */
  fireTime: number | null;
  runs: ScheduleRunInput[];
  nextFireAt: number | null;
};

/**
 * The plan for a schedule whose nextFireAt is due at `now`. At most one job per pass: when
 * several fire times are due, the earlier ones are recorded as missed and only the latest
 * may fire — on time, or late once when catchUp is "one".
 */
export function planDueFire(s: Schedule, now: number, previousJobUnfinished: boolean): FirePlan {
  const first = s.nextFireAt!;
  const due = dueFires(s, first, now);
  const runs: ScheduleRunInput[] = [];
  if (due.count > 1) runs.push({ kind: "missed", fireTime: first, lastFireTime: due.previous!, count: due.count - 1 });
  const late = now - due.latest > MISS_GRACE_MS;
  let fireTime: number | null = null;
  if (late && s.catchUp === "none") {
    // The latest joins the earlier ones: one entry for the whole downtime.
    runs.splice(0, 1, { kind: "missed", fireTime: first, lastFireTime: due.latest, count: due.count });
  } else if (s.overlap === "skip" && previousJobUnfinished) {
    runs.push({ kind: "skipped", fireTime: due.latest, jobId: s.lastJobId });
  } else {
    runs.push({ kind: "fired", fireTime: due.latest, catchUp: late });
    fireTime = due.latest;
  }
  return { fireTime, runs, nextFireAt: nextFireAfter(s, now) };
}

/** The idempotency key of a fire: the same fire time can only ever enqueue one job. */
export function fireKey(name: string, fireTime: number): string {
  return `${SCHEDULE_KEY_PREFIX}${name}:${new Date(fireTime).toISOString()}`;
}

/** The schedule and fire time an idempotency key names (fireKey's inverse); null for any other key. */
export function fireOfKey(key: string | null): { name: string; fireTime: number } | null {
  const m = key?.match(/^schedule:(.+):(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)$/);
  return m ? { name: m[1]!, fireTime: Date.parse(m[2]!) } : null;
}

/** The job a fire enqueues: the schedule's payload and job options over the queue's defaults. */
export function fireJob(s: Schedule, fireTime: number, defaults: JobDefaults, now: number): NewJob {
  const options = { ...s.jobOptions, payload: s.payload, idempotencyKey: fireKey(s.name, fireTime) };
  return resolveEnqueue(s.queue, [options], defaults, now)[0]!;
}
