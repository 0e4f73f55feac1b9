/** The health score's arithmetic and the health report: firing alerts, store and disk checks. */
import { afterEach, describe, expect, test } from "bun:test";
import { rmSync } from "node:fs";
import type { Alert } from "../src/core/monitor-store.ts";
import { deduction, healthScore, statusOf } from "../src/monitor/health-score.ts";
import { monitorConfig } from "../src/monitor/monitor-config.ts";
import { Monitor } from "../src/monitor/monitor.ts";
import { MonitorWorld } from "./helpers/monitor-world.ts";

const a = (rule: string, severity: Alert["severity"]) => ({ rule, severity });

describe("health score", () => {
  test("each firing alert takes off its deduction", () => {
    expect(deduction(a("worker_down", "error"))).toBe(30);
    expect(deduction(a("queue_backlog", "warning"))).toBe(20);
    expect(deduction(a("failure_rate", "warning"))).toBe(10);
    expect(deduction(a("failure_rate", "critical"))).toBe(20);
    expect(deduction(a("disk_space", "warning"))).toBe(10);
    expect(deduction(a("disk_space", "critical"))).toBe(20);
    expect(deduction(a("stalled_jobs", "warning"))).toBe(10);
    for (const rule of ["schedule_late", "error_concentration", "no_activity"]) expect(deduction(a(rule, "warning"))).toBe(0);
  });

  test("sums, floors at 0, and reads as healthy 80–100, degraded 50–79, unhealthy 0–49", () => {
    expect(healthScore([])).toEqual({ score: 100, status: "healthy" });
    expect(healthScore([a("queue_backlog", "warning")])).toEqual({ score: 80, status: "healthy" });
    expect(healthScore([a("queue_backlog", "warning"), a("stalled_jobs", "warning")])).toEqual({ score: 70, status: "degraded" });
    expect(healthScore([a("worker_down", "error"), a("queue_backlog", "warning")])).toEqual({ score: 50, status: "degraded" });
    expect(healthScore([a("worker_down", "error"), a("queue_backlog", "warning"), a("failure_rate", "warning")])).toEqual({ score: 40, status: "unhealthy" });
    expect(healthScore([a("worker_down", "error"), a("worker_down", "error"), a("worker_down", "error"), a("queue_backlog", "warning"), a("disk_space", "critical")]))
      .toEqual({ score: 0, status: "unhealthy" });
    expect([100, 80, 79, 50, 49, 0].map(statusOf)).toEqual(["healthy", "healthy", "degraded", "degraded", "unhealthy", "unhealthy"]);
  });
});

describe("health report", () => {
  let world: MonitorWorld;
  afterEach(async () => world?.close());

  test("scores the firing alerts and checks the store and the disk", async () => {
    world = new MonitorWorld();
    const monitor = new Monitor({ store: world.store, clock: world.clock, dataDir: world.dir, config: monitorConfig({ thresholds: { queueBacklog: 1, workerDownMs: 0 } }), channels: [] });
    await world.svc.enqueueMany("q", [{}, {}]);
    await monitor.healthTick();
    const report = await monitor.health();
    expect(report).toMatchObject({ at: world.now(), score: 50, status: "degraded" });
    expect(report.alerts.map((x) => x.rule).sort()).toEqual(["queue_backlog", "worker_down"]);
    expect(report.checks.map((c) => [c.name, c.status])).toEqual([["store", "ok"], ["disk", expect.stringMatching(/^(ok|warning|critical)$/)]]);
    expect(report.checks[1]!.value).toBeGreaterThan(0);
  });

  test("an unreachable store makes spool unhealthy with score 0", async () => {
    const broken = new MonitorWorld();
    try {
      const monitor = new Monitor({ store: broken.store, clock: broken.clock, dataDir: null, channels: [] });
      broken.store.db.close();
      const report = await monitor.health();
      expect(report).toMatchObject({ score: 0, status: "unhealthy", alerts: [] });
      expect(report.checks.map((c) => [c.name, c.status])).toEqual([["store", "critical"], ["disk", "unknown"]]);
    } finally {
      rmSync(broken.dir, { recursive: true, force: true });
    }
  });
});
