/** The maintenance tasks monitoring adds: "health" (spool:health) and "daily-report" (spool:daily-report). */
import type { Store } from "../core/store.ts";
import { maintenanceTasks, type MaintenanceContext } from "../scheduler/maintenance/tasks.ts";
import { Monitor } from "./monitor.ts";

const monitors = new WeakMap<Store, Monitor>();

/** Makes this monitor (its config and channels) the one maintenance jobs of its store run with. */
export function attachMonitor(monitor: Monitor): void {
  monitors.set(monitor.store, monitor);
}

/** The attached monitor of the job's store, or one with default settings. */
function monitorOf(ctx: MaintenanceContext): Monitor {
  const store = ctx.service.store;
  let monitor = monitors.get(store);
  if (!monitor) {
    monitor = new Monitor({ store, clock: ctx.clock, dataDir: ctx.dataDir });
    monitors.set(store, monitor);
  }
  return monitor;
}

/** Adds the tasks to the registry; call before the maintenance worker starts. */
export function registerMonitorTasks(): void {
  maintenanceTasks.set("health", (ctx) => monitorOf(ctx).healthTick());
  maintenanceTasks.set("daily-report", async (ctx) => {
    const { report, file } = await monitorOf(ctx).dailyReport();
    return { date: report.date, file, completed: report.totals.completed, failed: report.totals.failed };
  });
}
