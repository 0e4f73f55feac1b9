/** Per-queue configuration: pause, limits, job defaults, retry policy, lanes, retention, push target. */
import type { Backoff } from "./job.ts";

export type RateLimit = { max: number; intervalMs: number };

/** Retry policy by error type: some types are never retried, some get their own attempts or backoff. */
export type RetryPolicy = {
  noRetry?: string[];
  byType?: Record<string, { maxAttempts?: number; backoff?: Partial<Backoff> }>;
};

export type JobDefaults = {
  priority?: number;
  maxAttempts?: number;
  backoff?: Partial<Backoff>;
  timeoutMs?: number;
};

export type Retention = { completedMs?: number; failedMs?: number; cancelledMs?: number };

export type PushTarget = { url: string; headers?: Record<string, string>; timeoutMs?: number; concurrency?: number };

/** How long spool waits for a push target's answer when the target does not say (timeoutMs). */
export const DEFAULT_TARGET_TIMEOUT_MS = 30_000;

export type QueueConfig = {
  name: string;
  paused: boolean;
  concurrency: number | null;
  rateLimit: RateLimit | null;
  defaults: JobDefaults;
  retryPolicy: RetryPolicy;
  laneOnFailure: "continue" | "block";
  retention: Retention | null;
  target: PushTarget | null;
};

/**
 * What a caller who may not change a queue sees of its push target: header values and the
 * URL's credentials, path, query values and fragment hidden, since that is where API keys go
 * (a Slack-style webhook carries its secret in the path). Where it is delivered, its host, stays.
 */
export function redactTarget(target: PushTarget | null): PushTarget | null {
  if (!target) return null;
  const hidden = "***";
  let url = target.url;
  try {
    const u = new URL(target.url);
    if (u.username) u.username = hidden;
    if (u.password) u.password = hidden;
    for (const name of [...u.searchParams.keys()]) u.searchParams.set(name, hidden);
    if (u.pathname !== "/") u.pathname = `/${hidden}`;
    if (u.hash) u.hash = hidden;
    url = u.toString();
  } catch {
    url = hidden;
  }
  const headers = target.headers && Object.fromEntries(Object.keys(target.headers).map((name) => [name, hidden]));
  return { ...target, url, ...(headers ? { headers } : {}) };
}

/** The part of a queue's config an operator may change with PUT. */
export type QueueSettings = Omit<QueueConfig, "name" | "paused">;

const SETTING_KEYS = ["concurrency", "rateLimit", "defaults", "retryPolicy", "laneOnFailure", "retention", "target"] as const;

/**
 * `changes` laid over `current`: fields left out keep their value. Only setting fields are
 * taken, so a whole queue (with its name, paused flag and counts) can be passed back safely.
 */
export function mergeSettings(current: QueueSettings, changes: Partial<QueueSettings>): QueueSettings {
  const merged = { ...current };
  for (const key of SETTING_KEYS) if (changes[key] !== undefined) (merged as Record<string, unknown>)[key] = changes[key];
  return merged;
}

export function defaultQueueConfig(name: string): QueueConfig {
  return {
    name,
    paused: false,
    concurrency: null,
    rateLimit: null,
    defaults: {},
    retryPolicy: {},
    laneOnFailure: "continue",
    retention: null,
    target: null,
  };
}

export type StateCounts = Record<
  "waiting" | "delayed" | "blocked" | "active" | "completed" | "failed" | "cancelled",
  number
>;

export function emptyCounts(): StateCounts {
  return { waiting: 0, delayed: 0, blocked: 0, active: 0, completed: 0, failed: 0, cancelled: 0 };
}
