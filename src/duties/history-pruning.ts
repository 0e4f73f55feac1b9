/** History pruning (spool:health, after the event log): per-minute aggregates older than `historyMs` are deleted. */
import type { ScheduledDuty } from "./duty.ts";

export const historyPruning: ScheduledDuty = {
  name: "history-pruning",
  trigger: { kind: "schedule", task: "health" },
  storeCalls: ["historyPrune"],
  async run({ service, monitor }) {
    const now = service.clock.now();
    return { historyPruned: await service.store.historyPrune({ before: now - monitor.config.historyMs, now }) };
  },
};
