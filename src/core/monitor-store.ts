/**
 * MonitorStore: what monitoring needs from storage — counts, per-minute aggregates, the
 * event log, alerts, stored reports and the lanes view.
 *
 * Every job change appends one event to the log atomically with the change itself, and the
 * aggregates count each event exactly once (a store may fold the log into them in bulk before
 * it answers, as SQLite does, or count at once, as a Lua script can); both outlive job rows.
 * src/core/job-events.ts says which change makes which event (the store contract holds every store to it).
 * Ranges are [from, to) in epoch ms over minute starts; every method takes one params object
 * carrying `now`.
 */
import type { JobState } from "./job.ts";
import type { StateCounts } from "./queue-config.ts";

/** Upper bounds (ms, inclusive) of the run-time and wait-time histogram buckets; one more bucket holds the rest. */
export const HISTOGRAM_BOUNDS_MS = [5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10_000, 30_000, 60_000, 300_000, 1_800_000] as const;
export const HISTOGRAM_BUCKETS = HISTOGRAM_BOUNDS_MS.length + 1;

/** Index of the histogram bucket a duration falls in. */
export function histogramBucket(ms: number): number {
  let i = 0;
  while (i < HISTOGRAM_BOUNDS_MS.length && ms > HISTOGRAM_BOUNDS_MS[i]!) i++;
  return i;
}

export type JobEventType =
  | "job.enqueued" | "job.started" | "job.completed" | "job.failed" | "job.retrying" | "job.cancelled"
  | "job.waiting" | "job.delayed" | "job.blocked";
export type AlertEventType = "alert.firing" | "alert.resolved";

/** One entry of the event log. Job events carry the job's coordinates; alert events carry the alert in `data`. */
export type MonitorEvent = {
  id: number;
  at: number;
  type: JobEventType | AlertEventType;
  queue: string | null;
  key: string | null;
  jobId: string | null;
  state: JobState | null;
  prevState: JobState | null;
  attempt: number | null;
  errorType: string | null;
  /** Wait time for job.started, run time for job.completed. */
  durationMs: number | null;
  data: unknown;
};

export type EventFilters = { queue?: string; key?: string; jobId?: string };

export type EventsPage = { events: MonitorEvent[]; lastId: number; atEnd: boolean };

/** Counters over a time range (or one step of a series), for one queue or all. */
export type StatsCounters = {
  enqueued: number;
  started: number;
  completed: number;
  failed: number;
  cancelled: number;
  /** Failed attempts that were scheduled to run again. */
  retried: number;
  /** Attempts ended by lease expiry. */
  expired: number;
  /** Completions after at least one failed attempt. */
  recovered: number;
  /** Sum of run times of completions. */
  runMs: number;
  /** Sum of wait times of starts. */
  waitMs: number;
};

export type QueueStats = StatsCounters & { queue: string };
export type SeriesPoint = StatsCounters & { at: number };
export type QueueHistogram = { queue: string; buckets: number[] };
export type ErrorCount = { queue: string; type: string; n: number };
/** Failed attempts of one queue and error type in the minute starting at `minute`. */
export type ErrorMinute = ErrorCount & { minute: number };
/** A recent failure of a queue and error type: its job and that job's latest message for the type. */
export type ErrorSample = { jobId: string; message: string };
/** One failed attempt of a queue and error type in the event log: the event (the cursor of a listing) and its job. */
export type ErrorFailure = { eventId: number; jobId: string; at: number; attempt: number | null };
export type SlowJob = { jobId: string; queue: string; key: string | null; runMs: number; finishedAt: number };

export type StatsRange = { from: number; to: number; now: number };

export type AlertSeverity = "warning" | "error" | "critical";

/** How bad a severity is: a higher rank is worse. */
export const SEVERITY_RANK: Record<AlertSeverity, number> = { warning: 0, error: 1, critical: 2 };
export type AlertState = "firing" | "resolved";

export type Alert = {
  id: string;
  rule: string;
  /** What the alert is about: a queue, a schedule, "disk"; one firing alert per rule and subject. */
  subject: string;
  severity: AlertSeverity;
  state: AlertState;
  message: string;
  value: number | null;
  threshold: number | null;
  firstSeen: number;
  lastSeen: number;
  resolvedAt: number | null;
  ackedAt: number | null;
  ackedBy: string | null;
};

export type AlertCondition = Pick<Alert, "rule" | "subject" | "severity" | "message" | "value" | "threshold">;

/** fired: new firing alert; escalated: its severity changed; updated: still firing as before. */
export type AlertUpsert = { alert: Alert; change: "fired" | "escalated" | "updated" };

export type StoredReport = { kind: string; date: string; body: unknown; createdAt: number };

