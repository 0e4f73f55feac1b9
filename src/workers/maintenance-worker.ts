/** Runs spool's own maintenance jobs (queue spool:maintenance, payload {task}) with the in-process runner. */
import type { MaintenanceContext } from "../duties/duty.ts";
import { maintenanceTasks, runMaintenanceJob } from "../duties/maintenance-jobs.ts";
import { MAINTENANCE_QUEUE } from "../scheduler/builtins.ts";
import type { JobRunner } from "./job-runner.ts";
import type { Spool } from "./spool.ts";

/** One slot per task, so a long retention run never holds up a health check. */
export function startMaintenanceWorker(spool: Spool, p: Omit<MaintenanceContext, "service">): JobRunner {
  const ctx: MaintenanceContext = { ...p, service: spool.service };
  return spool.work(MAINTENANCE_QUEUE, (job) => runMaintenanceJob({ ...job, leaseToken: null }, ctx), {
    concurrency: maintenanceTasks.size,
    name: "spool maintenance",
  });
}
