/** The health score: 100 minus a deduction per firing alert, and the status it reads as. */
import type { Alert, AlertSeverity } from "../core/monitor-store.ts";

export type HealthStatus = "healthy" | "degraded" | "unhealthy";

/** Points each firing alert takes off, by rule and severity; rules not listed take nothing. */
export const DEDUCTIONS: Record<string, Partial<Record<AlertSeverity, number>>> = {
  worker_down: { warning: 30, error: 30, critical: 30 },
  queue_backlog: { warning: 20, error: 20, critical: 20 },
  failure_rate: { warning: 10, critical: 20 },
  disk_space: { warning: 10, critical: 20 },
  stalled_jobs: { warning: 10, error: 10, critical: 10 },
};

export function deduction(alert: Pick<Alert, "rule" | "severity">): number {
  return DEDUCTIONS[alert.rule]?.[alert.severity] ?? 0;
}

/** 80–100 healthy, 50–79 degraded, 0–49 unhealthy. */
export function statusOf(score: number): HealthStatus {
  if (score >= 80) return "healthy";
  if (score >= 50) return "degraded";
  return "unhealthy";
}

export function healthScore(firing: Pick<Alert, "rule" | "severity">[]): { score: number; status: HealthStatus } {
  const score = Math.max(0, 100 - firing.reduce((sum, a) => sum + deduction(a), 0));
  return { score, status: statusOf(score) };
}
