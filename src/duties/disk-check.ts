/** Disk check (spool:disk-check, hourly at :15): how full the data folder's volume is. */
import { diskUsage, type DiskCheckResult } from "../monitor/disk-usage.ts";
import type { ScheduledDuty } from "./duty.ts";

export const diskCheck: ScheduledDuty = {
  name: "disk-check",
  trigger: { kind: "schedule", task: "disk-check" },
  storeCalls: [],
  async run({ service, dataDir, monitor }): Promise<DiskCheckResult> {
    // The thresholds the disk_space alert and /v1/health use (--alert-thresholds), so the three agree.
    const t = monitor.config.thresholds;
    return diskUsage(dataDir, service.clock.now(), { warningPercent: t.diskWarningPercent, criticalPercent: t.diskCriticalPercent });
  },
};
