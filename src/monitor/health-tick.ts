/** The spool:health task: evaluate the alert rules, move alerts through their lifecycle, notify, keep the log bounded. */
import type { Store } from "../core/store.ts";
import { applyConditions } from "./alert-lifecycle.ts";
import type { Notifier } from "./channels/notifier.ts";
import { healthScore } from "./health-score.ts";
import type { MonitorConfig } from "./monitor-config.ts";
import { gatherRuleInput } from "./rule-input.ts";
import { evaluateRules } from "./rules/all-rules.ts";

/** Events pruned per health run at most, so one run never holds the write lock for long. */
export const EVENTS_PRUNE_BATCH = 50_000;

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
  const eventsPruned = await store.eventsPrune({ keep: config.eventLogKeep, limit: EVENTS_PRUNE_BATCH, now });
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
