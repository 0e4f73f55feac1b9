/** The maintenance tasks monitoring adds: "health" (spool:health) and "daily-report" (spool:daily-report). */
import type { MaintenanceTask } from "../scheduler/maintenance/tasks.ts";
import type { Monitor } from "./monitor.ts";

/** The tasks, run with this monitor (its config and channels). */
export function monitorTasks(monitor: Monitor): [string, MaintenanceTask][] {
  return [
    ["health", () => monitor.healthTick()],
    [
      "daily-report",
      async () => {
        const { report, file } = await monitor.dailyReport();
        return { date: report.date, file, completed: report.totals.completed, failed: report.totals.failed };
      },
    ],
  ];
}
