/** Backoff delays and the decision whether a failed attempt runs again. */
import { DEFAULT_BACKOFF, MAX_DURATION_MS, type Backoff, type Job } from "./job.ts";
import type { RetryPolicy } from "./queue-config.ts";

export const MAX_BACKOFF_MS = 3_600_000;

export function resolveBackoff(partial: Partial<Backoff> | undefined, base: Backoff = DEFAULT_BACKOFF): Backoff {
  return { ...base, ...(partial ?? {}) };
}

/**
 * Delay before attempt `attempt + 1`, given that `attempt` attempts have run.
 * Exponential doubles from delayMs; jitter spreads it over [50 %, 100 %] so a burst of
 * failures does not retry in lockstep. Never more than maxDelayMs (default 1 h).
 */
export function backoffDelay(attempt: number, backoff: Backoff, random: () => number = Math.random): number {
  const cap = backoff.maxDelayMs ?? MAX_BACKOFF_MS;
  const raw = backoff.type === "fixed" ? backoff.delayMs : backoff.delayMs * 2 ** Math.max(0, attempt - 1);
  const capped = Math.min(raw, cap);
  return backoff.jitter ? Math.round(capped * (0.5 + random() / 2)) : capped;
}

export type FailureInput = {
  job: Job;
  errorType: string;
  retry?: boolean;
  retryInMs?: number;
  policy: RetryPolicy;
  now: number;
  random?: () => number;
};

/**
 * The error type of an attempt given back unfinished: its worker stopped (a deploy, SIGTERM past
 * the grace period, an operator's shutdown) or spool itself shut down before it ended. Such an
 * attempt is recorded, but it says nothing about the job, so it does not count against
 * maxAttempts: a job is never failed for good by a restart.
 */
export const GIVEN_BACK = "shutdown";

/** Attempts that count against maxAttempts: those started since the job last started afresh, less those given back unfinished. */
export function countedAttempts(job: Pick<Job, "attempts" | "givenBack">): number {
  return job.attempts - job.givenBack;
}

/** When the job runs again (epoch ms), or null when this failure is final. */
export function nextAttemptAt(input: FailureInput): number | null {
  const { job, errorType, policy, now } = input;
  if (input.retry === false || job.cancelRequested) return null;
  if (policy.noRetry?.includes(errorType)) return null;
  const special = policy.byType?.[errorType];
  const maxAttempts = special?.maxAttempts ?? job.maxAttempts;
  // This attempt counts unless it is itself given back.
  if (errorType !== GIVEN_BACK && countedAttempts(job) >= maxAttempts) return null;
  if (input.retryInMs !== undefined) return now + Math.min(Math.max(0, input.retryInMs), MAX_DURATION_MS);
  // Given back unfinished: nothing went wrong with the job, so it runs again at once (unless the
  // queue's policy sets a backoff for this type).
  if (errorType === GIVEN_BACK && !special?.backoff) return now;
  const backoff = special?.backoff ? resolveBackoff(special.backoff, job.backoff) : job.backoff;
  return now + backoffDelay(job.attempts, backoff, input.random);
}
