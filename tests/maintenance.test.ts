/** Built-in maintenance: retention deletes exactly what is past retention, disk-check measures the data volume. */
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import type { Job } from "../src/core/job.ts";
import { diskCheck } from "../src/duties/disk-check.ts";
import type { MaintenanceContext } from "../src/duties/duty.ts";
import { maintenanceTasks, runMaintenanceJob } from "../src/duties/maintenance-jobs.ts";
import { pruneFinishedJobs, type RetentionResult } from "../src/duties/retention.ts";
import { diskStatus, type DiskCheckResult } from "../src/monitor/disk-usage.ts";
import { Monitor } from "../src/monitor/monitor.ts";
import { monitorConfig } from "../src/monitor/monitor-config.ts";
import { MAINTENANCE_QUEUE } from "../src/scheduler/builtins.ts";
import { refused, ScheduleWorld } from "./helpers/schedule-world.ts";

const DAY = 86_400_000;
const NOW = Date.parse("2026-03-01T00:00:00Z");
const PAYLOAD = { data: "x".repeat(200) };

let w: ScheduleWorld;
let ctx: MaintenanceContext;
beforeEach(() => {
  w = new ScheduleWorld("2026-01-01T00:00:00Z");
  ctx = { service: w.svc, dataDir: w.dir, monitor: new Monitor({ store: w.store, clock: w.clock, dataDir: w.dir, channels: [] }) };
});
afterEach(async () => {
  await w.close();
});

type Ending = "completed" | "failed" | "cancelled" | "waiting" | "active" | "delayed";

/** A job of `queue` that reached `ending` at NOW - ago (unfinished ones were enqueued then). */
async function jobEnding(queue: string, ending: Ending, ago: number, options: { key?: string } = {}): Promise<Job> {
  w.clock.set(NOW - ago);
  const delay = ending === "delayed" ? { delayMs: 100 * DAY } : {};
  const { job } = await w.svc.enqueue(queue, { payload: PAYLOAD, maxAttempts: 1, ...options, ...delay });
  if (ending === "waiting" || ending === "delayed") return job;
  if (ending === "cancelled") return w.svc.cancel(job.id);
  const [claimed] = await w.svc.claim({ queue, workerId: "w", leaseMs: 365 * DAY });
  expect(claimed!.id).toBe(job.id);
  if (ending === "active") return claimed!;
  if (ending === "completed") return w.svc.complete({ id: job.id, token: claimed!.leaseToken!, result: { done: true } });
  return w.svc.fail({ id: job.id, token: claimed!.leaseToken!, error: { message: "nope" } });
}

async function configure(queue: string, changes: Record<string, unknown>) {
  await w.svc.putQueue(queue, { concurrency: null, rateLimit: null, defaults: {}, retryPolicy: {}, laneOnFailure: "continue", retention: null, target: null, ...changes });
}

async function remaining(): Promise<string[]> {
  return (await w.svc.listJobs({ limit: 500 })).jobs.map((j) => j.id).sort();
}

