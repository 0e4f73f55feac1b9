/** Event-log pruning (spool:health, after the evaluation): the event log keeps its newest `eventLogKeep` events. */
import type { ScheduledDuty } from "./duty.ts";

/** Events pruned per transaction, so claims never wait long behind pruning. */
export const EVENTS_PRUNE_BATCH = 10_000;
/** Batches per run at most: a backlog far beyond the bound shrinks over several runs. */
const EVENTS_PRUNE_MAX_BATCHES = 500;

export const eventLogPruning: ScheduledDuty = {
  name: "event-log-pruning",
  trigger: { kind: "schedule", task: "health" },
  storeCalls: ["eventsPrune"],
  async run({ service, monitor }) {
    const now = service.clock.now();
    let eventsPruned = 0;
    for (let batch = 0; batch < EVENTS_PRUNE_MAX_BATCHES; batch++) {
      const n = await service.store.eventsPrune({ keep: monitor.config.eventLogKeep, limit: EVENTS_PRUNE_BATCH, now });
      eventsPruned += n;
      if (n < EVENTS_PRUNE_BATCH) break;
    }
    return { eventsPruned };
  },
};
