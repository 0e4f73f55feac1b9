/** Runs spool's own maintenance jobs (queue spool:maintenance, payload {task}) with the in-process runner. */
import { MAINTENANCE_QUEUE } from "../scheduler/builtins.ts";
import { maintenanceTasks, runMaintenanceJob, type MaintenanceContext } from "../scheduler/maintenance/tasks.ts";
import type { JobRunner } from "./job-runner.ts";
import type { Spool } from "./spool.ts";

/** One slot per task, so a long retention run never holds up a health check. */
export function startMaintenanceWorker(spool: Spool, p: Omit<MaintenanceContext, "service" | "clock">): JobRunner {
  const ctx: MaintenanceContext = { ...p, service: spool.service, clock: spool.service.clock };
  return spool.work(MAINTENANCE_QUEUE, (job) => runMaintenanceJob({ ...job, leaseToken: null }, ctx), {
    concurrency: Math.max(1, (ctx.tasks ?? maintenanceTasks).size),
    name: "spool maintenance",
  });
}
