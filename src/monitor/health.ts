/** The health report: score and status from the firing alerts, plus live checks of the store and the disk. */
import type { Alert } from "../core/monitor-store.ts";
import { StorageUnavailable } from "../core/errors.ts";
import type { Store } from "../core/store.ts";
import { diskUsage } from "./disk-usage.ts";
import { healthScore, type HealthStatus } from "./health-score.ts";
import type { AlertThresholds } from "./monitor-config.ts";
import { diskPercent } from "./rule-input.ts";
import { spanText } from "../core/duration.ts";
import { MAINTENANCE_QUEUE, scheduleOfTask } from "../scheduler/builtins.ts";

export type CheckStatus = "ok" | "warning" | "critical" | "unknown";

export type HealthCheck = { name: "store" | "disk" | "alerts"; status: CheckStatus; message: string; value: number | null };

export type HealthReport = { at: number; score: number; status: HealthStatus; checks: HealthCheck[]; alerts: Alert[] };

/** Below this much free space on the data volume, writes cannot be counted on: not ready. */
export const MIN_FREE_BYTES = 1024 * 1024;

/**
 * Whether the store can take writes now: it answers, a write goes through, and (SQLite, in the
 * data folder) its volume is not full — a full disk still answers reads. What /readyz reports.
 */
export async function storeCheck(store: Store, dataDir: string | null, now: number): Promise<HealthCheck> {
  try {
    if (!(await store.ping())) return { name: "store", status: "critical", message: `${store.kind} store not reachable`, value: null };
  } catch (err) {
    const message = err instanceof StorageUnavailable ? err.message : `${store.kind} store not reachable: ${(err as Error).message}`;
    return { name: "store", status: "critical", message, value: null };
  }
  const free = dataDir && store.kind === "sqlite" ? freeBytes(dataDir, now) : null;
  if (free !== null && free < MIN_FREE_BYTES) {
    return { name: "store", status: "critical", message: `the data volume is full (${free} bytes free): writes cannot be stored`, value: free };
  }
  return { name: "store", status: "ok", message: `${store.kind} store reachable`, value: null };
}

function freeBytes(dataDir: string, now: number): number | null {
  try {
    return diskUsage(dataDir, now).freeBytes;
  } catch {
    return null;
  }
}

function diskCheck(dataDir: string | null, now: number, t: AlertThresholds): HealthCheck {
  const disk = diskPercent(dataDir, now);
  if (!disk) return { name: "disk", status: "unknown", message: dataDir ? "disk use could not be measured" : "no data folder", value: null };
  const used = disk.usedPercent;
  const status = used > t.diskCriticalPercent ? "critical" : used > t.diskWarningPercent ? "warning" : "ok";
  return { name: "disk", status, message: `data volume ${used} % full`, value: used };
}

/**
 * The score counts only firing alerts (evaluated by the spool:health schedule every 30 s);
 * an unreachable store makes spool unhealthy at once, with score 0.
 */
export async function healthReport(p: { store: Store; now: number; dataDir: string | null; thresholds: AlertThresholds }): Promise<HealthReport> {
  const store = await storeCheck(p.store, p.dataDir, p.now);
  const checks = [store, diskCheck(p.dataDir, p.now, p.thresholds)];
  if (store.status !== "ok") return { at: p.now, score: 0, status: "unhealthy", checks, alerts: [] };
  checks.push(await alertsCheck(p.store, p.now));
  const alerts = await p.store.alertsList({ state: "firing", limit: 1000, now: p.now });
  return { at: p.now, ...healthScore(alerts), checks, alerts };
}

/** Alerts not evaluated for this long (three of the health schedule's periods) are stale. */
export const ALERTS_STALE_AFTER_MS = 90_000;

/**
 * Whether alerts are being evaluated: the health schedule is on and its runs finish. A paused
 * maintenance queue or a stopped maintenance worker would otherwise freeze every alert (and
 * this score) without a word.
 */
export async function alertsCheck(store: Store, now: number): Promise<HealthCheck> {
  const name = scheduleOfTask("health");
  const stale = (why: string): HealthCheck => ({ name: "alerts", status: "warning", message: `alerts are not being evaluated: ${why}`, value: null });
  const schedule = await store.scheduleGet({ name });
  if (!schedule) return stale(`the ${name} schedule is missing (spool adds it back within a minute)`);
  if (!schedule.enabled) return stale(`the ${name} schedule is paused`);
  const runs = await store.scheduleRunsList({ name, limit: 10 });
  const last = runs.find((r) => r.job?.state === "completed" && r.job.finishedAt !== null)?.job?.finishedAt ?? null;
  if (last !== null && now - last <= ALERTS_STALE_AFTER_MS) {
    return { name: "alerts", status: "ok", message: `alerts evaluated ${Math.round(Math.max(0, now - last) / 1000)} s ago`, value: now - last };
  }
  // Never finished among the runs kept: stale once the oldest of them (or the schedule) is old enough.
  const since = last ?? runs.at(-1)?.fireTime ?? schedule.createdAt;
  if (now - since <= ALERTS_STALE_AFTER_MS) return { name: "alerts", status: "ok", message: "alerts are evaluated every 30 s", value: null };
  return {
    ...stale(`no ${name} run has finished for ${spanText(now - since)}; see the ${MAINTENANCE_QUEUE} queue and its worker`),
    value: now - since,
  };
}
