/** stalled_jobs (warning): leases expired in a queue over the last hour (workers crashed or hung). */
import type { AlertRule } from "./rule.ts";

export const stalledJobs: AlertRule = {
  type: "stalled_jobs",
  evaluate: (input, t) =>
    Object.entries(input.lastHour)
      .filter(([, c]) => c.expired >= t.stalledJobs)
      .map(([queue, c]) => ({
        rule: "stalled_jobs",
        subject: queue,
        severity: "warning",
        message: `queue ${queue}: ${c.expired} lease${c.expired === 1 ? "" : "s"} expired in the last hour`,
        value: c.expired,
        threshold: t.stalledJobs,
      })),
};
