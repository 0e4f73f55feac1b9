/** no_activity (warning): jobs were enqueued into a queue but none finished over the window (24 h by default). */
import { spanText } from "../../core/duration.ts";
import type { AlertRule } from "./rule.ts";

export const noActivity: AlertRule = {
  type: "no_activity",
  evaluate: (input, t) =>
    Object.entries(input.activityBeforeGrace).flatMap(([queue, early]) => {
      const window = input.activityWindow[queue];
      if (early.enqueued === 0 || !window || window.completed + window.failed > 0) return [];
      return [{
        rule: "no_activity",
        subject: queue,
        severity: "warning",
        message: `queue ${queue}: ${window.enqueued} ${window.enqueued === 1 ? "job" : "jobs"} enqueued in the last ${spanText(t.noActivityWindowMs)} and none finished`,
        value: window.enqueued,
        threshold: t.noActivityWindowMs,
      }];
    }),
};
