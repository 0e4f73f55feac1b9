/** spool's own maintenance schedules, created at start when missing and otherwise left as the operator set them. */
import type { Schedule, ScheduleDefinition } from "../core/schedule-store.ts";
import type { Store } from "../core/store.ts";
import { nextFireAfter } from "./timing.ts";

/** The queue built-in schedules fire into; payload `{task}` names the maintenance task. */
export const MAINTENANCE_QUEUE = "spool:maintenance";
/** Schedule names with this prefix belong to spool. */
export const BUILTIN_PREFIX = "spool:";

export type MaintenanceTaskName = "retention" | "disk-check" | "health" | "daily-report";

/** The schedule name that runs a maintenance task. */
export const scheduleOfTask = (task: string) => `${BUILTIN_PREFIX}${task}`;

function builtin(task: MaintenanceTaskName, timing: { cron?: string; every?: string }, extra: Partial<ScheduleDefinition>, timezone: string): ScheduleDefinition {
  return {
    name: scheduleOfTask(task),
    cron: timing.cron ?? null,
    every: timing.every ?? null,
    timezone,
    queue: MAINTENANCE_QUEUE,
    payload: { task },
    jobOptions: {},
    enabled: true,
    // A maintenance run never piles up behind a slow or stuck one.
    overlap: "skip",
    catchUp: "one",
    ...extra,
  };
}

/** The built-in schedules; daily times are read in `timezone` (the server's own zone by default). */
export function builtinSchedules(timezone: string): ScheduleDefinition[] {
  return [
    builtin("retention", { cron: "0 4 * * *" }, {}, timezone),
    builtin("daily-report", { cron: "0 2 * * *" }, {}, timezone),
    builtin("disk-check", { cron: "15 * * * *" }, { jobOptions: { maxAttempts: 1 } }, timezone),
    builtin("health", { every: "30s" }, { jobOptions: { maxAttempts: 1 }, catchUp: "none" }, timezone),
  ];
}

export function localTimezone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
}

/** Creates the built-in schedules that do not exist yet; returns those it created. */
export async function ensureBuiltins(p: { store: Store; now: number; timezone?: string }): Promise<Schedule[]> {
  const created: Schedule[] = [];
  for (const def of builtinSchedules(p.timezone ?? localTimezone())) {
    const nextFireAt = nextFireAfter(def, p.now);
    const schedule = await p.store.scheduleCreate({ schedule: { ...def, builtin: true, nextFireAt }, now: p.now });
    if (schedule) created.push(schedule);
  }
  return created;
}
