/** Store contract: queue operations — counts, unknown queues, config, purge, retry-failed, cancel-waiting. */
import { expect } from "bun:test";
import { JOB_STATES, type Job } from "../../src/core/job.ts";
import type { JobListParams } from "../../src/core/store.ts";
import { defaultQueueConfig, emptyCounts, type QueueSettings } from "../../src/core/queue-config.ts";
import { ids, refused, type Ctx, type ContractCase } from "./harness.ts";

/** Leaves "work" with exactly one or two jobs in every state, and one waiting job in "other". */
async function workload(t: Ctx) {
  const completed = await t.enqueue("work", { payload: "c" });
  const failed = await t.enqueue("work", { payload: "f", maxAttempts: 1 });
  const cancelled = await t.enqueue("work", { payload: "x" });
  const [c, f] = await t.claim("work", 2);
  await t.complete(c!);
  await t.failWith(f!);
  await t.svc.cancel(cancelled.id);
  const head = await t.enqueue("work", { key: "k" });
  const blocked = await t.enqueue("work", { key: "k" });
  const waiting = [await t.enqueue("work"), await t.enqueue("work")];
  const delayed = await t.enqueue("work", { delayMs: 60_000 });
  expect((await t.claimOne("work")).id).toBe(head.id);
  await t.enqueue("other");
  return { completed, failed, cancelled, head, blocked, waiting, delayed };
}