describe("retention", () => {
  test("deletes exactly the finished jobs past their queue's retention, and nothing younger or unfinished", async () => {
    await configure("strict", { laneOnFailure: "block" });
    await configure("short", { retention: { completedMs: DAY } });
    const doomed: Job[] = [];
    const kept: Job[] = [];
    doomed.push(await jobEnding("q", "completed", 31 * DAY));
    doomed.push(await jobEnding("q", "completed", 30 * DAY + 1));
    kept.push(await jobEnding("q", "completed", 30 * DAY)); // exactly 30 days: not older
    kept.push(await jobEnding("q", "completed", 29 * DAY));
    doomed.push(await jobEnding("q", "failed", 8 * DAY));
    kept.push(await jobEnding("q", "failed", 6 * DAY));
    doomed.push(await jobEnding("q", "cancelled", 8 * DAY));
    kept.push(await jobEnding("q", "cancelled", 7 * DAY));
    kept.push(await jobEnding("q", "waiting", 60 * DAY));
    kept.push(await jobEnding("old-active", "active", 60 * DAY));
    kept.push(await jobEnding("q", "delayed", 60 * DAY));
    // A failed head that holds a blocked lane stays until an operator retries or skips it.
    kept.push(await jobEnding("strict", "failed", 10 * DAY, { key: "k" }));
    const behindHead = await jobEnding("strict", "waiting", 10 * DAY, { key: "k" });
    kept.push(behindHead);
    doomed.push(await jobEnding("strict", "failed", 10 * DAY));
    // Per-queue override: completed jobs kept one day; failed ones keep the default 7 days.
    doomed.push(await jobEnding("short", "completed", 2 * DAY));
    kept.push(await jobEnding("short", "completed", DAY / 2));
    kept.push(await jobEnding("short", "failed", 2 * DAY));
    // spool's maintenance queue keeps completed jobs a day.
    doomed.push(await jobEnding(MAINTENANCE_QUEUE, "completed", 2 * DAY));
    kept.push(await jobEnding(MAINTENANCE_QUEUE, "completed", DAY / 2));
    expect((await w.svc.getJob(behindHead.id)).state).toBe("blocked");

    w.clock.set(NOW);
    const result = await pruneFinishedJobs({ service: w.svc, batchSize: 2 });
    expect(result.deleted).toEqual({ completed: 4, failed: 2, cancelled: 1, total: 7 });
    expect(result.queues).toEqual({
      q: { completed: 2, failed: 1, cancelled: 1 },
      strict: { completed: 0, failed: 1, cancelled: 0 },
      short: { completed: 1, failed: 0, cancelled: 0 },
      [MAINTENANCE_QUEUE]: { completed: 1, failed: 0, cancelled: 0 },
    });
    const payloadBytes = JSON.stringify(PAYLOAD).length * 7;
    expect(result.bytesReclaimed).toBeGreaterThan(payloadBytes);
    expect(result.bytesReclaimed).toBeLessThan(payloadBytes + 7 * 200);
    expect(await remaining()).toEqual(kept.map((j) => j.id).sort());
    for (const job of doomed) await refused(w.svc.getJob(job.id), "not_found", 404);
    expect((await w.svc.getQueue("q")).counts).toMatchObject({ completed: 2, failed: 1, cancelled: 1, waiting: 1, delayed: 1 });

    const again = await pruneFinishedJobs({ service: w.svc });
    expect(again.deleted.total).toBe(0);
    expect(await remaining()).toEqual(kept.map((j) => j.id).sort());
  });

  test("works in bounded batches: a claim is answered while retention still has batches to go", async () => {
    for (let i = 0; i < 40; i++) await jobEnding("bulk", "completed", 40 * DAY);
    w.clock.set(NOW);
    await w.svc.enqueue("live", { payload: 1 });
    let finished: RetentionResult | null = null;
    const run = pruneFinishedJobs({ service: w.svc, batchSize: 4 }).then((r) => (finished = r));
    const claimed = await w.svc.claim({ queue: "live", workerId: "w" });
    expect(claimed).toHaveLength(1);
    // The claim committed after retention's first batch, with most old jobs still to delete.
    expect((await w.svc.getQueue("bulk")).counts.completed).toBeGreaterThan(30);
    expect(finished).toBeNull();
    await run;
    expect(finished!.deleted.completed).toBe(40);
    expect(finished!.batches).toBeGreaterThanOrEqual(10);
  });
});

describe("disk-check", () => {
  test("status is warning above 80 % and critical above 90 %", () => {
    expect([0, 80, 80.1, 90, 90.1, 100].map((p) => diskStatus(p))).toEqual(["ok", "ok", "warning", "warning", "critical", "critical"]);
    expect(diskStatus(60, { warningPercent: 50, criticalPercent: 70 })).toBe("warning");
  });

  test("measures the data folder's volume as df does", async () => {
    const result = (await diskCheck.run(ctx)) as DiskCheckResult;
    const df = Bun.spawnSync(["df", "-B1", "--output=size,used,avail", w.dir]).stdout.toString().trim().split("\n")[1]!.trim().split(/\s+/).map(Number);
    const [size, used, avail] = df as [number, number, number];
    const slack = 64 * 1024 * 1024; // other writers on this machine move the figures a little
    expect(result.path).toBe(w.dir);
    expect(result.totalBytes).toBe(size);
    expect(Math.abs(result.usedBytes - used)).toBeLessThan(slack);
    expect(Math.abs(result.freeBytes - avail)).toBeLessThan(slack);
    expect(result.usedPercent).toBeCloseTo((used / (used + avail)) * 100, 0);
    expect(result.status).toBe(diskStatus(result.usedPercent));
    expect(result.checkedAt).toBe(w.clock.now());
  });

  test("judges by the thresholds the disk_space alert uses (--alert-thresholds)", async () => {
    const thresholds = { ...monitorConfig().thresholds, diskWarningPercent: 0, diskCriticalPercent: 100 };
    const monitor = new Monitor({ store: w.store, clock: w.clock, dataDir: w.dir, channels: [], config: monitorConfig({ thresholds }) });
    const result = (await diskCheck.run({ ...ctx, monitor })) as DiskCheckResult;
    expect(result.thresholds).toEqual({ warningPercent: 0, criticalPercent: 100 });
    expect(result.status).toBe("warning");
  });
});

