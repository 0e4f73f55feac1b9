/** failure_rate (warning ≥ 10 %, critical ≥ 50 %): failed / finished in a queue over the last hour, with enough finished. */
import { percent, type AlertRule } from "./rule.ts";

export const failureRate: AlertRule = {
  type: "failure_rate",
  evaluate: (input, t) =>
    Object.entries(input.lastHour).flatMap(([queue, c]) => {
      const finished = c.completed + c.failed;
      if (finished < t.failureRateMinFinished) return [];
      const rate = c.failed / finished;
      const severity = rate >= t.failureRateCritical ? "critical" : rate >= t.failureRateWarning ? "warning" : null;
      if (!severity) return [];
      const threshold = severity === "critical" ? t.failureRateCritical : t.failureRateWarning;
      return [{
        rule: "failure_rate",
        subject: queue,
        severity,
        message: `queue ${queue}: ${percent(rate)} of the last hour's ${finished} finished jobs failed (threshold ${percent(threshold)})`,
        value: rate,
        threshold,
      }];
    }),
};
