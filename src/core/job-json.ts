/**
 * A job as JSON, the one public shape every reader gets (the HTTP API, SSE, push deliveries):
 * ISO 8601 times, no lease secret except for the worker that claimed it.
 */
import { isoOrNull as iso } from "./iso-time.ts";
import type { Job } from "./job.ts";

/** A job for any reader: the lease token is never shown, only who holds the job and until when. */
export function renderJob(job: Job) {
  return {
    id: job.id,
    queue: job.queue,
    key: job.key,
    payload: job.payload,
    priority: job.priority,
    state: job.state,
    runAt: iso(job.runAt)!,
    attempts: job.attempts,
    maxAttempts: job.maxAttempts,
    backoff: job.backoff,
    timeoutMs: job.timeoutMs,
    idempotencyKey: job.idempotencyKey,
    progress: job.progress,
    checkpoint: job.checkpoint,
    result: job.result,
    errors: job.errors.map((e) => ({ ...e, at: iso(e.at)! })),
    workerId: job.workerId,
    leaseExpiresAt: iso(job.leaseExpiresAt),
    cancelRequested: job.cancelRequested,
    createdAt: iso(job.createdAt)!,
    startedAt: iso(job.startedAt),
    finishedAt: iso(job.finishedAt),
  };
}

/** A job handed to the worker that claimed it, with its lease. */
export function renderClaimed(job: Job) {
  return { ...renderJob(job), lease: { token: job.leaseToken!, expiresAt: iso(job.leaseExpiresAt)! } };
}
