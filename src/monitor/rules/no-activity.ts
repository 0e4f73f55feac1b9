/** no_activity (warning): jobs were enqueued into a queue but none finished over the window (24 h by default). */
import type { AlertRule } from "./rule.ts";

export const noActivity: AlertRule = {
  type: "no_activity",
  evaluate: (input, t) =>
    Object.entries(input.activityBeforeGrace).flatMap(([queue, early]) => {
      const window = input.activityWindow[queue];
      if (early.enqueued === 0 || !window || window.completed + window.failed > 0) return [];
      const hours = Math.round(t.noActivityWindowMs / 3_600_000);
      return [{
        rule: "no_activity",
        subject: queue,
        severity: "warning",
        message: `queue ${queue}: ${window.enqueued} jobs enqueued in the last ${hours} h and none finished`,
        value: window.enqueued,
        threshold: t.noActivityWindowMs,
      }];
    }),
};
