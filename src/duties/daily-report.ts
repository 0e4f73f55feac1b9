/** Daily report (spool:daily-report, 02:00): yesterday's report, stored and written under the data folder's reports/daily/. */
import type { ScheduledDuty } from "./duty.ts";

export const dailyReport: ScheduledDuty = {
  name: "daily-report",
  trigger: { kind: "schedule", task: "daily-report" },
  storeCalls: [
    // the schedule's time zone, then the day's figures
    "scheduleGet", "statsTotals", "statsHistogram", "statsSeries", "statsErrors", "statsSlowest", "countsTotal", "reportPut",
  ],
  async run({ monitor }) {
    const { report, file } = await monitor.dailyReport();
    return { date: report.date, file, completed: report.totals.completed, failed: report.totals.failed };
  },
};
