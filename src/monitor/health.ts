/** The health report: score and status from the firing alerts, plus live checks of the store and the disk. */
import type { Alert } from "../core/monitor-store.ts";
import { StorageUnavailable } from "../core/errors.ts";
import type { Store } from "../core/store.ts";
import { diskUsage } from "./disk-usage.ts";
import { healthScore, type HealthStatus } from "./health-score.ts";
import type { AlertThresholds } from "./monitor-config.ts";
import { diskPercent } from "./rule-input.ts";

export type CheckStatus = "ok" | "warning" | "critical" | "unknown";

export type HealthCheck = { name: "store" | "disk"; status: CheckStatus; message: string; value: number | null };

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
  const alerts = await p.store.alertsList({ state: "firing", limit: 1000, now: p.now });
  return { at: p.now, ...healthScore(alerts), checks, alerts };
}
