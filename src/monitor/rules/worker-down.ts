/** worker_down (error): a queue has runnable jobs, no push target, and no worker of it seen lately. */
import type { AlertRule, QueueInput, RuleInput } from "./rule.ts";

const runnable = (q: QueueInput, now: number) => q.counts.waiting > 0 || (q.nextRunAt !== null && q.nextRunAt <= now);

export const workerDown: AlertRule = {
  type: "worker_down",
  evaluate: (input: RuleInput, t) =>
    input.queues
      .filter((q) => !q.paused && !q.hasTarget && runnable(q, input.now))
      .filter((q) => !input.workers.some((w) => w.queues.includes(q.name) && input.now - w.lastSeenAt <= t.workerDownMs))
      .map((q) => {
        const last = Math.max(-Infinity, ...input.workers.filter((w) => w.queues.includes(q.name)).map((w) => w.lastSeenAt));
        // A worker's record lists the queues of its last claim: one that moved to other queues no longer counts here.
        const seen = Number.isFinite(last) ? `has been seen for ${Math.round((input.now - last) / 1000)} s` : "is known";
        return {
          rule: "worker_down",
          subject: q.name,
          severity: "error",
          message: `queue ${q.name} has runnable jobs but no worker taking its jobs ${seen}`,
          value: Number.isFinite(last) ? input.now - last : null,
          threshold: t.workerDownMs,
        };
      }),
};
