/** Every alert rule spool evaluates, in the order their alerts are listed. */
import { diskSpace } from "./disk-space.ts";
import { errorConcentration } from "./error-concentration.ts";
import { failureRate } from "./failure-rate.ts";
import { noActivity } from "./no-activity.ts";
import { queueBacklog } from "./queue-backlog.ts";
import type { AlertRule, RuleInput } from "./rule.ts";
import { scheduleLate } from "./schedule-late.ts";
import { stalledJobs } from "./stalled-jobs.ts";
import { workerDown } from "./worker-down.ts";
import type { AlertCondition } from "../../core/monitor-store.ts";
import type { AlertThresholds } from "../monitor-config.ts";

export const ALERT_RULES: readonly AlertRule[] = [
  workerDown, queueBacklog, failureRate, stalledJobs, scheduleLate, diskSpace, errorConcentration, noActivity,
];

/** Every condition that holds now, over all rules. */
export function evaluateRules(input: RuleInput, thresholds: AlertThresholds): AlertCondition[] {
  return ALERT_RULES.flatMap((rule) => rule.evaluate(input, thresholds));
}
