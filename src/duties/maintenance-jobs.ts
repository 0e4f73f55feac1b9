/**
 * The maintenance queue's jobs: each runs the scheduled duties of the task its built-in
 * schedule names, on a worker of the server that claimed it.
 */
import { validationFailed } from "../core/errors.ts";
import type { Job } from "../core/job.ts";
import { MAINTENANCE_QUEUE, scheduleOfTask } from "../scheduler/builtins.ts";
import { fireOfKey } from "../scheduler/fire-plan.ts";
import type { JobRunner } from "../workers/job-runner.ts";
import type { Spool } from "../workers/spool.ts";
import { scheduledDuties } from "./all-duties.ts";
import type { MaintenanceContext, ScheduledDuty } from "./duty.ts";

/** The tasks the built-in schedules name, each with its duties in list order. */
export const maintenanceTasks: ReadonlyMap<string, readonly ScheduledDuty[]> = Map.groupBy(scheduledDuties, (d) => d.trigger.task);

/** The task a maintenance job asks for (`payload.task`). */
export function taskOf(job: Job): string {
  const task = (job.payload as { task?: unknown } | null)?.task;
  if (typeof task !== "string") throw validationFailed(`job ${job.id} names no maintenance task (payload.task)`);
  return task;
}

/**
 * Runs the job's task — its duties one after another, their results merged — and returns the
 * result; it is also kept as the latest result of the task's built-in schedule (`lastResult`),
 * where monitoring reads it.
 */
export async function runMaintenanceJob(job: Job, ctx: MaintenanceContext): Promise<unknown> {
  const name = taskOf(job);
  const duties = maintenanceTasks.get(name);
  if (!duties) throw validationFailed(`unknown maintenance task "${name}" (known: ${[...maintenanceTasks.keys()].join(", ")})`);
  let result = {};
  const fired = { ...ctx, firedAt: fireOfKey(job.idempotencyKey)?.fireTime ?? null };
  for (const duty of duties) result = { ...result, ...(await duty.run(fired)) };
  await ctx.service.store.scheduleRecord({ name: scheduleOfTask(name), result, now: ctx.service.clock.now() });
  return result;
}

/** Runs the maintenance queue's jobs in-process, one slot per task, so a long retention run never holds up a health check. */
export function startMaintenanceWorker(spool: Spool, p: Omit<MaintenanceContext, "service">): JobRunner {
  const ctx: MaintenanceContext = { ...p, service: spool.service };
  return spool.work(MAINTENANCE_QUEUE, (job) => runMaintenanceJob({ ...job, leaseToken: null }, ctx), {
    concurrency: maintenanceTasks.size,
    name: "spool maintenance",
  });
}