export function queueOpsContract(it: ContractCase): void {
  it("getQueue and listQueues count jobs by state after a workload", async (t) => {
    await workload(t);
    const expected = { waiting: 2, delayed: 1, blocked: 1, active: 1, completed: 1, failed: 1, cancelled: 1 };
    expect((await t.svc.getQueue("work")).counts).toEqual(expected);
    const listed = await t.svc.listQueues();
    expect(listed.map((q) => q.name).sort()).toEqual(["other", "work"]);
    expect(listed.find((q) => q.name === "work")!.counts).toEqual(expected);
    expect(listed.find((q) => q.name === "other")!.counts).toEqual({ ...emptyCounts(), waiting: 1 });
    for (const state of JOB_STATES) {
      const { jobs } = await t.svc.listJobs({ queue: "work", state });
      expect([state, jobs.length]).toEqual([state, expected[state]]);
    }
  });

  it("counts follow jobs through claim, retry, completion and deletion", async (t) => {
    const job = await t.enqueue("q", { backoff: { delayMs: 0 } });
    await t.failWith(await t.claimOne("q"));
    expect((await t.svc.getQueue("q")).counts).toEqual({ ...emptyCounts(), waiting: 1 });
    await t.complete(await t.claimOne("q"));
    expect((await t.svc.getQueue("q")).counts).toEqual({ ...emptyCounts(), completed: 1 });
    await t.svc.deleteJob(job.id);
    expect((await t.svc.getQueue("q")).counts).toEqual(emptyCounts());
  });

  it("queueOldestWaiting: since when the longest-waiting job has been runnable, whatever its priority; null when none waits", async (t) => {
    expect(await t.store.queueOldestWaiting({ queue: "q" })).toBeNull();
    const start = t.now();
    await t.enqueue("q", { priority: 2 });
    t.clock.advance(1000);
    await t.enqueue("q", { priority: 9 });
    await t.enqueue("q", { priority: 5 });
    await t.enqueue("q", { delayMs: 60_000 });
    await t.enqueue("other");
    expect(await t.store.queueOldestWaiting({ queue: "q" })).toBe(start);
    // The oldest runs (the priority-9 job first, then priority 5, then the first one): the next oldest shows.
    await t.claim("q", 3);
    expect(await t.store.queueOldestWaiting({ queue: "q" })).toBeNull();
    t.clock.advance(2000);
    await t.enqueue("q", { priority: 0 });
    expect(await t.store.queueOldestWaiting({ queue: "q" })).toBe(start + 3000);
  });

  it("an unknown queue reads as empty with the default config", async (t) => {
    await t.enqueue("known");
    const unknown = await t.svc.getQueue("never-seen");
    expect(unknown).toEqual({ ...defaultQueueConfig("never-seen"), counts: emptyCounts() });
    expect((await t.svc.listJobs({ queue: "never-seen" })).jobs).toEqual([]);
    expect((await t.svc.listQueues()).map((q) => q.name)).toEqual(["known"]);
    expect(await t.svc.purgeQueue("never-seen", "completed")).toBe(0);
    expect(await t.svc.retryFailed("never-seen")).toBe(0);
    expect(await t.svc.cancelWaiting("never-seen")).toBe(0);
  });

  it("putQueue config round-trips through getQueue and listQueues", async (t) => {
    const settings: QueueSettings = {
      concurrency: 4,
      rateLimit: { max: 100, intervalMs: 60_000 },
      defaults: { priority: 7, maxAttempts: 9, backoff: { type: "fixed", delayMs: 3000, jitter: false }, timeoutMs: 120_000 },
      retryPolicy: { noRetry: ["BadInput"], byType: { Throttled: { maxAttempts: 20, backoff: { delayMs: 30_000 } } } },
      laneOnFailure: "block",
      retention: { completedMs: 86_400_000, failedMs: 604_800_000, cancelledMs: 3_600_000 },
      target: { url: "https://hooks.example.com/jobs", headers: { "x-team": "ops" }, timeoutMs: 10_000 },
    };
    const written = await t.svc.putQueue("configured", settings);
    expect(written).toEqual({ name: "configured", paused: false, ...settings });
    expect(await t.svc.getQueue("configured")).toEqual({ name: "configured", paused: false, ...settings, counts: emptyCounts() });
    expect((await t.svc.listQueues()).find((q) => q.name === "configured")).toMatchObject(settings);
    await t.svc.pauseQueue("configured", true);
    const plain = { ...settings, concurrency: null, rateLimit: null, retryPolicy: {}, laneOnFailure: "continue" as const, target: null };
    await t.svc.putQueue("configured", plain);
    expect(await t.svc.getQueue("configured")).toEqual({ name: "configured", paused: true, ...plain, counts: emptyCounts() });
  });

  it("purge deletes the queue's jobs in one state; active jobs are refused", async (t) => {
    const w = await workload(t);
    expect(await t.svc.purgeQueue("work", "completed")).toBe(1);
    expect(await t.svc.purgeQueue("work", "failed")).toBe(1);
    expect(await t.svc.purgeQueue("work", "delayed")).toBe(1);
    await refused(t.svc.purgeQueue("work", "active"), "conflict", 409);
    await refused(t.svc.purgeQueue("work", "bogus" as never), "validation_failed", 400);
    expect((await t.svc.getQueue("work")).counts).toEqual({ ...emptyCounts(), waiting: 2, blocked: 1, active: 1, cancelled: 1 });
    await refused(t.svc.getJob(w.completed.id), "not_found", 404);
    await refused(t.svc.getJob(w.delayed.id), "not_found", 404);
    expect(await t.svc.purgeQueue("work", "waiting")).toBe(2);
    expect(await t.svc.purgeQueue("work", "blocked")).toBe(1);
    expect(await t.svc.purgeQueue("work", "cancelled")).toBe(1);
    expect((await t.svc.getQueue("work")).counts).toEqual({ ...emptyCounts(), active: 1 });
    expect((await t.svc.getQueue("other")).counts.waiting).toBe(1);
    expect((await t.svc.getJob(w.head.id)).state).toBe("active");
  });

  it("retryFailed makes every failed job of the queue run again", async (t) => {
    const failed = [];
    for (let i = 0; i < 3; i++) failed.push(await t.enqueue("q", { maxAttempts: 1 }));
    const elsewhere = await t.enqueue("q2", { maxAttempts: 1 });
    for (let i = 0; i < 3; i++) await t.failWith(await t.claimOne("q"));
    await t.failWith(await t.claimOne("q2"));
    expect(await t.svc.retryFailed("q")).toBe(3);
    expect(await t.states(ids(failed))).toEqual(["waiting", "waiting", "waiting"]);
    expect(await t.state(elsewhere.id)).toBe("failed");
    expect(await t.claim("q", 10)).toHaveLength(3);
    expect(await t.svc.retryFailed("q")).toBe(0);
  });

  it("retryFailed with an errorType retries only failed jobs whose last error has that type", async (t) => {
    const jobs = [];
    for (let i = 0; i < 4; i++) jobs.push(await t.enqueue("q", { maxAttempts: 2, backoff: { delayMs: 0 } }));
    // Job 0 failed first with "timeout", then for good with "BadInput": its last error counts.
    const types = [["timeout", "BadInput"], ["timeout", "timeout"], ["BadInput", "BadInput"], ["BadInput", "timeout"]];
    for (let attempt = 0; attempt < 2; attempt++) {
      const claimed = await t.claim("q", 4);
      expect(ids(claimed)).toEqual(ids(jobs));
      for (let i = 0; i < 4; i++) await t.failWith(claimed[i]!, { type: types[i]![attempt] });
    }
    expect(await t.states(ids(jobs))).toEqual(Array(4).fill("failed"));
    expect(await t.svc.retryFailed("q", { errorType: "timeout" })).toBe(2);
    expect(await t.states(ids(jobs))).toEqual(["failed", "waiting", "failed", "waiting"]);
    expect(await t.svc.retryFailed("q", { errorType: "nothing-like-this" })).toBe(0);
    await refused(t.svc.retryFailed("q", { errorType: "" }), "validation_failed", 400);
    expect(await t.svc.retryFailed("q", { errorType: "BadInput", limit: 1 })).toBe(1);
    expect(await t.states(ids(jobs))).toEqual(["waiting", "waiting", "failed", "waiting"]);
  });

  it("waiting jobs of mixed priorities list newest first and go oldest first in bulk actions; active jobs list by id", async (t) => {
    const jobs: Job[] = [];
    for (const priority of [0, 10, 5, 10, 0, 5]) jobs.push(await t.enqueue("q", { priority }));
    const other = await t.enqueue("r", { priority: 3 });
    const newestFirst = (list: Job[]) => ids(list).sort((a, b) => Number(b) - Number(a));
    const pages = async (p: Partial<JobListParams>) => {
      const seen: Job[] = [];
      let cursor: string | undefined;
      do {
        const page = await t.svc.listJobs({ ...p, limit: 2, cursor });
        seen.push(...page.jobs);
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
      return ids(seen);
    };
    expect(await pages({ queue: "q", state: "waiting" })).toEqual(newestFirst(jobs));
    expect(await pages({ state: "waiting" })).toEqual(newestFirst([...jobs, other]));
    const claimed = [await t.claimOne("q"), await t.claimOne("q")];
    expect(ids(claimed)).toEqual(ids([jobs[1]!, jobs[3]!]));
    await t.claimOne("r");
    expect(await pages({ queue: "q", state: "active" })).toEqual(newestFirst(claimed));
    expect(await pages({ state: "active" })).toEqual(newestFirst([...claimed, other]));
    expect(await t.svc.cancelWaiting("q", { limit: 2 })).toBe(2);
    expect(await t.svc.purgeQueue("q", "waiting", { limit: 1 })).toBe(1);
    expect(await t.store.jobGet({ id: jobs[4]!.id })).toBeNull();
    expect(await t.states(ids(jobs.filter((_, i) => i !== 4)))).toEqual(["cancelled", "active", "cancelled", "active", "waiting"]);
  });

  it("bulk actions with a limit handle one bounded batch, oldest first, until none is left", async (t) => {
    const failed = [];
    for (let i = 0; i < 5; i++) failed.push(await t.enqueue("q", { maxAttempts: 1 }));
    for (let i = 0; i < 5; i++) await t.failWith(await t.claimOne("q"));
    expect([await t.svc.retryFailed("q", { limit: 2 }), (await t.svc.getQueue("q")).counts.failed]).toEqual([2, 3]);
    expect(await t.states(ids(failed))).toEqual(["waiting", "waiting", "failed", "failed", "failed"]);
    expect(await t.svc.retryFailed("q", { limit: 2 })).toBe(2);
    expect(await t.svc.retryFailed("q", { limit: 2 })).toBe(1);
    expect(await t.svc.retryFailed("q", { limit: 2 })).toBe(0);
    await t.enqueue("q", { key: "k" });
    await t.enqueue("q", { key: "k" });
    expect((await t.svc.getQueue("q")).counts).toMatchObject({ waiting: 6, blocked: 1 });
    // Blocked jobs go first, so a lane's head is never cancelled before the jobs behind it.
    expect(await t.svc.cancelWaiting("q", { limit: 3 })).toBe(3);
    expect((await t.svc.getQueue("q")).counts).toMatchObject({ waiting: 4, blocked: 0, cancelled: 3 });
    expect(await t.svc.cancelWaiting("q", { limit: 3 })).toBe(3);
    expect(await t.svc.cancelWaiting("q", { limit: 3 })).toBe(1);
    expect(await t.svc.purgeQueue("q", "cancelled", { limit: 4 })).toBe(4);
    expect(await t.svc.purgeQueue("q", "cancelled", { limit: 4 })).toBe(3);
    expect((await t.svc.getQueue("q")).counts).toEqual(emptyCounts());
    await refused(t.svc.purgeQueue("q", "failed", { limit: 0 }), "validation_failed", 400);
    await refused(t.svc.cancelWaiting("q", { limit: 1.5 }), "validation_failed", 400);
  });

  it("retryFailed resumes lanes stopped by their failed heads", async (t) => {
    await t.configure("q", { laneOnFailure: "block" });
    const head = await t.enqueue("q", { key: "k", maxAttempts: 1 });
    const next = await t.enqueue("q", { key: "k" });
    await t.failWith(await t.claimOne("q"));
    expect(await t.svc.retryFailed("q")).toBe(1);
    expect(await t.states(ids([head, next]))).toEqual(["waiting", "blocked"]);
    await t.complete(await t.claimOne("q"));
    expect(await t.state(next.id)).toBe("waiting");
  });

  it("cancelWaiting cancels the queue's waiting, delayed and blocked jobs, lanes included", async (t) => {
    const running = await t.enqueue("q", { key: "a" });
    const behindRunning = [await t.enqueue("q", { key: "a" }), await t.enqueue("q", { key: "a" })];
    const laneB = [await t.enqueue("q", { key: "b" }), await t.enqueue("q", { key: "b", delayMs: 5000 })];
    const free = [await t.enqueue("q"), await t.enqueue("q", { delayMs: 5000 })];
    const elsewhere = await t.enqueue("q2");
    const leased = await t.claimOne("q");
    expect(leased.id).toBe(running.id);
    expect(await t.svc.cancelWaiting("q")).toBe(6);
    expect(await t.states(ids([...behindRunning, ...laneB, ...free]))).toEqual(Array(6).fill("cancelled"));
    expect(await t.state(running.id)).toBe("active");
    expect(await t.state(elsewhere.id)).toBe("waiting");
    await t.complete(leased);
    t.clock.advance(5000);
    expect(await t.claim("q", 10)).toEqual([]);
    expect((await t.svc.getQueue("q")).counts).toEqual({ ...emptyCounts(), completed: 1, cancelled: 6 });
    // The lanes are free again.
    expect((await t.enqueue("q", { key: "a" })).state).toBe("waiting");
    expect((await t.enqueue("q", { key: "b" })).state).toBe("waiting");
  });
}
