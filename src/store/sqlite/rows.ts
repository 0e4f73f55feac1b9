/** Mapping between job rows and Job objects. */
import type { Job, JobState } from "../../core/job.ts";
import { withStoredPayload } from "../../core/payload-text.ts";

export type JobRow = {
  id: number;
  queue: string;
  key: string | null;
  payload: string;
  priority: number;
  state: string;
  run_at: number;
  attempts: number;
  max_attempts: number;
  given_back: number;
  backoff: string;
  timeout_ms: number | null;
  idempotency_key: string | null;
  progress: string | null;
  checkpoint: string | null;
  result: string | null;
  errors: string;
  worker_id: string | null;
  lease_token: string | null;
  lease_expires_at: number | null;
  deadline_at: number | null;
  cancel_requested: number;
  created_at: number;
  started_at: number | null;
  finished_at: number | null;
};

const parse = (text: string | null): any => (text === null ? null : JSON.parse(text));

/** JSON text for a column; undefined (no value) is stored as SQL NULL. */
export const json = (value: unknown): string | null => (value === undefined ? null : JSON.stringify(value));

/** The job a row holds; its payload is parsed when first read (src/core/payload-text.ts). */
export function toJob(row: JobRow): Job {
  const job: Job = {
    id: String(row.id),
    queue: row.queue,
    key: row.key,
    payload: null,
    priority: row.priority,
    state: row.state as JobState,
    runAt: row.run_at,
    attempts: row.attempts,
    maxAttempts: row.max_attempts,
    givenBack: row.given_back,
    backoff: parse(row.backoff),
    timeoutMs: row.timeout_ms,
    idempotencyKey: row.idempotency_key,
    progress: parse(row.progress),
    checkpoint: parse(row.checkpoint),
    result: parse(row.result),
    errors: parse(row.errors),
    workerId: row.worker_id,
    leaseToken: row.lease_token,
    leaseExpiresAt: row.lease_expires_at,
    deadlineAt: row.deadline_at,
    cancelRequested: row.cancel_requested === 1,
    createdAt: row.created_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
  };
  return withStoredPayload(job, row.payload);
}

/** Job ids are integers inside SQLite; anything else names no job. */
export function rowId(id: string): number | null {
  return /^[1-9][0-9]{0,15}$/.test(id) ? Number(id) : null;
}
