/** The health score's arithmetic and the health report: firing alerts, store and disk checks. */
import { afterEach, describe, expect, test } from "bun:test";
import { rmSync } from "node:fs";
import type { Alert } from "../src/core/monitor-store.ts";
import { deduction, healthScore, statusOf } from "../src/monitor/health-score.ts";
import { monitorConfig } from "../src/monitor/monitor-config.ts";
import { Monitor } from "../src/monitor/monitor.ts";
import { ALERTS_STALE_AFTER_MS, alertsCheck } from "../src/monitor/health.ts";
import { ensureBuiltins } from "../src/scheduler/builtins.ts";
import { ScheduleService } from "../src/scheduler/schedule-service.ts";
import { WorkerRegistry } from "../src/workers/worker-registry.ts";
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
    expect(report.checks.map((c) => [c.name, c.status])).toEqual([["store", "ok"], ["disk", expect.stringMatching(/^(ok|warning|critical)$/)], ["alerts", expect.any(String)]]);
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

describe("whether alerts are being evaluated", () => {
  let world: MonitorWorld;
  afterEach(async () => world?.close());

  test("the alerts check turns to a warning when spool:health is missing, paused, or its runs stop finishing", async () => {
    world = new MonitorWorld();
    const store = world.store;
    const check = () => alertsCheck(store, world.now());
    expect(await check()).toMatchObject({ status: "warning", message: expect.stringContaining("the spool:health schedule is missing") });
    await ensureBuiltins({ store, now: world.now() });
    expect(await check()).toMatchObject({ status: "ok", message: "alerts are evaluated every 30 s" });
    // A fire whose job never finishes (its queue stalled): fine for a while, then stale.
    const schedules = new ScheduleService(world.svc, { clock: world.clock });
    const fired = await schedules.trigger("spool:health");
    world.clock.advance(ALERTS_STALE_AFTER_MS);
    expect((await check()).status).toBe("ok");
    world.clock.advance(1000);
    expect(await check()).toMatchObject({ status: "warning", message: "alerts are not being evaluated: no spool:health run has finished for 91 s; see the spool:maintenance queue and its worker" });
    // Its job runs: evaluated again.
    const [job] = await world.svc.claim({ queue: "spool:maintenance", workerId: "maint" });
    expect(job!.id).toBe(fired.job.id);
    await world.svc.complete({ id: job!.id, token: job!.leaseToken! });
    expect(await check()).toMatchObject({ status: "ok", message: "alerts evaluated 0 s ago" });
    await schedules.pause("spool:health");
    expect(await check()).toMatchObject({ status: "warning", message: "alerts are not being evaluated: the spool:health schedule is paused" });
  });

  test("spool's own maintenance queue cannot be paused, nor its worker shut down: health checks would stop with them", async () => {
    world = new MonitorWorld();
    await expect(world.svc.pauseQueue("spool:maintenance", true)).rejects.toMatchObject({ code: "conflict", status: 409 });
    // Nor starved by a rate limit, nor sent elsewhere by a push target; its concurrency may change.
    await expect(world.svc.putQueue("spool:maintenance", { rateLimit: { max: 1, intervalMs: 3_153_600_000_000 } })).rejects.toMatchObject({ code: "conflict" });
    await expect(world.svc.putQueue("spool:maintenance", { target: { url: "http://127.0.0.1:9/x" } })).rejects.toMatchObject({ code: "conflict" });
    expect((await world.svc.putQueue("spool:maintenance", { concurrency: 2 })).concurrency).toBe(2);
    // Resuming one paused before this rule stays possible.
    await world.store.queuePause({ queue: "spool:maintenance", paused: true, now: world.now() });
    expect((await world.svc.pauseQueue("spool:maintenance", false)).paused).toBe(false);
    const registry = new WorkerRegistry({ store: world.store, clock: world.clock });
    await world.store.workerSeen({ id: "maint", queues: ["spool:maintenance"], forgetShutdownAfterMs: 60_000, now: world.now() });
    await expect(registry.requestShutdown("maint")).rejects.toMatchObject({ code: "conflict", status: 409 });
    await world.store.workerSeen({ id: "mine", queues: ["emails"], forgetShutdownAfterMs: 60_000, now: world.now() });
    expect((await registry.requestShutdown("mine")).shutdownRequestedAt).toBe(world.now());
  });
});