export type LaneView = {
  queue: string;
  key: string;
  /** blocked: stopped behind its failed head; busy: its head is waiting, delayed or running. */
  status: "blocked" | "busy";
  headJobId: string;
  headState: JobState | null;
  lastError: { type: string; message: string; at: number } | null;
  since: number;
  /** Jobs waiting behind the head. */
  depth: number;
};

export type BlockedLanes = { queue: string; blocked: number; oldestSince: number | null };

export interface MonitorStore {
  /** Counts by state per queue and in total, from counters kept by the store (no job scan). */
  countsTotal(p: { now: number }): Promise<{ total: StateCounts; queues: Record<string, StateCounts> }>;
  /** Counters per queue summed over the range. */
  statsTotals(p: StatsRange): Promise<QueueStats[]>;
  /** Counters of all queues (or one) in steps of `stepMs` (a multiple of a minute), oldest first; empty steps are left out. */
  statsSeries(p: StatsRange & { stepMs: number; queue?: string }): Promise<SeriesPoint[]>;
  /** Histogram bucket counts per queue over the range; buckets follow HISTOGRAM_BOUNDS_MS. */
  statsHistogram(p: StatsRange & { metric: "run" | "wait" }): Promise<QueueHistogram[]>;
  /** Failed attempts per queue and error type over the range. */
  statsErrors(p: StatsRange): Promise<ErrorCount[]>;
  /** Failed attempts per minute, queue and error type over the range (of all queues or one), oldest minute first. */
  statsErrorMinutes(p: StatsRange & { queue?: string }): Promise<ErrorMinute[]>;
  /**
   * The newest failure of this queue and error type still in the event log, with its job's
   * newest message of that type; null when the log holds none or the job is gone. Found by
   * index, never by scanning job rows.
   */
  errorSample(p: { queue: string; type: string }): Promise<ErrorSample | null>;
  /**
   * Failed attempts of a queue and error type still in the event log, newest first, from before
   * event `beforeEventId` when given (keyset paging). Found by index, never by scanning job rows;
   * a job appears once per failed attempt of that type.
   */
  errorFailures(p: { queue: string; type: string; beforeEventId?: number; limit: number }): Promise<ErrorFailure[]>;
  /** The slowest completions that finished in the range, slowest first. */
  statsSlowest(p: StatsRange & { limit: number }): Promise<SlowJob[]>;
  /** Drops aggregates and resolved alerts older than `before`; returns how many rows went. */
  historyPrune(p: { before: number; now: number }): Promise<number>;

  /**
   * Events after `afterId` matching the filters, oldest first. `lastId` is the last id examined
   * (matching or not): read on from there. `atEnd`: there was nothing after `lastId` yet.
   */
  eventsAfter(p: { afterId: number; filters: EventFilters; limit: number; now: number }): Promise<EventsPage>;
  /**
   * The newest `limit` events of one job still in the log, oldest first: its timeline. Found by
   * index, so it costs the same however long the log is.
   */
  jobEvents(p: { jobId: string; limit: number; now: number }): Promise<MonitorEvent[]>;
  /** Id of the newest event, 0 when the log is empty. */
  eventsLatestId(p: { now: number }): Promise<number>;
  /** Appends an event that is not a job change (alerts); returns its id. */
  eventAppend(p: { type: AlertEventType; queue: string | null; data: unknown; now: number }): Promise<number>;
  /** Deletes the oldest events beyond the newest `keep` (at most `limit` per call); returns how many went. */
  eventsPrune(p: { keep: number; limit: number; now: number }): Promise<number>;

  /** Records a condition: refreshes the firing alert of its rule and subject, or opens a new one. */
  alertUpsert(p: AlertCondition & { now: number }): Promise<AlertUpsert>;
  /** Resolves a firing alert; null when it is unknown or not firing. */
  alertResolve(p: { id: string; now: number }): Promise<Alert | null>;
  alertGet(p: { id: string }): Promise<Alert | null>;
  /** Newest first. */
  alertsList(p: { state?: AlertState; limit: number; now: number }): Promise<Alert[]>;
  /** Marks an alert acknowledged (once; later acks keep the first); null when unknown. */
  alertAck(p: { id: string; by: string | null; now: number }): Promise<Alert | null>;

  /** Stores a report, replacing one of the same kind and date. */
  reportPut(p: { kind: string; date: string; body: unknown; now: number }): Promise<void>;
  reportGet(p: { kind: string; date: string }): Promise<StoredReport | null>;
  /** Dates of stored reports of a kind, newest first. */
  reportsList(p: { kind: string; limit: number }): Promise<{ date: string; createdAt: number }[]>;

  /** Lanes of a queue (or its one lane `key`) that are blocked or busy, blocked first, oldest first. */
  lanesList(p: { queue: string; key?: string; limit: number; now: number }): Promise<LaneView[]>;
  /** Blocked lanes per queue with the oldest one's `since`. */
  lanesBlocked(p: { now: number }): Promise<BlockedLanes[]>;
}
