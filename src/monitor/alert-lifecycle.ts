/** The alert lifecycle: conditions that hold fire (or stay firing), firing alerts whose condition is gone resolve. */
import { SEVERITY_RANK, type Alert, type AlertCondition } from "../core/monitor-store.ts";
import type { Store } from "../core/store.ts";

/**
 * What one evaluation changed: alerts that fired, rose to a worse severity, eased to a milder
 * one (still firing), or resolved; `firing` is every alert firing afterwards.
 */
export type AlertTransitions = { fired: Alert[]; escalated: Alert[]; eased: Alert[]; resolved: Alert[]; firing: Alert[] };


/** More firing alerts than this at once means something else is wrong; the rest wait for the next evaluation. */
const MAX_FIRING = 10_000;

/** The alerts firing now, at most MAX_FIRING of them. */
export function firingAlerts(store: Store, now: number): Promise<Alert[]> {
  return store.alertsList({ state: "firing", limit: MAX_FIRING, now });
}

/**
 * Records the conditions that hold now: each refreshes the firing alert of its rule and
 * subject or opens a new one; firing alerts with no condition left (of `before`, those firing
 * when the conditions were evaluated) are resolved. Changes are appended to the event log as
 * alert.firing / alert.resolved.
 */
export async function applyConditions(store: Store, conditions: AlertCondition[], now: number, before: Alert[]): Promise<AlertTransitions> {
  const out: AlertTransitions = { fired: [], escalated: [], eased: [], resolved: [], firing: [] };
  const held = new Set<string>();
  const severityBefore = new Map(before.map((a) => [a.id, a.severity]));
  for (const condition of conditions) {
    const { alert, change } = await store.alertUpsert({ ...condition, now });
    if (held.has(alert.id)) continue;
    held.add(alert.id);
    out.firing.push(alert);
    if (change === "fired") out.fired.push(alert);
    if (change === "escalated") {
      const was = severityBefore.get(alert.id);
      (was !== undefined && SEVERITY_RANK[alert.severity] < SEVERITY_RANK[was] ? out.eased : out.escalated).push(alert);
    }
  }
  for (const alert of before) {
    if (held.has(alert.id)) continue;
    const resolved = await store.alertResolve({ id: alert.id, now });
    if (resolved) out.resolved.push(resolved);
  }
  // The log has every change of state (a stream shows the alert as it is now); notices go out for those that need someone.
  for (const alert of [...out.fired, ...out.escalated, ...out.eased]) {
    await store.eventAppend({ type: "alert.firing", queue: alertQueue(alert), data: alert, now });
  }
  for (const alert of out.resolved) {
    await store.eventAppend({ type: "alert.resolved", queue: alertQueue(alert), data: alert, now });
  }
  return out;
}

/** Rules about a queue name it as their subject; the others (disk, schedules) are about no queue. */
function alertQueue(alert: Alert): string | null {
  return ["disk_space", "schedule_late"].includes(alert.rule) ? null : alert.subject;
}
