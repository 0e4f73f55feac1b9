/**
 * worker_down (error): a queue has runnable jobs, no push target, and no worker of it seen lately.
 * A queue no worker has ever been seen taking gets the same time from when its jobs were first
 * seen runnable (unservedSince), so jobs enqueued just before their workers start raise nothing.
 */
import type { AlertRule, QueueInput, RuleInput } from "./rule.ts";

/** A queue that a worker of its own must serve now: runnable jobs, not paused, no push target delivering them. */
const needsWorker = (q: QueueInput, now: number) => !q.paused && !q.hasTarget && (q.counts.waiting > 0 || (q.nextRunAt !== null && q.nextRunAt <= now));

/** When each queue with runnable jobs that no known worker takes was first seen so; the others leave `since`. */
export function trackUnserved(input: Pick<RuleInput, "queues" | "workers" | "now">, since: Map<string, number>): void {
  const served = new Set(input.workers.flatMap((w) => w.queues));
  const unserved = new Set(input.queues.filter((q) => needsWorker(q, input.now) && !served.has(q.name)).map((q) => q.name));
  for (const queue of since.keys()) if (!unserved.has(queue)) since.delete(queue);
  for (const queue of unserved) if (!since.has(queue)) since.set(queue, input.now);
}

export const workerDown: AlertRule = {
  type: "worker_down",
  evaluate: (input: RuleInput, t) =>
    input.queues
      .filter((q) => needsWorker(q, input.now))
      .filter((q) => !input.workers.some((w) => w.queues.includes(q.name) && input.now - w.lastSeenAt <= t.workerDownMs))
      .flatMap((q) => {
        const last = Math.max(-Infinity, ...input.workers.filter((w) => w.queues.includes(q.name)).map((w) => w.lastSeenAt));
        const waited = Number.isFinite(last) ? input.now - last : input.now - (input.unservedSince[q.name] ?? input.now);
        if (!Number.isFinite(last) && waited < t.workerDownMs) return [];
        // A worker's record lists the queues it claimed from in the last 30 s (or those it names): one that moved on no longer counts here.
        const seen = Number.isFinite(last)
          ? `has been seen for ${Math.round(waited / 1000)} s`
          : `is known (its jobs have waited ${Math.round(waited / 1000)} s)`;
        return [{
          rule: "worker_down",
          subject: q.name,
          severity: "error",
          message: `queue ${q.name} has runnable jobs but no worker taking its jobs ${seen}`,
          value: Number.isFinite(last) ? waited : null,
          threshold: t.workerDownMs,
        }];
      }),
};
