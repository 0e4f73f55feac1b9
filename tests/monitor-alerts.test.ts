/** Alerts end to end under a test clock: each rule fires from real jobs, workers and schedules, then resolves; log files and events follow. */
import { afterEach, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import type { Alert } from "../src/core/monitor-store.ts";
import { eventLogPruning } from "../src/duties/event-log-pruning.ts";
import { logFileOf } from "../src/monitor/channels/log-channel.ts";
import { monitorConfig, type AlertThresholds } from "../src/monitor/monitor-config.ts";
import { Monitor } from "../src/monitor/monitor.ts";
import { MonitorWorld } from "./helpers/monitor-world.ts";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

let world: MonitorWorld;
const monitors: Monitor[] = [];
afterEach(async () => {
  // Notices go out in the background: let them land before the data folder goes.
  await Promise.all(monitors.splice(0).map((m) => m.notifier.idle()));
  await world?.close();
});

/** A monitor over the world's store; the disk rule is kept quiet unless a test sets its thresholds. */
function monitorOf(w: MonitorWorld, thresholds: Partial<AlertThresholds> = {}): Monitor {
  const config = monitorConfig({ thresholds: { diskWarningPercent: 100, diskCriticalPercent: 100, ...thresholds } });
  const monitor = new Monitor({ store: w.store, clock: w.clock, dataDir: w.dir, config });
  monitors.push(monitor);
  return monitor;
}

async function firing(w: MonitorWorld, rule: string): Promise<Alert[]> {
  return (await w.store.alertsList({ state: "firing", limit: 100, now: w.now() })).filter((a) => a.rule === rule);
}

/** Keeps a worker of the queue seen, so worker_down stays out of tests about other rules. */
async function workerSeen(w: MonitorWorld, queues = ["q"], id = "w1") {
  await w.store.workerSeen({ id, queues, forgetShutdownAfterMs: 30_000, now: w.now() });
}

describe("alert lifecycle", () => {
  test("queue_backlog fires past its threshold, stays one alert while seen, resolves; logs and events record it", async () => {
    world = new MonitorWorld();
    const monitor = monitorOf(world, { queueBacklog: 5 });
    await workerSeen(world);
    await world.svc.enqueueMany("q", Array.from({ length: 5 }, () => ({})));
    expect((await monitor.healthTick()).fired).toEqual([]);
    await world.enqueue("q");
    const firedAt = world.now();
    const first = await monitor.healthTick();
    expect(first).toMatchObject({ firing: 1, score: 80, status: "healthy" });
    world.clock.advance(30_000);
    await workerSeen(world);
    const second = await monitor.healthTick();
    expect(second.fired).toEqual([]);
    const [alert] = await firing(world, "queue_backlog");
    expect(alert).toMatchObject({ subject: "q", severity: "warning", value: 6, threshold: 5, firstSeen: firedAt, lastSeen: firedAt + 30_000 });
    expect(alert!.message).toBe("queue q has 6 waiting jobs (more than 5); the oldest has waited 30 s");
    await world.claimOne("q");
    world.clock.advance(30_000);
    await workerSeen(world);
    const third = await monitor.healthTick();
    expect(third).toMatchObject({ resolved: [alert!.id], firing: 0, score: 100 });
    expect((await world.store.alertGet({ id: alert!.id }))!.resolvedAt).toBe(world.now());
    await monitor.notifier.idle();
    const lines = readFileSync(logFileOf(world.dir, "warning"), "utf8").trim().split("\n");
    expect(lines).toHaveLength(2);
    expect(lines[0]).toStartWith(`${new Date(firedAt).toISOString()} [spool] FIRING warning queue_backlog (q): queue q has 6 waiting jobs`);
    // Its message was true while it fired: the notice says so, and how long it lasted.
    expect(lines[1]).toStartWith(`${new Date(world.now()).toISOString()} [spool] RESOLVED queue_backlog (q) after 1 min; it had fired as: queue q has 6 waiting jobs`);
    const { events } = await world.store.eventsAfter({ afterId: 0, filters: { queue: "q" }, limit: 1000, now: world.now() });
    expect(events.filter((e) => e.type.startsWith("alert.")).map((e) => [e.type, (e.data as Alert).id])).toEqual([
      ["alert.firing", alert!.id],
      ["alert.resolved", alert!.id],
    ]);
  });

  test("failure_rate escalates from warning to critical, and resolves once the hour has passed", async () => {
    world = new MonitorWorld();
    const monitor = monitorOf(world, { failureRateMinFinished: 4 });
    for (let i = 0; i < 3; i++) await world.run("q");
    await world.run("q", { fail: "boom", final: true });
    await monitor.healthTick();
    expect((await firing(world, "failure_rate")).map((a) => [a.severity, a.value])).toEqual([["warning", 0.25]]);
    for (let i = 0; i < 3; i++) await world.run("q", { fail: "boom", final: true });
    await monitor.healthTick();
    expect((await firing(world, "failure_rate")).map((a) => [a.severity, a.value])).toEqual([["critical", 4 / 7]]);
    await monitor.notifier.idle();
    expect(readFileSync(logFileOf(world.dir, "critical"), "utf8")).toContain("FIRING critical failure_rate (q)");
    // Easing back to warning is no news to page anyone about: the alert shows its severity, no notice goes out.
    for (let i = 0; i < 20; i++) await world.run("q");
    await monitor.healthTick();
    expect((await firing(world, "failure_rate")).map((a) => a.severity)).toEqual(["warning"]);
    await monitor.notifier.idle();
    expect(readFileSync(logFileOf(world.dir, "warning"), "utf8").trim().split("\n")).toHaveLength(1);
    world.clock.advance(HOUR);
    await monitor.healthTick();
    expect(await firing(world, "failure_rate")).toEqual([]);
  });

  test("worker_down fires 60 s after the queue's last worker was seen, and resolves when one is seen", async () => {
    world = new MonitorWorld();
    const monitor = monitorOf(world);
    await workerSeen(world);
    await world.enqueue("q");
    world.clock.advance(MINUTE);
    await monitor.healthTick();
    expect(await firing(world, "worker_down")).toEqual([]);
    world.clock.advance(1);
    const tick = await monitor.healthTick();
    expect(tick).toMatchObject({ score: 70, status: "degraded" });
    expect((await firing(world, "worker_down")).map((a) => [a.subject, a.severity, a.message])).toEqual([
      ["q", "error", "queue q has runnable jobs but no worker taking its jobs has been seen for 60 s"],
    ]);
    await workerSeen(world, ["q"], "w2");
    await monitor.healthTick();
    expect(await firing(world, "worker_down")).toEqual([]);
  });

  test("worker_down on a queue no known worker takes: its workers moved to other queues, or there never were any", async () => {
    world = new MonitorWorld();
    const monitor = monitorOf(world);
    await workerSeen(world, ["other"]);
    await world.enqueue("q");
    // Its jobs were enqueued before any worker of it started: a minute's grace from when that was first seen.
    await monitor.healthTick();
    expect(await firing(world, "worker_down")).toEqual([]);
    world.clock.advance(MINUTE);
    await workerSeen(world, ["other"]);
    await monitor.healthTick();
    expect((await firing(world, "worker_down")).map((a) => a.message)).toEqual(["queue q has runnable jobs but no worker taking its jobs is known (its jobs have waited 60 s)"]);
  });

  test("worker_down for a queue no worker ever took stays firing across a restart, as the same alert, counting from when it was first seen", async () => {
    world = new MonitorWorld();
    await world.enqueue("q");
    const first = monitorOf(world);
    await first.healthTick();
    world.clock.advance(MINUTE);
    await first.healthTick();
    const [fired] = await firing(world, "worker_down");
    expect(fired!.message).toContain("its jobs have waited 60 s");
    // A restarted server has no memory of since when the queue went unserved: the firing alert tells it.
    world.clock.advance(2 * MINUTE);
    const restarted = monitorOf(world);
    await restarted.healthTick();
    const [still] = await firing(world, "worker_down");
    expect(still).toMatchObject({ id: fired!.id, firstSeen: fired!.firstSeen });
    expect(still!.message).toContain("its jobs have waited 180 s");
    expect(await world.store.alertsList({ state: "resolved", limit: 10, now: world.now() })).toEqual([]);
  });

  test("stalled_jobs fires when a lease expires and resolves an hour later", async () => {
    world = new MonitorWorld();
    const monitor = monitorOf(world);
    await world.enqueue("q", { maxAttempts: 1 });
    await world.claimOne("q", 10_000);
    world.clock.advance(10_000);
    await world.svc.reapExpiredLeases();
    await workerSeen(world);
    await monitor.healthTick();
    expect((await firing(world, "stalled_jobs")).map((a) => a.value)).toEqual([1]);
    world.clock.advance(HOUR - 60_000);
    await workerSeen(world);
    await monitor.healthTick();
    expect(await firing(world, "stalled_jobs")).toHaveLength(1);
    world.clock.advance(60_000);
    await workerSeen(world);
    await monitor.healthTick();
    expect(await firing(world, "stalled_jobs")).toEqual([]);
  });

  test("schedule_late fires more than two periods behind and resolves when the schedule catches up", async () => {
    world = new MonitorWorld();
    const monitor = monitorOf(world);
    const def = {
      name: "tick", cron: null, every: "1m", timezone: "UTC", queue: "ticks", payload: null, jobOptions: {},
      enabled: true, overlap: "allow" as const, catchUp: "one" as const,
    };
    const created = await world.store.scheduleCreate({ schedule: { ...def, builtin: false, nextFireAt: world.now() }, now: world.now() });
    world.clock.advance(2 * MINUTE);
    await monitor.healthTick();
    expect(await firing(world, "schedule_late")).toEqual([]);
    world.clock.advance(1);
    await monitor.healthTick();
    expect((await firing(world, "schedule_late")).map((a) => a.subject)).toEqual(["tick"]);
    await world.store.schedulePut({ schedule: def, nextFireAt: world.now() + MINUTE, expectedRevision: created!.revision, now: world.now() });
    await monitor.healthTick();
    expect(await firing(world, "schedule_late")).toEqual([]);
  });

  test("disk_space fires by its configured thresholds against the data folder's real volume", async () => {
    world = new MonitorWorld();
    await monitorOf(world, { diskWarningPercent: 0, diskCriticalPercent: 100 }).healthTick();
    expect((await firing(world, "disk_space")).map((a) => [a.subject, a.severity])).toEqual([["disk", "warning"]]);
    await monitorOf(world, { diskWarningPercent: 0, diskCriticalPercent: 0 }).healthTick();
    expect((await firing(world, "disk_space")).map((a) => a.severity)).toEqual(["critical"]);
    await monitorOf(world).healthTick();
    expect(await firing(world, "disk_space")).toEqual([]);
  });

  test("error_concentration fires when one error type dominates and resolves when it no longer does", async () => {
    world = new MonitorWorld();
    const monitor = monitorOf(world, { errorConcentrationMin: 4 });
    await workerSeen(world);
    for (const type of ["smtp", "smtp", "smtp", "dns"]) await world.run("q", { fail: type, final: true });
    await monitor.healthTick();
    const [alert] = await firing(world, "error_concentration");
    expect(alert).toMatchObject({ subject: "q", value: 0.75 });
    expect(alert!.message).toContain('"smtp"');
    for (let i = 0; i < 2; i++) await world.run("q", { fail: "dns", final: true });
    await monitor.healthTick();
    expect(await firing(world, "error_concentration")).toEqual([]);
  });

  test("no_activity fires once enqueued jobs sat a grace period with nothing finished, and resolves when one finishes", async () => {
    world = new MonitorWorld();
    const monitor = monitorOf(world);
    await world.enqueue("q");
    await workerSeen(world);
    world.clock.advance(HOUR - MINUTE);
    await workerSeen(world);
    await monitor.healthTick();
    expect(await firing(world, "no_activity")).toEqual([]);
    world.clock.advance(MINUTE);
    await workerSeen(world);
    await monitor.healthTick();
    expect((await firing(world, "no_activity")).map((a) => a.subject)).toEqual(["q"]);
    const job = await world.claimOne("q");
    await world.svc.complete({ id: job.id, token: job.leaseToken! });
    await monitor.healthTick();
    expect(await firing(world, "no_activity")).toEqual([]);
  });

  test("no_activity stays firing past the window while the queue's jobs still wait, and resolves once one finishes", async () => {
    world = new MonitorWorld();
    const monitor = monitorOf(world);
    await world.enqueue("q");
    await world.enqueue("q");
    world.clock.advance(HOUR);
    await workerSeen(world);
    await monitor.healthTick();
    expect((await firing(world, "no_activity")).map((a) => a.subject)).toEqual(["q"]);
    // The enqueues leave the 24 h window; the jobs are still there and nothing has finished.
    world.clock.advance(DAY);
    await workerSeen(world);
    await monitor.healthTick();
    expect((await firing(world, "no_activity")).map((a) => a.message)).toEqual(["queue q: 2 jobs waiting or running and none finished in the last 1 d"]);
    const job = await world.claimOne("q");
    await world.svc.complete({ id: job.id, token: job.leaseToken! });
    await monitor.healthTick();
    expect(await firing(world, "no_activity")).toEqual([]);
  });

  test("the health task's event-log pruning keeps the log bounded, after the evaluation's own events", async () => {
    world = new MonitorWorld();
    const monitor = new Monitor({ store: world.store, clock: world.clock, dataDir: world.dir, config: monitorConfig({ eventLogKeep: 10 }) });
    monitors.push(monitor);
    await world.svc.enqueueMany("q", Array.from({ length: 50 }, () => ({})));
    await monitor.healthTick();
    world.clock.advance(MINUTE);
    await monitor.healthTick();
    // 50 enqueues and the worker_down alert they cause: the newest 10 stay.
    expect(await eventLogPruning.run({ service: world.svc, monitor, dataDir: world.dir })).toEqual({ eventsPruned: 41 });
    await monitor.notifier.idle();
    expect(readFileSync(logFileOf(world.dir, "error"), "utf8")).toContain("FIRING error worker_down (q)");
  });
});
