/** Turning a producer's enqueue options into a NewJob: validation, queue defaults, global defaults. */
import { validationFailed } from "./errors.ts";
import { DEFAULT_BACKOFF, DEFAULT_MAX_ATTEMPTS, MAX_DURATION_MS, MAX_KEY_LENGTH, MAX_TIME_MS, NAME_RULE, PRIORITY, QUEUE_NAME, type EnqueueOptions, type NewJob } from "./job.ts";
import { jsonValueProblem } from "./json-value.ts";
import type { JobDefaults } from "./queue-config.ts";
import { MAX_BACKOFF_MS, resolveBackoff } from "./retry.ts";

type Issue = { path: string; message: string };

/**
 * Idempotency keys of schedule fires (`schedule:<name>:<fire time>`) are the scheduler's own:
 * a job enqueued with one before its fire would be taken for that fire, which then enqueues
 * nothing (a producer could stop any schedule, built-ins included, ahead of time).
 */
export const SCHEDULE_KEY_PREFIX = "schedule:";

/** Throws validation_failed naming every problem, when there is one. */
function refuseJobOptions(issues: Issue[]): void {
  if (issues.length) throw validationFailed(`invalid job options: ${issues.map((i) => `${i.path} ${i.message}`).join("; ")}`, issues);
}

/** Refuses what a producer may not enqueue, though a schedule's fire may: an idempotency key of the scheduler's. */
export function checkProducerJobs(jobs: EnqueueOptions[]): void {
  const issues = jobs.flatMap((o, i) =>
    typeof o.idempotencyKey === "string" && o.idempotencyKey.startsWith(SCHEDULE_KEY_PREFIX)
      ? [{ path: `${jobs.length > 1 ? `jobs.${i}.` : ""}idempotencyKey`, message: `keys starting "${SCHEDULE_KEY_PREFIX}" belong to schedule fires` }]
      : [],
  );
  refuseJobOptions(issues);
}

export function checkQueueName(queue: string): void {
  if (!QUEUE_NAME.test(queue)) {
    throw validationFailed(`invalid queue name "${queue}": use ${NAME_RULE}`, [
      { path: "queue", message: `must be ${NAME_RULE}` },
    ]);
  }
}

const isInt = (v: unknown) => typeof v === "number" && Number.isInteger(v);

/** Every problem with the options at once, so a client can fix them in one go. */
export function enqueueIssues(o: EnqueueOptions, prefix = ""): Issue[] {
  const issues: Issue[] = [];
  const at = (path: string, message: string) => issues.push({ path: prefix + path, message });
  const payloadProblem = jsonValueProblem(o.payload);
  if (payloadProblem) at("payload", payloadProblem);
  if (o.key !== undefined && (typeof o.key !== "string" || o.key.length === 0 || o.key.length > MAX_KEY_LENGTH)) {
    at("key", `must be a string of 1–${MAX_KEY_LENGTH} characters`);
  }
  if (o.priority !== undefined && (!isInt(o.priority) || o.priority < PRIORITY.LOW || o.priority > PRIORITY.URGENT)) {
    at("priority", "must be an integer from 0 to 10");
  }
  if (o.maxAttempts !== undefined && (!isInt(o.maxAttempts) || o.maxAttempts < 1 || o.maxAttempts > 1000)) {
    at("maxAttempts", "must be an integer from 1 to 1000");
  }
  if (o.timeoutMs !== undefined && (!isInt(o.timeoutMs) || o.timeoutMs < 1 || o.timeoutMs > MAX_DURATION_MS)) {
    at("timeoutMs", `must be an integer from 1 to ${MAX_DURATION_MS} (100 years)`);
  }
  if (o.delayMs !== undefined && (!isInt(o.delayMs) || o.delayMs < 0 || o.delayMs > MAX_DURATION_MS)) {
    at("delayMs", `must be an integer from 0 to ${MAX_DURATION_MS} (100 years)`);
  }
  if (o.runAt !== undefined && (typeof o.runAt !== "number" || !Number.isFinite(o.runAt) || o.runAt < 0 || o.runAt > MAX_TIME_MS)) {
    at("runAt", "must be a time between 1970 and the end of 9999");
  }
  if (o.delayMs !== undefined && o.runAt !== undefined) at("runAt", "give delayMs or runAt, not both");
  if (o.idempotencyKey !== undefined && (typeof o.idempotencyKey !== "string" || o.idempotencyKey.length === 0 || o.idempotencyKey.length > 255)) {
    at("idempotencyKey", "must be a string of 1–255 characters");
  }
  if (o.backoff !== undefined) {
    const b = o.backoff;
    if (b.type !== undefined && b.type !== "exponential" && b.type !== "fixed") at("backoff.type", 'must be "exponential" or "fixed"');
    if (b.delayMs !== undefined && (!isInt(b.delayMs) || b.delayMs < 0 || b.delayMs > MAX_BACKOFF_MS)) at("backoff.delayMs", "must be an integer from 0 to 3600000");
    if (b.maxDelayMs !== undefined && (!isInt(b.maxDelayMs) || b.maxDelayMs < 0 || b.maxDelayMs > MAX_DURATION_MS)) {
      at("backoff.maxDelayMs", `must be an integer from 0 to ${MAX_DURATION_MS} (100 years)`);
    }
  }
  return issues;
}

export function toNewJob(queue: string, o: EnqueueOptions, defaults: JobDefaults, now: number): NewJob {
  const runAt = o.runAt !== undefined ? o.runAt : now + (o.delayMs ?? 0);
  return {
    queue,
    key: o.key ?? null,
    payload: o.payload === undefined ? null : o.payload,
    priority: o.priority ?? defaults.priority ?? PRIORITY.NORMAL,
    runAt,
    maxAttempts: o.maxAttempts ?? defaults.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
    backoff: resolveBackoff(o.backoff, resolveBackoff(defaults.backoff, DEFAULT_BACKOFF)),
    timeoutMs: o.timeoutMs ?? defaults.timeoutMs ?? null,
    idempotencyKey: o.idempotencyKey ?? null,
  };
}

/** Validates a batch (paths name the job's index) and resolves every job, or throws for all. */
export function resolveEnqueue(queue: string, jobs: EnqueueOptions[], defaults: JobDefaults, now: number): NewJob[] {
  checkQueueName(queue);
  const issues = jobs.flatMap((o, i) => enqueueIssues(o, jobs.length > 1 ? `jobs.${i}.` : ""));
  refuseJobOptions(issues);
  return jobs.map((o) => toNewJob(queue, o, defaults, now));
}
