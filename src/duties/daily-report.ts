/** Daily report (spool:daily-report, 02:00): the report of the day before its fire, stored and written under the data folder's reports/daily/. */
import type { ScheduledDuty } from "./duty.ts";

export const dailyReport: ScheduledDuty = {
  name: "daily-report",
  trigger: { kind: "schedule", task: "daily-report" },
  storeCalls: [
    // the schedule's time zone, then the day's figures (spool's own queues, read to be left out of the totals)
    "scheduleGet", "statsTotals", "statsHistogram", "statsSeries", "statsErrors", "statsSlowest", "countsTotal", "queuesList", "reportPut",
  ],
  // The day before the fire it runs for: a run caught up after a downtime reports the day that fire was owed.
  async run({ monitor, firedAt }) {
    const { report, file } = await monitor.dailyReport({ asOf: firedAt ?? undefined });
    return { date: report.date, file, completed: report.totals.completed, failed: report.totals.failed };
  },
};