describe("maintenance jobs end to end", () => {
  /** Claims the maintenance job, runs its task as the maintenance worker does, completes it with the result. */
  async function runNext(): Promise<Job> {
    const [job] = await w.svc.claim({ queue: MAINTENANCE_QUEUE, workerId: "maintenance" });
    const result = await runMaintenanceJob(job!, ctx);
    return w.svc.complete({ id: job!.id, token: job!.leaseToken!, result });
  }

  test("spool:retention fires at 04:00 and its job's result holds the counts", async () => {
    await jobEnding("q", "completed", 40 * DAY);
    await jobEnding("q", "completed", DAY);
    w.clock.set("2026-03-01T03:59:50Z");
    expect((await w.scheduler.ensureBuiltins()).sort()).toEqual(["spool:daily-report", "spool:disk-check", "spool:health", "spool:retention"]);
    await w.schedules.pause("spool:health");
    const reports = await w.tickAt("2026-03-01T04:00:00Z");
    expect(reports.map((r) => [r.schedule, r.kind])).toEqual([["spool:retention", "fired"]]);
    const job = await runNext();
    expect(job.payload).toEqual({ task: "retention" });
    expect(job.result).toMatchObject({ deleted: { completed: 1, failed: 0, cancelled: 0, total: 1 } });
    expect((job.result as RetentionResult).bytesReclaimed).toBeGreaterThan(200);
    const [run] = await w.schedules.history("spool:retention");
    expect(run).toMatchObject({ kind: "fired", jobId: job.id, job: { state: "completed" } });
    expect((await w.schedules.get("spool:retention")).lastResult).toEqual(job.result);
  });

  test("spool:disk-check triggered now stores its result on the job and as the schedule's latest result", async () => {
    await w.scheduler.ensureBuiltins();
    const { job: enqueued } = await w.schedules.trigger("spool:disk-check");
    const job = await runNext();
    expect(job.id).toBe(enqueued.id);
    const result = job.result as DiskCheckResult;
    expect(result).toMatchObject({ path: w.dir, status: diskStatus(result.usedPercent) });
    expect(result.totalBytes).toBeGreaterThan(0);
    const schedule = await w.schedules.get("spool:disk-check");
    expect(schedule.lastResult).toEqual(result);
    expect(schedule.lastResultAt).toBe(w.clock.now());
    expect((await w.schedules.history("spool:disk-check"))[0]).toMatchObject({ kind: "fired", manual: true, jobId: job.id });
  });

  test("a job naming an unknown task is refused, naming the known ones", async () => {
    const { job } = await w.svc.enqueue(MAINTENANCE_QUEUE, { payload: { task: "no-such-task" } });
    await refused(runMaintenanceJob(job, ctx), "validation_failed", 400);
    expect([...maintenanceTasks.keys()].sort()).toEqual(["daily-report", "disk-check", "health", "retention"]);
  });

  test("spool:health's result is the evaluation's with the event-log and history pruning counts", async () => {
    await w.scheduler.ensureBuiltins();
    await w.schedules.trigger("spool:health");
    const job = await runNext();
    expect(Object.keys(job.result as object)).toEqual(["score", "status", "firing", "fired", "resolved", "eventsPruned", "historyPruned"]);
    expect(job.result).toMatchObject({ score: 100, status: "healthy", eventsPruned: 0, historyPruned: 0 });
  });
});
