/**
 * Every background duty spool has, one per file beside this one. Interval duties run in every
 * spool process (interval-duties.ts starts them); scheduled ones run as the jobs of the built-in
 * schedules (maintenance-jobs.ts), in this order within a task.
 */
import { dailyReport } from "./daily-report.ts";
import { delayedPromotion } from "./delayed-promotion.ts";
import { diskCheck } from "./disk-check.ts";
import type { Duty, IntervalDuty, ScheduledDuty } from "./duty.ts";
import { eventLogPruning } from "./event-log-pruning.ts";
import { healthEvaluation } from "./health-evaluation.ts";
import { historyPruning } from "./history-pruning.ts";
import { leaseReaper } from "./lease-reaper.ts";
import { retention } from "./retention.ts";
import { sessionPruning } from "./session-pruning.ts";
import { workerExpiry } from "./worker-expiry.ts";

export const allDuties: readonly Duty[] = [
  leaseReaper,
  delayedPromotion,
  workerExpiry,
  sessionPruning,
  healthEvaluation,
  eventLogPruning,
  historyPruning,
  retention,
  diskCheck,
  dailyReport,
];

export const intervalDuties = allDuties.filter((d): d is IntervalDuty => d.trigger.kind === "interval");

export const scheduledDuties = allDuties.filter((d): d is ScheduledDuty => d.trigger.kind === "schedule");
