/** Between Job objects and the job hashes the scripts keep and answer (keys.ts, JOB_FIELDS). */
import type { Job, JobError, JobState, NewJob } from "../../core/job.ts";
import { GIVEN_BACK } from "../../core/retry.ts";
import { withStoredPayload } from "../../core/payload-text.ts";

/** A job hash as a script answers it: a flat [field, value, …] list with "id" first. */
export type FlatJob = string[];

const parse = (text: string | undefined): any => (text === undefined ? null : JSON.parse(text));
const num = (text: string | undefined): number | null => (text === undefined ? null : Number(text));

export function toJob(flat: FlatJob): Job {
  const h: Record<string, string> = {};
  for (let i = 0; i < flat.length; i += 2) h[flat[i]!] = flat[i + 1]!;
  return fromHash(h.id!, h);
}

/** A job hash read with HGETALL (an object), as a Job; null when the hash is empty. */
export function hashToJob(id: string, hash: Record<string, string>): Job | null {
  return hash.queue ? fromHash(id, hash) : null;
}

/** Attempts given back, counted from a job's errors (JSON text): for hashes written before `gb`. */
function givenBackIn(errors: string | undefined): number {
  return errors === undefined ? 0 : (JSON.parse(errors) as JobError[]).filter((e) => e.type === GIVEN_BACK).length;
}

function fromHash(id: string, h: Record<string, string>): Job {
  const job: Job = {
    id,
    queue: h.queue!,
    key: h.key ?? null,
    payload: null,
    priority: Number(h.priority),
    state: h.state as JobState,
    runAt: Number(h.runAt),
    attempts: Number(h.attempts),
    maxAttempts: Number(h.maxAttempts),
    // A job written before `gb` existed counts its give-backs from its errors.
    givenBack: h.gb === undefined ? givenBackIn(h.errors) : Number(h.gb),
    backoff: parse(h.backoff),
    timeoutMs: num(h.timeoutMs),
    idempotencyKey: h.idem ?? null,
    progress: parse(h.progress),
    checkpoint: parse(h.checkpoint),
    result: parse(h.result),
    errors: parse(h.errors) ?? [],
    workerId: h.workerId ?? null,
    leaseToken: h.token ?? null,
    leaseExpiresAt: h.state === "active" ? num(h.leaseExp) : null,
    deadlineAt: num(h.deadline),
    cancelRequested: h.cancelReq === "1",
    createdAt: Number(h.createdAt),
    startedAt: num(h.startedAt),
    finishedAt: num(h.finishedAt),
  };
  return withStoredPayload(job, h.payload ?? "null");
}

/** A nullable string as scripts take it: "" for null, "=" and the value otherwise (lua/lib/basics.lua `opt`). */
export function opt(value: string | number | null | undefined): string {
  return value === null || value === undefined ? "" : `=${value}`;
}

/** JSON text of a value that may be absent (undefined → null, as the SQLite store stores it). */
export const jsonOf = (value: unknown): string => JSON.stringify(value === undefined ? null : value);

/** The nine script arguments of a new job (enqueue.lua); `payloadText` is its payload's JSON. */
export function newJobArgs(job: NewJob, payloadText = jsonOf(job.payload)): string[] {
  return [
    job.queue, opt(job.key), payloadText, String(job.priority), String(job.runAt), String(job.maxAttempts),
    JSON.stringify(job.backoff), opt(job.timeoutMs), opt(job.idempotencyKey),
  ];
}

/** Job ids are positive integers on Redis too; anything else names no job. */
export function isJobId(id: string): boolean {
  return /^[1-9][0-9]{0,15}$/.test(id);
}

/**
 * The job an enqueue just inserted, as a read of its hash would give it, made from what was sent
 * (`payloadText` is the payload's JSON as stored): enqueue.lua answers a new job's id and state only.
 */
export function insertedJob(job: NewJob, id: string, state: JobState, payloadText: string, now: number): Job {
  return {
    id, queue: job.queue, key: job.key, payload: JSON.parse(payloadText), priority: job.priority, state, runAt: job.runAt,
    attempts: 0, maxAttempts: job.maxAttempts, givenBack: 0, backoff: { ...job.backoff }, timeoutMs: job.timeoutMs,
    idempotencyKey: job.idempotencyKey, progress: null, checkpoint: null, result: null, errors: [], workerId: null,
    leaseToken: null, leaseExpiresAt: null, deadlineAt: null, cancelRequested: false, createdAt: now, startedAt: null, finishedAt: null,
  };
}
