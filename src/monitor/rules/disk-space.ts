/** disk_space (warning > 80 %, critical > 90 %): how full the data folder's volume is. */
import type { AlertRule } from "./rule.ts";

export const diskSpace: AlertRule = {
  type: "disk_space",
  evaluate: (input, t) => {
    if (!input.disk) return [];
    const used = input.disk.usedPercent;
    const severity = used > t.diskCriticalPercent ? "critical" : used > t.diskWarningPercent ? "warning" : null;
    if (!severity) return [];
    const threshold = severity === "critical" ? t.diskCriticalPercent : t.diskWarningPercent;
    return [{
      rule: "disk_space",
      subject: "disk",
      severity,
      message: `the data volume is ${used} % full (threshold ${threshold} %)`,
      value: used,
      threshold,
    }];
  },
};
