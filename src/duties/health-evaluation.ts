/** Health evaluation (spool:health, every 30 s): the alert rules, the alerts' lifecycle, the channels, the health score. */
import type { ScheduledDuty } from "./duty.ts";

export const healthEvaluation: ScheduledDuty = {
  name: "health-evaluation",
  trigger: { kind: "schedule", task: "health" },
  storeCalls: [
    // the rules' input
    "statsTotals", "queuesList", "queueNextRunAt", "statsErrors", "workersList", "schedulesList",
    // the alerts' lifecycle
    "alertsList", "alertUpsert", "alertResolve", "eventAppend",
  ],
  run({ monitor }) {
    return monitor.healthTick();
  },
};
