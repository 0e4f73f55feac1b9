/** What an alert rule sees and returns: a snapshot of queues, aggregates, workers, schedules and disk. */
import type { AlertCondition, ErrorCount, StatsCounters } from "../../core/monitor-store.ts";
import type { StateCounts } from "../../core/queue-config.ts";
import type { AlertThresholds } from "../monitor-config.ts";

export type QueueInput = {
  name: string;
  counts: StateCounts;
  paused: boolean;
  /** Served by spool's push dispatcher: no worker of its own is expected. */
  hasTarget: boolean;
  /** Earliest runAt of its delayed jobs (due ones are runnable too). */
  nextRunAt: number | null;
  /** Since when its longest-waiting job has been runnable, read only for a backlog past its threshold; null otherwise. */
  oldestWaiting?: number | null;
};

export type WorkerInput = { id: string; lastSeenAt: number; queues: string[] };

/** An enabled schedule; `periodMs` is the gap between its fire at nextFireAt and the one after. */
export type ScheduleInput = { name: string; nextFireAt: number | null; periodMs: number | null };

export type RuleInput = {
  now: number;
  queues: QueueInput[];
  /** Counters per queue over the last hour. */
  lastHour: Record<string, StatsCounters>;
  /** Failed attempts per queue and error type over the last hour. */
  errorsLastHour: ErrorCount[];
  /** Counters per queue over the no-activity window, and over that window without its grace period. */
  activityWindow: Record<string, StatsCounters>;
  activityBeforeGrace: Record<string, StatsCounters>;
  workers: WorkerInput[];
  schedules: ScheduleInput[];
  /** Used percent of the data volume; null when it could not be measured. */
  disk: { usedPercent: number } | null;
  /** Per queue with runnable jobs that no known worker takes, when that was first seen (worker-down.ts, trackUnserved). */
  unservedSince: Record<string, number>;
  /** The alerts firing before this evaluation, as firingKey(rule, subject): a rule may hold one until its cause is gone. */
  firing: Set<string>;
};

export const firingKey = (rule: string, subject: string) => `${rule}\u0000${subject}`;

export type AlertRule = {
  type: string;
  /** Every condition of this rule that holds now; each becomes (or keeps) a firing alert. */
  evaluate(input: RuleInput, t: AlertThresholds): AlertCondition[];
};

export const percent = (share: number) => `${Math.round(share * 1000) / 10} %`;
