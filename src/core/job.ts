/** Jobs: their fields, states, the transitions between states, and enqueue options. */

/**
 * Job states and who moves a job out of each:
 * - waiting:   claimable now; a claim moves it to active, cancel to cancelled.
 * - delayed:   runnable at runAt; a claim promotes it to waiting once due.
 * - blocked:   behind an earlier job of its lane; the lane head's end promotes it.
 * - active:    leased; complete/fail/cancel(force) by the worker or operator, the lease reaper on expiry.
 * - completed, failed, cancelled: final; only an operator's retry or delete moves them.
 */
export type JobState = "waiting" | "delayed" | "blocked" | "active" | "completed" | "failed" | "cancelled";

export const JOB_STATES: readonly JobState[] = ["waiting", "delayed", "blocked", "active", "completed", "failed", "cancelled"];
export const FINAL_STATES: readonly JobState[] = ["completed", "failed", "cancelled"];
export const UNFINISHED_STATES: readonly JobState[] = ["waiting", "delayed", "blocked", "active"];

/** Which state changes the core allows; stores re-check the source state atomically. */
export const TRANSITIONS: Record<JobState, readonly JobState[]> = {
  waiting: ["active", "cancelled", "blocked"],
  delayed: ["waiting", "cancelled"],
  blocked: ["waiting", "delayed", "cancelled"],
  active: ["completed", "failed", "waiting", "delayed", "cancelled"],
  completed: [],
  failed: ["waiting", "delayed", "blocked"],
  cancelled: ["waiting", "delayed", "blocked"],
};

export function canMove(from: JobState, to: JobState): boolean {
  return TRANSITIONS[from].includes(to);
}

export function isFinal(state: JobState): boolean {
  return FINAL_STATES.includes(state);
}

export const PRIORITY = { LOW: 0, NORMAL: 5, HIGH: 8, URGENT: 10 } as const;

export type Backoff = {
  type: "exponential" | "fixed";
  delayMs: number;
  maxDelayMs?: number;
  jitter?: boolean;
};

export type Progress = number | { current: number; total?: number; message?: string };

export type JobError = {
  attempt: number;
  type: string;
  message: string;
  stack?: string;
  at: number;
};

/** A job as stored. Times are epoch milliseconds; the HTTP layer renders them as ISO 8601. */
export type Job = {
  id: string;
  queue: string;
  key: string | null;
  payload: unknown;
  priority: number;
  state: JobState;
  runAt: number;
  attempts: number;
  maxAttempts: number;
  /**
   * Of `attempts`, those given back unfinished (GIVEN_BACK: a worker or spool shut down), which do
   * not count against maxAttempts; kept apart from `errors`, which keeps only the latest 50.
   */
  givenBack: number;
  backoff: Backoff;
  timeoutMs: number | null;
  idempotencyKey: string | null;
  progress: Progress | null;
  checkpoint: unknown;
  result: unknown;
  errors: JobError[];
  workerId: string | null;
  leaseToken: string | null;
  leaseExpiresAt: number | null;
  deadlineAt: number | null;
  cancelRequested: boolean;
  createdAt: number;
  startedAt: number | null;
  finishedAt: number | null;
};

/** What a producer may say when enqueueing; every field but payload is optional. */
export type EnqueueOptions = {
  payload?: unknown;
  key?: string;
  priority?: number;
  maxAttempts?: number;
  backoff?: Partial<Backoff>;
  timeoutMs?: number;
  delayMs?: number;
  runAt?: number;
  idempotencyKey?: string;
};

/** A fully resolved job ready for the store: defaults applied, runAt computed. */
export type NewJob = {
  queue: string;
  key: string | null;
  payload: unknown;
  priority: number;
  runAt: number;
  maxAttempts: number;
  backoff: Backoff;
  timeoutMs: number | null;
  idempotencyKey: string | null;
};

export const DEFAULT_BACKOFF: Backoff = { type: "exponential", delayMs: 1000, maxDelayMs: 3_600_000, jitter: true };
export const DEFAULT_MAX_ATTEMPTS = 3;
/**
 * Queue and schedule names: 1–128 of A–Z a–z 0–9 . _ : -, but not "." or "..", which a URL's
 * path treats as "this folder" and "the one above", so no address could name them.
 */
export const QUEUE_NAME = /^(?!\.\.?$)[A-Za-z0-9._:-]{1,128}$/;
/** What QUEUE_NAME asks for, as messages say it. */
export const NAME_RULE = "1–128 of A–Z a–z 0–9 . _ : -, not . or ..";

/** Queues named spool:… are spool's own: its maintenance jobs (health checks, retention, reports) run there. */
export const OWN_QUEUE_PREFIX = "spool:";
export const isOwnQueue = (queue: string) => queue.startsWith(OWN_QUEUE_PREFIX);
export const MAX_KEY_LENGTH = 255;
/** The latest time a job may be set to run: the end of year 9999, the last a 4-digit ISO 8601 date holds. */
export const MAX_TIME_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);
/** The longest delay or attempt timeout: 100 years, far inside what a date can hold from any now. */
export const MAX_DURATION_MS = 100 * 365.25 * 86_400_000;
