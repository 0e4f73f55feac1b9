/** The maintenance tasks built-in schedules run, by name, and running one for a job of the maintenance queue. */
import type { Clock } from "../../core/clock.ts";
import { validationFailed } from "../../core/errors.ts";
import type { Job } from "../../core/job.ts";
import type { QueueService } from "../../core/queue-service.ts";
import { scheduleOfTask } from "../builtins.ts";
import { diskCheck, type DiskThresholds } from "./disk-check.ts";
import { retention } from "./retention.ts";

export type MaintenanceContext = {
  service: QueueService;
  clock: Clock;
  /** The data folder: disk-check measures its volume, reports are written under it. */
  dataDir: string;
  diskThresholds?: DiskThresholds;
  /** The tasks this process can run (default: maintenanceTasks); `spool serve` adds monitoring's. */
  tasks?: ReadonlyMap<string, MaintenanceTask>;
};

/** A task returns the JSON that becomes its job's result. */
export type MaintenanceTask = (ctx: MaintenanceContext) => Promise<unknown>;

/** The scheduler's own tasks, by name; monitoring's "health" and "daily-report" come from monitorTasks(). */
export const maintenanceTasks = new Map<string, MaintenanceTask>([
  ["retention", (ctx) => retention(ctx)],
  ["disk-check", (ctx) => diskCheck(ctx)],
]);

/** The task a maintenance job asks for (`payload.task`). */
export function taskOf(job: Job): string {
  const task = (job.payload as { task?: unknown } | null)?.task;
  if (typeof task !== "string") throw validationFailed(`job ${job.id} names no maintenance task (payload.task)`);
  return task;
}

/**
 * Runs the job's task and returns its result; the result is also kept as the latest result
 * of the task's built-in schedule (`lastResult`), where monitoring reads it.
 */
export async function runMaintenanceJob(job: Job, ctx: MaintenanceContext): Promise<unknown> {
  const name = taskOf(job);
  const tasks = ctx.tasks ?? maintenanceTasks;
  const task = tasks.get(name);
  if (!task) throw validationFailed(`unknown maintenance task "${name}" (known: ${[...tasks.keys()].join(", ")})`);
  const result = await task(ctx);
  await ctx.service.store.scheduleRecord({ name: scheduleOfTask(name), result, now: ctx.clock.now() });
  return result;
}
