/** Retention (spool:retention, daily 04:00): deletes finished jobs past their queue's retention, in bounded batches. */
import type { QueueService } from "../core/queue-service.ts";
import type { Retention } from "../core/queue-config.ts";
import type { FinishedState } from "../core/schedule-store.ts";
import { MAINTENANCE_QUEUE } from "../scheduler/builtins.ts";
import type { ScheduledDuty } from "./duty.ts";

const DAY = 86_400_000;

/** Completed jobs are kept 30 days, failed and cancelled ones 7, unless the queue's `retention` says otherwise. */
export const DEFAULT_RETENTION: Required<Retention> = { completedMs: 30 * DAY, failedMs: 7 * DAY, cancelledMs: 7 * DAY };
/** spool's own maintenance queue fills with a health job every 30 s: its completed jobs are kept a day. */
export const MAINTENANCE_RETENTION: Required<Retention> = { completedMs: DAY, failedMs: 7 * DAY, cancelledMs: 7 * DAY };
/** Rows deleted per transaction, so claims and completes never wait long behind retention. */
export const RETENTION_BATCH = 500;

export type RetentionCounts = Record<FinishedState, number>;

export type RetentionResult = {
  deleted: RetentionCounts & { total: number };
  /** Bytes of job data deleted (payloads, results, errors, checkpoints); the file reuses the space. */
  bytesReclaimed: number;
  batches: number;
  /** Per queue, only queues that had something deleted. */
  queues: Record<string, RetentionCounts>;
};

const STATES: { state: FinishedState; field: keyof Retention }[] = [
  { state: "completed", field: "completedMs" },
  { state: "failed", field: "failedMs" },
  { state: "cancelled", field: "cancelledMs" },
];

/** How long a queue keeps its finished jobs, per state. */
export function retentionOf(queue: string, configured: Retention | null): Required<Retention> {
  const base = queue === MAINTENANCE_QUEUE ? MAINTENANCE_RETENTION : DEFAULT_RETENTION;
  return { ...base, ...(configured ?? {}) };
}

/**
 * Deletes, in every queue, the jobs that finished more than the retention period before
 * the pass started. Each batch is its own transaction; claims run in between.
 */
export async function pruneFinishedJobs(ctx: { service: QueueService; batchSize?: number }): Promise<RetentionResult> {
  const store = ctx.service.store;
  const now = ctx.service.clock.now();
  const limit = ctx.batchSize ?? RETENTION_BATCH;
  const result: RetentionResult = { deleted: { completed: 0, failed: 0, cancelled: 0, total: 0 }, bytesReclaimed: 0, batches: 0, queues: {} };
  for (const queue of await store.queuesList()) {
    const keep = retentionOf(queue.name, queue.retention);
    for (const { state, field } of STATES) {
      if (queue.counts[state] === 0) continue;
      const finishedBefore = now - keep[field];
      for (let resumeAfter: string | null = null; ; ) {
        const batch = await store.jobsPrune({ queue: queue.name, state, finishedBefore, limit, now, resumeAfter });
        resumeAfter = batch.resumeAfter;
        result.batches++;
        if (batch.deleted > 0) {
          const counts = (result.queues[queue.name] ??= { completed: 0, failed: 0, cancelled: 0 });
          counts[state] += batch.deleted;
          result.deleted[state] += batch.deleted;
          result.deleted.total += batch.deleted;
          result.bytesReclaimed += batch.bytes;
        }
        if (batch.deleted < limit) break;
      }
    }
  }
  return result;
}

export const retention: ScheduledDuty = {
  name: "retention",
  trigger: { kind: "schedule", task: "retention" },
  storeCalls: ["queuesList", "jobsPrune"],
  run: (ctx) => pruneFinishedJobs(ctx),
};
