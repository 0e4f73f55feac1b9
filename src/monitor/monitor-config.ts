/** Monitoring settings: alert thresholds, channels, and how much history and event log to keep. */

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** Every alert rule's threshold (§5 of the design gives the defaults). */
export type AlertThresholds = {
  /** queue_backlog: more than this many waiting jobs in a queue. */
  queueBacklog: number;
  /** failure_rate: failed / finished over the last hour, warning and critical shares (0–1). */
  failureRateWarning: number;
  failureRateCritical: number;
  /** failure_rate needs at least this many finished jobs in the hour. */
  failureRateMinFinished: number;
  /** worker_down: no worker of the queue seen for this long. */
  workerDownMs: number;
  /** stalled_jobs: at least this many leases expired in the last hour. */
  stalledJobs: number;
  /** schedule_late: more than this many periods behind. */
  scheduleLatePeriods: number;
  /** disk_space: used percent of the data volume. */
  diskWarningPercent: number;
  diskCriticalPercent: number;
  /** error_concentration: one error type above this share of the hour's failed attempts… */
  errorConcentrationShare: number;
  /** …when there were at least this many. */
  errorConcentrationMin: number;
  /** no_activity: jobs enqueued in this window and none finished… */
  noActivityWindowMs: number;
  /** …counted only once the first of those enqueues is this old. */
  noActivityGraceMs: number;
};

export const DEFAULT_THRESHOLDS: AlertThresholds = {
  queueBacklog: 1000,
  failureRateWarning: 0.1,
  failureRateCritical: 0.5,
  failureRateMinFinished: 20,
  workerDownMs: MINUTE,
  stalledJobs: 1,
  scheduleLatePeriods: 2,
  diskWarningPercent: 80,
  diskCriticalPercent: 90,
  errorConcentrationShare: 0.5,
  errorConcentrationMin: 10,
  noActivityWindowMs: DAY,
  noActivityGraceMs: HOUR,
};

export type WebhookTarget = { url: string; headers?: Record<string, string> };

export type WebhookDelivery = {
  /** Tries per notification, the first included. */
  attempts: number;
  /** Delay before the second try; doubles for each further one. */
  retryDelayMs: number;
  timeoutMs: number;
};

export type MonitorConfig = {
  thresholds: AlertThresholds;
  webhooks: WebhookTarget[];
  webhookDelivery: WebhookDelivery;
  /** Events kept in the log (the newest ones); older ones are pruned by the health task. */
  eventLogKeep: number;
  /** How long per-minute aggregates and resolved alerts are kept. */
  historyMs: number;
};

export const DEFAULT_MONITOR_CONFIG: MonitorConfig = {
  thresholds: DEFAULT_THRESHOLDS,
  webhooks: [],
  webhookDelivery: { attempts: 4, retryDelayMs: 1000, timeoutMs: 5000 },
  eventLogKeep: 1_000_000,
  historyMs: 90 * DAY,
};

/** Defaults with some settings replaced; thresholds merge field by field. */
export function monitorConfig(overrides: Partial<Omit<MonitorConfig, "thresholds">> & { thresholds?: Partial<AlertThresholds> } = {}): MonitorConfig {
  return {
    ...DEFAULT_MONITOR_CONFIG,
    ...overrides,
    thresholds: { ...DEFAULT_THRESHOLDS, ...overrides.thresholds },
  };
}

/**
 * Threshold overrides written as JSON (`--alert-thresholds '{"queueBacklog": 5000}'`); throws
 * a message naming the field on anything that is not a known threshold with a number ≥ 0.
 */
export function parseThresholds(text: string): Partial<AlertThresholds> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new Error("alert thresholds must be a JSON object, e.g. {\"queueBacklog\": 5000}");
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw new Error("alert thresholds must be a JSON object");
  for (const [key, n] of Object.entries(value)) {
    if (!(key in DEFAULT_THRESHOLDS)) throw new Error(`unknown alert threshold "${key}" (known: ${Object.keys(DEFAULT_THRESHOLDS).join(", ")})`);
    if (typeof n !== "number" || !Number.isFinite(n) || n < 0) throw new Error(`alert threshold ${key} must be a number ≥ 0`);
    if (SHARES.has(key) && n > 1) throw new Error(`alert threshold ${key} is a share of the hour's jobs, from 0 to 1 (0.1 is 10 %)`);
    if (PERCENTS.has(key) && n > 100) throw new Error(`alert threshold ${key} is a percent of the disk, from 0 to 100`);
  }
  // A warning at or past its critical could never be told apart from it.
  const t = { ...DEFAULT_THRESHOLDS, ...(value as Partial<AlertThresholds>) };
  for (const [warning, critical] of [["failureRateWarning", "failureRateCritical"], ["diskWarningPercent", "diskCriticalPercent"]] as const) {
    if (t[warning] >= t[critical]) throw new Error(`alert threshold ${warning} (${t[warning]}) must be below ${critical} (${t[critical]})`);
  }
  return value as Partial<AlertThresholds>;
}

const SHARES = new Set(["failureRateWarning", "failureRateCritical", "errorConcentrationShare"]);
const PERCENTS = new Set(["diskWarningPercent", "diskCriticalPercent"]);
