/** Prometheus metrics from the store: valid exposition text with the figures of the jobs, workers, alerts and lanes behind it. */
import { afterEach, describe, expect, test } from "bun:test";
import { statSync } from "node:fs";
import { join } from "node:path";
import { Metrics } from "../src/monitor/metrics.ts";
import { MonitorWorld } from "./helpers/monitor-world.ts";
import { parseExposition, sampleValue } from "./helpers/prometheus.ts";

let world: MonitorWorld;
afterEach(async () => world?.close());

describe("metrics", () => {
  test("depth, finished, histograms, workers, alerts, blocked lanes and refused completions", async () => {
    world = new MonitorWorld();
    for (const runMs of [40, 40, 700]) await world.run("emails", { waitMs: 20, runMs });
    await world.run("emails", { fail: "smtp", final: true });
    await world.svc.putQueue("orders", { ...(await world.svc.getQueue("orders")), laneOnFailure: "block" });
    await world.run("orders", { fail: "conflict", final: true, options: { key: "o-1", maxAttempts: 1 } });
    await world.enqueue("orders", { key: "o-1" });
    await world.enqueue("emails", { delayMs: 60_000 });
    const stale = await world.enqueue("emails");
    const leased = await world.claimOne("emails", 1000);
    world.clock.advance(1000);
    await world.svc.reapExpiredLeases();
    await expect(world.svc.complete({ id: stale.id, token: leased.leaseToken! })).rejects.toMatchObject({ code: "lease_lost" });
    await world.store.workerSeen({ id: "w1", queues: ["emails"], forgetShutdownAfterMs: 30_000, now: world.now() });
    await world.store.workerSeen({ id: "w0", queues: ["emails"], forgetShutdownAfterMs: 30_000, now: world.now() - 60_000 });
    await world.store.alertUpsert({ rule: "queue_backlog", subject: "emails", severity: "warning", message: "m", value: 1, threshold: 0, now: world.now() });
    await world.enqueue("backlog");
    world.clock.advance(5000);

    const metrics = new Metrics({ store: world.store, refusedCompletions: () => world.svc.refusedCompletions });
    const text = await metrics.scrape(world.now());
    const m = parseExposition(text);
    expect(metrics.contentType).toStartWith("text/plain; version=0.0.4");
    expect([...m.values()].map((f) => [f.name, f.type])).toEqual([
      ["spool_jobs", "gauge"],
      ["spool_jobs_finished_total", "counter"],
      ["spool_workers_online", "gauge"],
      ["spool_alerts_firing", "gauge"],
      ["spool_lanes_blocked", "gauge"],
      ["spool_lane_blocked_oldest_seconds", "gauge"],
      ["spool_queue_oldest_waiting_seconds", "gauge"],
      ["spool_stale_completions_refused_total", "counter"],
      ["spool_storage_bytes", "gauge"],
      ["spool_job_run_seconds", "histogram"],
      ["spool_job_wait_seconds", "histogram"],
    ]);
    expect(sampleValue(m, "spool_jobs", { queue: "emails", state: "completed" })).toBe(3);
    expect(sampleValue(m, "spool_jobs", { queue: "emails", state: "delayed" })).toBe(2);
    expect(sampleValue(m, "spool_jobs", { queue: "orders", state: "blocked" })).toBe(1);
    expect(sampleValue(m, "spool_jobs_finished_total", { queue: "emails", outcome: "completed" })).toBe(3);
    expect(sampleValue(m, "spool_jobs_finished_total", { queue: "emails", outcome: "failed" })).toBe(1);
    expect(sampleValue(m, "spool_jobs_finished_total", { queue: "orders", outcome: "failed" })).toBe(1);
    expect(sampleValue(m, "spool_job_run_seconds_bucket", { queue: "emails", le: "0.05" })).toBe(2);
    expect(sampleValue(m, "spool_job_run_seconds_bucket", { queue: "emails", le: "0.5" })).toBe(2);
    expect(sampleValue(m, "spool_job_run_seconds_bucket", { queue: "emails", le: "1" })).toBe(3);
    expect(sampleValue(m, "spool_job_run_seconds_count", { queue: "emails" })).toBe(3);
    expect(sampleValue(m, "spool_job_run_seconds_sum", { queue: "emails" })).toBeCloseTo(0.78);
    expect(sampleValue(m, "spool_job_wait_seconds_count", { queue: "emails" })).toBe(5);
    expect(sampleValue(m, "spool_workers_online")).toBe(1);
    expect(sampleValue(m, "spool_alerts_firing", { rule: "queue_backlog", severity: "warning" })).toBe(1);
    expect(sampleValue(m, "spool_lanes_blocked", { queue: "orders" })).toBe(1);
    expect(sampleValue(m, "spool_lane_blocked_oldest_seconds", { queue: "orders" })).toBe(6);
    expect(sampleValue(m, "spool_queue_oldest_waiting_seconds", { queue: "backlog" })).toBe(5);
    expect(sampleValue(m, "spool_stale_completions_refused_total")).toBe(1);
  });

  test("counters keep counting across scrapes and past old minutes, and survive job retention", async () => {
    world = new MonitorWorld();
    const metrics = new Metrics({ store: world.store, refusedCompletions: () => 0 });
    const completed = async () => sampleValue(parseExposition(await metrics.scrape(world.now())), "spool_jobs_finished_total", { queue: "q", outcome: "completed" });
    expect(await completed()).toBeUndefined();
    await world.run("q");
    expect(await completed()).toBe(1);
    world.clock.advance(10 * 60_000);
    await world.run("q");
    expect(await completed()).toBe(2);
    world.clock.advance(3_600_000);
    await world.svc.purgeQueue("q", "completed");
    await world.run("q");
    expect(await completed()).toBe(3);
    expect(await completed()).toBe(3);
    // A new process sums the stored history afresh and agrees.
    expect(sampleValue(parseExposition(await new Metrics({ store: world.store, refusedCompletions: () => 0 }).scrape(world.now())),
      "spool_jobs_finished_total", { queue: "q", outcome: "completed" })).toBe(3);
  });

  test("the database file's size and its WAL's, as they are on disk", async () => {
    world = new MonitorWorld();
    const metrics = new Metrics({ store: world.store, refusedCompletions: () => 0 });
    const storage = async (file: string) => sampleValue(parseExposition(await metrics.scrape(world.now())), "spool_storage_bytes", { file });
    const path = join(world.dir, "spool.db");
    await world.run("q");
    world.store.db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
    // A scrape folds new events into the aggregates (a write of its own): sizes are read after it.
    expect(await storage("database")).toBe(statSync(path).size);
    expect(await storage("wal")).toBe(statSync(`${path}-wal`).size);
    expect(await storage("wal")).toBeLessThan(100 * 500);
    await world.svc.enqueueMany("q", Array.from({ length: 200 }, () => ({ payload: { text: "x".repeat(500) } })));
    // A checkpoint copies the WAL into the database but leaves the file as long as it is.
    expect(await storage("wal")).toBeGreaterThan(100 * 500);
    expect(await storage("wal")).toBe(statSync(`${path}-wal`).size);
  });

  test("the exposition reader refuses malformed text", () => {
    expect(() => parseExposition("x 1")).toThrow("newline");
    expect(() => parseExposition("x 1\n")).toThrow("no TYPE");
    expect(() => parseExposition('# TYPE x gauge\nx{a="1} 1\n')).toThrow("bad labels");
    expect(() => parseExposition("# TYPE x counter\nx -1\n")).toThrow("negative");
    expect(() => parseExposition('# TYPE h histogram\nh_bucket{le="1"} 2\nh_bucket{le="+Inf"} 1\nh_sum 1\nh_count 1\n')).toThrow("cumulative");
    expect(() => parseExposition('# TYPE h histogram\nh_bucket{le="+Inf"} 2\nh_sum 1\nh_count 1\n')).toThrow("_count");
  });
});
