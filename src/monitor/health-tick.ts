/** The spool:health task: evaluate the alert rules, move alerts through their lifecycle, notify, keep the log bounded. */
import type { Store } from "../core/store.ts";
import { applyConditions } from "./alert-lifecycle.ts";
import type { Notifier } from "./channels/notifier.ts";
import { healthScore } from "./health-score.ts";
import type { MonitorConfig } from "./monitor-config.ts";
import { gatherRuleInput } from "./rule-input.ts";
import { evaluateRules } from "./rules/all-rules.ts";

/** Events pruned per transaction, so claims never wait long behind pruning. */
export const EVENTS_PRUNE_BATCH = 10_000;
/** Batches per run at most: a backlog far beyond the bound shrinks over several runs. */
const EVENTS_PRUNE_MAX_BATCHES = 500;

export type HealthTickResult = {
  score: number;
  status: string;
  firing: number;
  fired: string[];
  resolved: string[];
  eventsPruned: number;
  historyPruned: number;
};

export async function healthTick(p: { store: Store; now: number; config: MonitorConfig; dataDir: string | null; notifier: Notifier }): Promise<HealthTickResult> {
  const { store, now, config } = p;
  const input = await gatherRuleInput({ store, now, thresholds: config.thresholds, dataDir: p.dataDir });
  const changes = await applyConditions(store, evaluateRules(input, config.thresholds), now);
  p.notifier.notify([
    ...[...changes.fired, ...changes.escalated].map((alert) => ({ kind: "firing" as const, alert })),
    ...changes.resolved.map((alert) => ({ kind: "resolved" as const, alert })),
  ]);
  let eventsPruned = 0;
  for (let batch = 0; batch < EVENTS_PRUNE_MAX_BATCHES; batch++) {
    const n = await store.eventsPrune({ keep: config.eventLogKeep, limit: EVENTS_PRUNE_BATCH, now });
    eventsPruned += n;
    if (n < EVENTS_PRUNE_BATCH) break;
  }
  const historyPruned = await store.historyPrune({ before: now - config.historyMs, now });
  return {
    ...healthScore(changes.firing),
    firing: changes.firing.length,
    fired: changes.fired.map((a) => a.id),
    resolved: changes.resolved.map((a) => a.id),
    eventsPruned,
    historyPruned,
  };
}
