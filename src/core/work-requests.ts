/**
 * What workers and operators hand the queue service: the limits it holds them to, the shapes of
 * their requests and outcomes, and the checks that refuse a bad one before anything changes.
 */
import { validationFailed } from "./errors.ts";
import { jsonValueProblem } from "./json-value.ts";
import type { Job, Progress } from "./job.ts";
import type { CompleteItem } from "./store.ts";

export const DEFAULT_LEASE_MS = 30_000;
export const MAX_LEASE_MS = 3_600_000;
export const MAX_WAIT_MS = 30_000;
export const MAX_CLAIM = 1000;
/** The most jobs a worker may say it runs at once (a claim's `concurrency`, an in-process worker's). */
export const MAX_WORKER_CONCURRENCY = 10_000;
export const MAX_BATCH = 1000;

export type ClaimRequest = {
  queue: string;
  workerId: string;
  max?: number;
  leaseMs?: number;
  waitMs?: number;
  signal?: AbortSignal;
};

export type FailRequest = {
  id: string;
  token: string;
  error: { message: string; type?: string; stack?: string };
  retry?: boolean;
  retryInMs?: number;
};

/** A job a worker just ran, reported with its next claim: completed (no `error`) or failed. */
export type FinishedItem = CompleteItem | (FailRequest & { id: string });

export type CompleteOutcome = { id: string; outcome: "completed" | "lease_lost" };

export type FinishOutcome = { id: string; outcome: "completed" | "failed" | "retrying" | "lease_lost" };

export type HeartbeatRequest = { id: string; token: string; extendMs?: number; progress?: Progress; checkpoint?: unknown };

/**
 * A bulk action's size: without `limit` it handles every matching job; with it, at most that
 * many, so a caller can run it in bounded batches and report progress between them.
 */
export type BulkOptions = { limit?: number };

export function checkLimit(limit: number | undefined): number | undefined {
  if (limit !== undefined && (!Number.isInteger(limit) || limit < 1)) {
    throw validationFailed(`limit must be a whole number ≥ 1 (got ${limit})`, [{ path: "limit", message: "must be an integer ≥ 1" }]);
  }
  return limit;
}

/** Refuses a completion batch that is too long or carries a result that is not storable JSON. */
export function checkCompletions(items: CompleteItem[]): void {
  if (items.length > MAX_BATCH) throw validationFailed(`a batch holds at most ${MAX_BATCH} items (got ${items.length})`);
  items.forEach((item, i) => checkJsonField(item.result, `items.${i}.result`));
}

/** Refuses a result or checkpoint that is not storable JSON (DESIGN §10), naming the field. */
export function checkJsonField(value: unknown, path: string): void {
  const problem = jsonValueProblem(value);
  if (problem) throw validationFailed(`${path} ${problem}`, [{ path, message: problem }]);
}

/**
 * True when this very token already failed the job: the attempt ended (for good, or waiting for
 * a retry) and the job still carries the token that ended it, so a resent failure is answered
 * with the same success (DESIGN §1). Once the job runs again it holds a new token.
 */
export function failedWith(job: Job, token: string): boolean {
  return job.leaseToken === token && (job.state === "failed" || job.state === "cancelled" || job.state === "waiting" || job.state === "delayed");
}
