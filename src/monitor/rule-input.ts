/** Gathers what the alert rules look at: queues, the last hour's aggregates, workers, schedules and disk use. */
import type { Alert, StatsCounters } from "../core/monitor-store.ts";
import type { Schedule } from "../core/schedule-store.ts";
import type { Store } from "../core/store.ts";
import { fireTimesAfter } from "../scheduler/timing.ts";
import { diskUsage } from "./disk-usage.ts";
import type { AlertThresholds } from "./monitor-config.ts";
import { firingKey, type RuleInput, type ScheduleInput } from "./rules/rule.ts";
import { trackUnserved } from "./rules/worker-down.ts";
import { HOUR_MS, lastWindow } from "./stats.ts";

async function totalsByQueue(store: Store, from: number, to: number, now: number): Promise<Record<string, StatsCounters>> {
  if (to <= from) return {};
  return Object.fromEntries((await store.statsTotals({ from, to, now })).map(({ queue, ...c }) => [queue, c]));
}

/** The gap between a schedule's next fire and the one after it; null for a cron that stops firing. */
export function schedulePeriod(s: Pick<Schedule, "cron" | "every" | "timezone">, nextFireAt: number): number | null {
  try {
    const [first, second] = fireTimesAfter(s, nextFireAt - 1, 2);
    return first !== undefined && second !== undefined ? second - first : null;
  } catch {
    return null;
  }
}

/** Used percent of the volume holding `dir`; null when it cannot be measured. */
export function diskPercent(dir: string | null, now: number): { usedPercent: number } | null {
  if (!dir) return null;
  try {
    return { usedPercent: diskUsage(dir, now).usedPercent };
  } catch {
    return null;
  }
}

export async function gatherRuleInput(p: {
  store: Store;
  now: number;
  thresholds: AlertThresholds;
  dataDir: string | null;
  /** Queues seen unserved and since when, carried from one evaluation to the next (and updated here). */
  unserved?: Map<string, number>;
  /** The alerts firing before this evaluation (firingAlerts). */
  firing: Alert[];
}): Promise<RuleInput> {
  const { store, now, thresholds: t } = p;
  const hour = lastWindow(now, HOUR_MS);
  const activity = lastWindow(now, t.noActivityWindowMs);
  const queues = await store.queuesList();
  const [nextRunAts, oldestWaiting] = await Promise.all([
    Promise.all(queues.map((q) => (q.counts.delayed > 0 ? store.queueNextRunAt({ queue: q.name }) : Promise.resolve(null)))),
    // Only for a backlog past its threshold: its alert says how old it is.
    Promise.all(queues.map((q) => (q.counts.waiting > t.queueBacklog ? store.queueOldestWaiting({ queue: q.name }) : Promise.resolve(null)))),
  ]);
  const [lastHour, errorsLastHour, activityWindow, activityBeforeGrace, workers, schedules] = await Promise.all([
    totalsByQueue(store, hour.from, hour.to, now),
    store.statsErrors({ ...hour, now }),
    totalsByQueue(store, activity.from, activity.to, now),
    totalsByQueue(store, activity.from, activity.to - t.noActivityGraceMs, now),
    store.workersList({ now }),
    store.schedulesList(),
  ]);
  const input = {
    now,
    queues: queues.map((q, i) => ({
      name: q.name, counts: q.counts, paused: q.paused, hasTarget: q.target !== null, nextRunAt: nextRunAts[i] ?? null,
      oldestWaiting: oldestWaiting[i] ?? null,
    })),
    lastHour,
    errorsLastHour,
    activityWindow,
    activityBeforeGrace,
    workers: workers.map((w) => ({ id: w.id, lastSeenAt: w.lastSeenAt, queues: w.queues })),
    schedules: schedules
      .filter((s) => s.enabled && s.nextFireAt !== null)
      .map((s): ScheduleInput => ({ name: s.name, nextFireAt: s.nextFireAt, periodMs: schedulePeriod(s, s.nextFireAt!) })),
    disk: diskPercent(p.dataDir, now),
    firing: new Set(p.firing.map((a) => firingKey(a.rule, a.subject))),
  };
  const unserved = p.unserved ?? new Map<string, number>();
  // A server that restarted (or another sharing the store) has no memory of since when a queue
  // went unserved: a worker_down alert already firing for it says at least how long.
  for (const a of p.firing) if (a.rule === "worker_down" && !unserved.has(a.subject)) unserved.set(a.subject, a.firstSeen - t.workerDownMs);
  trackUnserved(input, unserved);
  return { ...input, unservedSince: Object.fromEntries(unserved) };
}
