/**
 * A job as JSON, the one public shape every reader gets (the HTTP API, SSE, push deliveries):
 * ISO 8601 times, no lease secret except for the worker that claimed it.
 */
import { isoOrNull as iso } from "./iso-time.ts";
import type { Job } from "./job.ts";
import { payloadJson } from "./payload-text.ts";

/** The fields before the payload, in the order a job is shown. */
const head = (job: Job) => ({ id: job.id, queue: job.queue, key: job.key });

/** The fields after the payload. */
function tail(job: Job) {
  return {
    priority: job.priority,
    state: job.state,
    runAt: iso(job.runAt)!,
    attempts: job.attempts,
    maxAttempts: job.maxAttempts,
    givenBack: job.givenBack,
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

const lease = (job: Job) => ({ lease: { token: job.leaseToken!, expiresAt: iso(job.leaseExpiresAt)! } });

/** A job for any reader: the lease token is never shown, only who holds the job and until when. */
export function renderJob(job: Job) {
  return { ...head(job), payload: job.payload, ...tail(job) };
}

/** renderJob as JSON text, its payload as stored when nothing has read it (src/core/payload-text.ts). */
export function jobJson(job: Job): string {
  return spliced(head(job), payloadJson(job), tail(job));
}

/** A job handed to the worker that claimed it, with its lease, as JSON text (its payload as stored when nothing has read it). */
export function claimedJson(job: Job): string {
  return spliced(head(job), payloadJson(job), { ...tail(job), ...lease(job) });
}

/** `{...before, payload, ...after}` as JSON text, with the payload's text put in as it is. */
function spliced(before: object, payload: string, after: object): string {
  return `${JSON.stringify(before).slice(0, -1)},"payload":${payload},${JSON.stringify(after).slice(1)}`;
}
