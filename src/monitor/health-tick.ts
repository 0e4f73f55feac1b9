/** One evaluation of health: the alert rules, alerts moved through their lifecycle, channels told, the score. */
import type { Store } from "../core/store.ts";
import { applyConditions, firingAlerts } from "./alert-lifecycle.ts";
import type { Notifier } from "./channels/notifier.ts";
import { healthScore } from "./health-score.ts";
import type { MonitorConfig } from "./monitor-config.ts";
import { gatherRuleInput } from "./rule-input.ts";
import { evaluateRules } from "./rules/all-rules.ts";

export type HealthTickResult = {
  score: number;
  status: string;
  firing: number;
  fired: string[];
  resolved: string[];
};

export async function healthTick(p: {
  store: Store;
  now: number;
  config: MonitorConfig;
  dataDir: string | null;
  notifier: Notifier;
  /** Queues seen unserved and since when, kept between evaluations (worker_down's grace for a queue no worker ever took). */
  unserved: Map<string, number>;
}): Promise<HealthTickResult> {
  const { store, now, config } = p;
  // Read once: the rules see them (an alert may hold until its cause is gone), and those left without a condition resolve.
  const firing = await firingAlerts(store, now);
  const input = await gatherRuleInput({ store, now, thresholds: config.thresholds, dataDir: p.dataDir, unserved: p.unserved, firing });
  const changes = await applyConditions(store, evaluateRules(input, config.thresholds), now, firing);
  p.notifier.notify([
    ...[...changes.fired, ...changes.escalated].map((alert) => ({ kind: "firing" as const, alert })),
    ...changes.resolved.map((alert) => ({ kind: "resolved" as const, alert })),
  ]);
  return {
    ...healthScore(changes.firing),
    firing: changes.firing.length,
    fired: changes.fired.map((a) => a.id),
    resolved: changes.resolved.map((a) => a.id),
  };
}
