/** Store contract: enqueue — defaults, queue defaults, delays, idempotency, batches, ids, validation. */
import { expect } from "bun:test";
import { DEFAULT_BACKOFF } from "../../src/core/job.ts";
import { compareIds, refused, type ContractCase } from "./harness.ts";

export function enqueueContract(it: ContractCase): void {
  it("enqueue applies the defaults: priority 5, 3 attempts, exponential backoff from 1 s with jitter capped at 1 h", async (t) => {
    const job = await t.enqueue("mail", { payload: { to: "a@example.com" } });
    expect(job).toMatchObject({
      queue: "mail",
      payload: { to: "a@example.com" },
      key: null,
      priority: 5,
      state: "waiting",
      runAt: t.now(),
      attempts: 0,
      maxAttempts: 3,
      timeoutMs: null,
      idempotencyKey: null,
      errors: [],
      createdAt: t.now(),
      finishedAt: null,
    });
    expect(job.backoff).toEqual({ type: "exponential", delayMs: 1000, maxDelayMs: 3_600_000, jitter: true });
    expect(job.backoff).toEqual(DEFAULT_BACKOFF);
    // Jitter spreads the first retry over [0.5 s, 1 s].
    t.jitter = 0;
    const failed = await t.failWith(await t.claimOne("mail"));
    expect(failed.state).toBe("delayed");
    expect(failed.runAt).toBe(t.now() + 500);
  });

  it("the job an enqueue answers is the job a read gives afterwards, whatever state it starts in", async (t) => {
    const options = { payload: { n: 1, nested: { list: [1, "two", null] } }, timeoutMs: 2500, priority: 9, backoff: { type: "fixed" as const, delayMs: 50 } };
    const answered = [
      await t.enqueue("same", { ...options, key: "lane-1" }), // waiting: it takes the lane
      await t.enqueue("same", { ...options, key: "lane-1" }), // blocked behind it
      await t.enqueue("same", { ...options, delayMs: 1000 }), // delayed
      await t.enqueue("same", { ...options, idempotencyKey: "once" }),
      await t.enqueue("same"),
    ];
    expect(answered.map((j) => j.state)).toEqual(["waiting", "blocked", "delayed", "waiting", "waiting"]);
    for (const job of answered) expect(job).toEqual(await t.svc.getJob(job.id));
    const again = await t.svc.enqueueMany("same", [{ ...options, idempotencyKey: "once" }, { payload: "new" }]);
    expect(again.map((o) => o.created)).toEqual([false, true]);
    for (const { job } of again) expect(job).toEqual(await t.svc.getJob(job.id));
  });

  it("enqueue without a payload stores null", async (t) => {
    const job = await t.enqueue("mail");
    expect((await t.svc.getJob(job.id)).payload).toBeNull();
  });

  it("queue defaults apply to new jobs and job options override them", async (t) => {
    await t.configure("reports", {
      defaults: { priority: 8, maxAttempts: 7, backoff: { type: "fixed", delayMs: 250 }, timeoutMs: 5000 },
    });
    const fromQueue = await t.enqueue("reports", {});
    expect(fromQueue).toMatchObject({ priority: 8, maxAttempts: 7, timeoutMs: 5000 });
    expect(fromQueue.backoff).toMatchObject({ type: "fixed", delayMs: 250 });
    const own = await t.enqueue("reports", { priority: 1, maxAttempts: 2, timeoutMs: 100, backoff: { delayMs: 40 } });
    expect(own).toMatchObject({ priority: 1, maxAttempts: 2, timeoutMs: 100 });
    expect(own.backoff).toMatchObject({ type: "fixed", delayMs: 40 });
    const elsewhere = await t.enqueue("other", {});
    expect(elsewhere).toMatchObject({ priority: 5, maxAttempts: 3, timeoutMs: null });
  });

  it("delayMs makes a job delayed until the clock reaches its runAt", async (t) => {
    const job = await t.enqueue("q", { delayMs: 5000 });
    expect(job.state).toBe("delayed");
    expect(job.runAt).toBe(t.now() + 5000);
    expect(await t.claim("q")).toEqual([]);
    t.clock.advance(4999);
    expect(await t.claim("q")).toEqual([]);
    t.clock.advance(1);
    const [claimed] = await t.claim("q");
    expect(claimed?.id).toBe(job.id);
    expect(claimed?.state).toBe("active");
  });

  it("runAt in the future delays a job; runAt in the past makes it waiting", async (t) => {
    const later = await t.enqueue("q", { runAt: t.now() + 60_000 });
    const past = await t.enqueue("q", { runAt: t.now() - 60_000 });
    expect(later.state).toBe("delayed");
    expect(later.runAt).toBe(t.now() + 60_000);
    expect(past.state).toBe("waiting");
    expect((await t.claim("q", 10)).map((j) => j.id)).toEqual([past.id]);
    t.clock.advance(60_000);
    expect((await t.claim("q", 10)).map((j) => j.id)).toEqual([later.id]);
  });

  it("an idempotencyKey already used in the queue returns the existing job with created=false", async (t) => {
    const first = await t.svc.enqueue("q", { payload: 1, idempotencyKey: "order-7" });
    const again = await t.svc.enqueue("q", { payload: 2, idempotencyKey: "order-7" });
    expect(first.created).toBe(true);
    expect(again.created).toBe(false);
    expect(again.job.id).toBe(first.job.id);
    expect(again.job.payload).toBe(1);
    // Still answered by the existing job once it has finished.
    await t.complete(await t.claimOne("q"));
    const afterDone = await t.svc.enqueue("q", { payload: 3, idempotencyKey: "order-7" });
    expect(afterDone).toMatchObject({ created: false, job: { id: first.job.id, state: "completed" } });
    // The key is scoped to its queue.
    const otherQueue = await t.svc.enqueue("q2", { idempotencyKey: "order-7" });
    expect(otherQueue.created).toBe(true);
    expect((await t.svc.listJobs({ queue: "q" })).jobs).toHaveLength(1);
  });

  it("an idempotencyKey repeated inside one batch yields one job", async (t) => {
    await t.enqueue("q", { idempotencyKey: "old" });
    const outcomes = await t.svc.enqueueMany("q", [
      { payload: "a", idempotencyKey: "k1" },
      { payload: "b", idempotencyKey: "k1" },
      { payload: "c", idempotencyKey: "old" },
      { payload: "d" },
    ]);
    expect(outcomes.map((o) => o.created)).toEqual([true, false, false, true]);
    expect(outcomes[1]!.job.id).toBe(outcomes[0]!.job.id);
    expect(outcomes[1]!.job.payload).toBe("a");
    expect((await t.svc.listJobs({ queue: "q" })).jobs).toHaveLength(3);
  });

  it("a batch is all or nothing: one invalid job stores nothing", async (t) => {
    const err = await refused(
      t.svc.enqueueMany("q", [{ payload: 1 }, { payload: 2, priority: 11 }, { payload: 3, key: "k" }]),
      "validation_failed",
      400,
    );
    expect(err.details).toContainEqual(expect.objectContaining({ path: "jobs.1.priority" }));
    expect((await t.svc.listJobs({ queue: "q" })).jobs).toEqual([]);
    expect((await t.svc.getQueue("q")).counts.waiting).toBe(0);
    expect(await t.claim("q", 10)).toEqual([]);
  });

  it("a batch stores every job, in order", async (t) => {
    const outcomes = await t.svc.enqueueMany("q", [{ payload: 1 }, { payload: 2, key: "k" }, { payload: 3, key: "k" }]);
    expect(outcomes.map((o) => [o.created, o.job.payload, o.job.state])).toEqual([
      [true, 1, "waiting"],
      [true, 2, "waiting"],
      [true, 3, "blocked"],
    ]);
  });

  it("ids are unique and increase in enqueue order", async (t) => {
    const single = [];
    for (let i = 0; i < 12; i++) single.push((await t.enqueue(i % 2 ? "a" : "b", { payload: i })).id);
    const batch = (await t.svc.enqueueMany("a", Array.from({ length: 12 }, (_, i) => ({ payload: i })))).map((o) => o.job.id);
    const all = [...single, ...batch];
    expect(new Set(all).size).toBe(all.length);
    expect([...all].sort(compareIds)).toEqual(all);
    for (const id of all) expect(typeof id).toBe("string");
  });

  it("invalid options are refused with validation_failed naming each field", async (t) => {
    const cases: [object, string][] = [
      [{ priority: 11 }, "priority"],
      [{ priority: 2.5 }, "priority"],
      [{ maxAttempts: 0 }, "maxAttempts"],
      [{ key: "" }, "key"],
      [{ key: "k".repeat(256) }, "key"],
      [{ delayMs: -1 }, "delayMs"],
      [{ delayMs: 10, runAt: Date.parse("2026-02-01T00:00:00Z") }, "runAt"],
      [{ timeoutMs: 0 }, "timeoutMs"],
      [{ idempotencyKey: "" }, "idempotencyKey"],
      [{ backoff: { type: "linear" } }, "backoff.type"],
      [{ backoff: { delayMs: -5 } }, "backoff.delayMs"],
    ];
    for (const [options, field] of cases) {
      const err = await refused(t.svc.enqueue("q", options), "validation_failed", 400);
      expect(err.details).toContainEqual(expect.objectContaining({ path: field }));
    }
    const several = await refused(t.svc.enqueue("q", { priority: -1, maxAttempts: 0 }), "validation_failed", 400);
    expect(several.details.map((d) => (d as { path: string }).path).sort()).toEqual(["maxAttempts", "priority"]);
    const badQueue = await refused(t.svc.enqueue("no spaces", {}), "validation_failed", 400);
    expect(badQueue.details).toContainEqual(expect.objectContaining({ path: "queue" }));
    expect((await t.svc.listJobs({})).jobs).toEqual([]);
  });
}
