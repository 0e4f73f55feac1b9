/** queue_backlog (warning): a queue has more waiting jobs than the threshold. */
import { spanText } from "../../core/duration.ts";
import type { AlertRule } from "./rule.ts";

export const queueBacklog: AlertRule = {
  type: "queue_backlog",
  evaluate: (input, t) =>
    input.queues
      .filter((q) => q.counts.waiting > t.queueBacklog)
      .map((q) => ({
        rule: "queue_backlog",
        subject: q.name,
        severity: "warning",
        message: `queue ${q.name} has ${q.counts.waiting} waiting job${q.counts.waiting === 1 ? "" : "s"} (more than ${t.queueBacklog})${
          q.oldestWaiting == null ? "" : `; the oldest has waited ${spanText(Math.max(0, input.now - q.oldestWaiting))}`
        }`,
        value: q.counts.waiting,
        threshold: t.queueBacklog,
      })),
};
