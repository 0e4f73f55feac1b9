/** The daily report against a known day of work, and the stats snapshot's figures. */
import { afterEach, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { dayRange } from "../src/monitor/calendar.ts";
import { reportFileOf } from "../src/monitor/daily-report.ts";
import { Monitor } from "../src/monitor/monitor.ts";
import { percentile, windowStats, zeroBuckets, zeroCounters } from "../src/monitor/stats.ts";
import { MonitorWorld } from "./helpers/monitor-world.ts";

let world: MonitorWorld;
afterEach(async () => world?.close());

/** 2026-01-04: 2 jobs. 2026-01-05: emails at 09:00 and 14:00, reports at 14:30 and 20:00. 2026-01-06: 1 job. */
async function knownWorkload(w: MonitorWorld) {
  w.clock.set("2026-01-04T12:00:00Z");
  await w.run("a", { runMs: 1000 });
  await w.run("a", { runMs: 1000 });
  w.clock.set("2026-01-05T09:00:00Z");
  for (let i = 1; i <= 10; i++) await w.run("emails", { waitMs: 100, runMs: i * 100 });
  w.clock.set("2026-01-05T14:00:00Z");
  for (const type of ["smtp", "smtp", "smtp", "dns"]) await w.run("emails", { runMs: 50, fail: type, final: true });
  w.clock.set("2026-01-05T14:30:00Z");
  const retried = await w.run("reports", { runMs: 100, fail: "timeout", options: { maxAttempts: 3, backoff: { type: "fixed", delayMs: 1000 } } });
  expect(retried.state).toBe("delayed");
  w.clock.advance(1000);
  const again = await w.claimOne("reports");
  w.clock.advance(3000);
  await w.svc.complete({ id: again.id, token: again.leaseToken! });
  w.clock.set("2026-01-05T20:00:00Z");
  const slow1 = await w.run("reports", { runMs: 5000 });
  const slow2 = await w.run("reports", { runMs: 6000 });
  const cancelled = await w.enqueue("reports");
  await w.svc.cancel(cancelled.id);
  w.clock.set("2026-01-06T00:30:00Z");
  await w.run("a");
  w.clock.set("2026-01-06T02:00:00Z");
  return { slow1, slow2, retried };
}

describe("daily report", () => {
  test("the figures of a known day", async () => {
    world = new MonitorWorld();
    const { slow1, slow2, retried } = await knownWorkload(world);
    const monitor = new Monitor({ store: world.store, clock: world.clock, dataDir: world.dir, channels: [] });
    const { report, file } = await monitor.dailyReport({ timezone: "UTC" });
    expect(report).toMatchObject({
      date: "2026-01-05", timezone: "UTC", from: "2026-01-05T00:00:00.000Z", to: "2026-01-06T00:00:00.000Z",
      generatedAt: "2026-01-06T02:00:00.000Z",
      totals: { enqueued: 18, started: 18, completed: 13, failed: 4, cancelled: 1, retried: 1, expired: 0, recovered: 1 },
      states: { waiting: 0, delayed: 0, blocked: 0, active: 0, completed: 16, failed: 4, cancelled: 1 },
      completionRate: 0.7647,
      failureRate: 0.2353,
      // Completed run times 100…1000, 3000, 5000, 6000: average 19500 / 13; p95 falls in the 5–10 s bucket.
      runTime: { avgMs: 1500, p95Ms: 6750 },
      peakHour: { hour: "09:00", finished: 10 },
      failuresByType: [{ type: "smtp", n: 3 }, { type: "dns", n: 1 }, { type: "timeout", n: 1 }],
      retries: { retriedAttempts: 1, recoveredJobs: 1, expiredLeases: 0, completedAfterRetryShare: 0.0769 },
    });
    // Only the ten emails waited (100 ms each); the retry started the moment its backoff ended.
    expect(report.waitTime.avgMs).toBe(Math.round((10 * 100) / 18));
    expect(report.slowest.map((s) => [s.jobId, s.runMs])).toEqual([
      [slow2.id, 6000], [slow1.id, 5000], [retried.id, 3000], [expect.any(String), 1000], [expect.any(String), 900],
    ]);
    expect(report.slowest[0]).toMatchObject({ queue: "reports", finishedAt: "2026-01-05T20:00:11.000Z" });
    expect(report.hourly).toHaveLength(24);
    expect(report.hourly.filter((h) => h.enqueued + h.completed + h.failed > 0).map((h) => [h.hour, h.enqueued, h.completed, h.failed])).toEqual([
      ["09:00", 10, 10, 0],
      ["14:00", 5, 1, 4],
      ["20:00", 3, 2, 0],
    ]);
    expect(report.queues).toEqual([
      expect.objectContaining({ queue: "emails", enqueued: 14, completed: 10, failed: 4, completionRate: 0.7143, failureRate: 0.2857, runTime: { avgMs: 550, p95Ms: 950 } }),
      expect.objectContaining({ queue: "reports", enqueued: 4, completed: 3, failed: 0, cancelled: 1, failureRate: 0 }),
    ]);
    expect(report.trend.map((d) => [d.date, d.completed, d.failed])).toEqual([
      ["2025-12-30", 0, 0], ["2025-12-31", 0, 0], ["2026-01-01", 0, 0], ["2026-01-02", 0, 0], ["2026-01-03", 0, 0],
      ["2026-01-04", 2, 0], ["2026-01-05", 13, 4],
    ]);
    expect(report.trend[5]).toMatchObject({ avgRunMs: 1000, failureRate: 0 });
    expect(report.disk!.usedPercent).toBeGreaterThan(0);
    expect(file).toBe(reportFileOf(world.dir, "2026-01-05"));
    expect(JSON.parse(readFileSync(file!, "utf8"))).toEqual(report);
    expect((await world.store.reportGet({ kind: "daily", date: "2026-01-05" }))!.body).toEqual(report);
  });

  test("days follow the report's time zone", async () => {
    world = new MonitorWorld();
    await knownWorkload(world);
    const monitor = new Monitor({ store: world.store, clock: world.clock, dataDir: null, channels: [] });
    // In New York, 2026-01-05 runs from 05:00 UTC to 05:00 UTC the next day: the 00:30 UTC job of the 6th is in it.
    const { report, file } = await monitor.dailyReport({ date: "2026-01-05", timezone: "America/New_York" });
    expect(file).toBeNull();
    expect(report.from).toBe(new Date(dayRange("2026-01-05", "America/New_York").from).toISOString());
    expect(report.totals.completed).toBe(14);
    expect(report.peakHour).toEqual({ hour: "04:00", finished: 10 });
  });
});

describe("stats", () => {
  test("p95 interpolates inside its histogram bucket", () => {
    const buckets = zeroBuckets();
    expect(percentile(buckets, 0.95)).toBeNull();
    buckets[4] = 100; // ≤ 100 ms
    expect(percentile(buckets, 0.95)).toBe(50 + Math.round(50 * 0.95));
    buckets[15] = 100; // above 30 min
    expect(percentile(buckets, 0.95)).toBe(1_800_000);
    expect(percentile(buckets, 0.5)).toBe(100);
  });

  test("window figures: throughput per minute, failure rate, averages", () => {
    const run = zeroBuckets();
    run[7] = 60;
    const w = windowStats({ ...zeroCounters(), completed: 60, failed: 30, started: 90, runMs: 30_000, waitMs: 9000 }, run, zeroBuckets(), 3_600_000);
    expect(w).toMatchObject({
      throughputPerMinute: { completed: 1, failed: 0.5 }, failureRate: 0.33, runTime: { avgMs: 500, p95Ms: 975 }, waitTime: { avgMs: 100, p95Ms: null },
    });
  });

  test("the snapshot has counts now and the last hour's and day's figures per queue", async () => {
    world = new MonitorWorld("2026-01-05T10:00:00Z");
    for (let i = 0; i < 6; i++) await world.run("q", { waitMs: 1000, runMs: 2000 });
    world.clock.advance(2 * 3_600_000);
    for (let i = 0; i < 3; i++) await world.run("q", { runMs: 100, fail: "boom", final: true });
    await world.enqueue("q");
    const monitor = new Monitor({ store: world.store, clock: world.clock, dataDir: null, channels: [] });
    const stats = await monitor.stats();
    expect(stats.counts).toMatchObject({ waiting: 1, completed: 6, failed: 3 });
    expect(stats.lastHour).toMatchObject({ enqueued: 4, completed: 0, failed: 3, failureRate: 1, throughputPerMinute: { failed: 0.05 } });
    expect(stats.lastDay).toMatchObject({ completed: 6, failed: 3, failureRate: 0.33, runTime: { avgMs: 2000 }, waitTime: { avgMs: Math.round(6000 / 9) } });
    expect(stats.queues.map((q) => [q.queue, q.counts.waiting, q.lastDay.completed])).toEqual([["q", 1, 6]]);
  });
});
