/** Store contract: per-key lanes (DESIGN §2) — order, one at a time, retries, failure policy, fairness. */
import { expect } from "bun:test";
import { ids, refused, type ContractCase } from "./harness.ts";

export function lanesContract(it: ContractCase): void {
  it("a lane runs in strict enqueue order whatever the priority", async (t) => {
    const a = await t.enqueue("q", { key: "wo-1", priority: 0 });
    const b = await t.enqueue("q", { key: "wo-1", priority: 10 });
    const c = await t.enqueue("q", { key: "wo-1", priority: 5 });
    const order = [];
    for (let i = 0; i < 3; i++) {
      const job = await t.claimOne("q");
      order.push(job.id);
      await t.complete(job);
    }
    expect(order).toEqual(ids([a, b, c]));
  });

  it("a lane's times run forward even when the clocks stamping them disagree (servers sharing a store, a clock stepped back)", async (t) => {
    const [, b, c] = [await t.enqueue("q", { key: "k", maxAttempts: 1 }), await t.enqueue("q", { key: "k", maxAttempts: 1 }), await t.enqueue("q", { key: "k" })];
    const start = t.now();
    const first = await t.claimOne("q");
    // Completed through a server whose clock is 40 ms behind the one that claimed it…
    t.clock.set(start - 40);
    const done = await t.complete(first);
    expect(done.finishedAt).toBe(start);
    // …and the next job claimed through one 80 ms behind: it starts once the first had ended.
    t.clock.set(start - 80);
    const second = await t.claimOne("q");
    expect([second.id, second.startedAt]).toEqual([b.id, start]);
    // A failure for good and a forced cancel stamped behind the start end at the start too.
    t.clock.set(start - 120);
    const failed = await t.failWith(second);
    expect([failed.state, failed.finishedAt]).toEqual(["failed", start]);
    const third = await t.claimOne("q");
    expect([third.id, third.startedAt]).toEqual([c.id, start]);
    t.clock.set(start - 160);
    const cancelled = await t.svc.cancel(third.id, true);
    expect([cancelled.state, cancelled.finishedAt]).toEqual(["cancelled", start]);
  });

  it("a lane runs one job at a time", async (t) => {
    for (let i = 0; i < 3; i++) await t.enqueue("q", { key: "k" });
    const first = await t.claim("q", 10);
    expect(first).toHaveLength(1);
    expect(await t.claim("q", 10)).toEqual([]);
    await t.complete(first[0]!);
    expect(await t.claim("q", 10)).toHaveLength(1);
  });

  it("only the lane head is runnable; the jobs behind it are blocked", async (t) => {
    const a = await t.enqueue("q", { key: "k" });
    const b = await t.enqueue("q", { key: "k", priority: 10 });
    const c = await t.enqueue("q", { key: "k", delayMs: 0 });
    expect([a.state, b.state, c.state]).toEqual(["waiting", "blocked", "blocked"]);
    await t.claimOne("q");
    expect(await t.states(ids([a, b, c]))).toEqual(["active", "blocked", "blocked"]);
    expect((await t.svc.getQueue("q")).counts).toMatchObject({ active: 1, blocked: 2, waiting: 0 });
  });

  it("the head keeps its lane through its retries: the lane waits for the backoff", async (t) => {
    const a = await t.enqueue("q", { key: "k", backoff: { type: "fixed", delayMs: 5000, jitter: false } });
    const b = await t.enqueue("q", { key: "k" });
    const failed = await t.failWith(await t.claimOne("q"));
    expect(failed).toMatchObject({ id: a.id, state: "delayed", runAt: t.now() + 5000 });
    expect(await t.state(b.id)).toBe("blocked");
    expect(await t.claim("q", 10)).toEqual([]);
    t.clock.advance(4999);
    expect(await t.claim("q", 10)).toEqual([]);
    t.clock.advance(1);
    const again = await t.claim("q", 10);
    expect(again.map((j) => [j.id, j.attempts])).toEqual([[a.id, 2]]);
    expect(await t.state(b.id)).toBe("blocked");
    await t.complete(again[0]!);
    expect(await t.state(b.id)).toBe("waiting");
  });

  it("when the head completes the next job of the lane becomes runnable at once", async (t) => {
    const a = await t.enqueue("q", { key: "k" });
    const b = await t.enqueue("q", { key: "k" });
    const c = await t.enqueue("q", { key: "k" });
    await t.complete(await t.claimOne("q"));
    expect(await t.states(ids([a, b, c]))).toEqual(["completed", "waiting", "blocked"]);
    expect((await t.claimOne("q")).id).toBe(b.id);
  });

  it("when the head is cancelled the next job of the lane becomes runnable at once", async (t) => {
    const a = await t.enqueue("q", { key: "k" });
    const b = await t.enqueue("q", { key: "k" });
    const c = await t.enqueue("q", { key: "k" });
    await t.svc.cancel(a.id);
    expect(await t.states(ids([a, b, c]))).toEqual(["cancelled", "waiting", "blocked"]);
    await t.claimOne("q");
    await t.svc.cancel(b.id, true);
    expect(await t.states(ids([b, c]))).toEqual(["cancelled", "waiting"]);
  });

  it("laneOnFailure continue (the default): a head that fails for good lets the next job run", async (t) => {
    const a = await t.enqueue("q", { key: "k", maxAttempts: 1 });
    const b = await t.enqueue("q", { key: "k" });
    expect((await t.svc.getQueue("q")).laneOnFailure).toBe("continue");
    expect((await t.failWith(await t.claimOne("q"))).state).toBe("failed");
    expect(await t.state(b.id)).toBe("waiting");
    expect((await t.claimOne("q")).id).toBe(b.id);
    expect(await t.state(a.id)).toBe("failed");
  });

  it("laneOnFailure block: the lane stops behind its failed head until the head is retried", async (t) => {
    await t.configure("q", { laneOnFailure: "block" });
    const a = await t.enqueue("q", { key: "k", maxAttempts: 1 });
    const b = await t.enqueue("q", { key: "k" });
    await t.failWith(await t.claimOne("q"));
    const c = await t.enqueue("q", { key: "k" });
    expect(await t.states(ids([a, b, c]))).toEqual(["failed", "blocked", "blocked"]);
    t.clock.advance(3_600_000);
    expect(await t.claim("q", 10)).toEqual([]);
    expect((await t.svc.retry(a.id)).state).toBe("waiting");
    expect(await t.states(ids([b, c]))).toEqual(["blocked", "blocked"]);
    const again = await t.claimOne("q");
    expect(again.id).toBe(a.id);
    await t.complete(again);
    expect(await t.states(ids([b, c]))).toEqual(["waiting", "blocked"]);
  });

  it("laneOnFailure block: skipping the failed head moves the lane on and leaves the head failed", async (t) => {
    await t.configure("q", { laneOnFailure: "block" });
    const a = await t.enqueue("q", { key: "k", maxAttempts: 1 });
    const b = await t.enqueue("q", { key: "k" });
    await refused(t.svc.skipLaneHead("q", "k"), "conflict", 409);
    await t.failWith(await t.claimOne("q"));
    await t.svc.skipLaneHead("q", "k");
    expect(await t.states(ids([a, b]))).toEqual(["failed", "waiting"]);
    expect((await t.claimOne("q")).id).toBe(b.id);
    await refused(t.svc.skipLaneHead("q", "k"), "conflict", 409);
    await refused(t.svc.skipLaneHead("q", "no-such-lane"), "conflict", 409);
  });

  it("laneOnFailure block: failed jobs of a lane retried together run in enqueue order, the skipped one first", async (t) => {
    await t.configure("q", { laneOnFailure: "block" });
    const jobs = [];
    for (let i = 0; i < 3; i++) jobs.push(await t.enqueue("q", { key: "k", maxAttempts: 1 }));
    await t.failWith(await t.claimOne("q"));
    await t.svc.skipLaneHead("q", "k");
    await t.failWith(await t.claimOne("q"));
    // The first failed and was skipped; the second failed and stops the lane; both are retried.
    expect(await t.svc.retryFailed("q")).toBe(2);
    const order = [];
    for (let i = 0; i < 3; i++) {
      const job = await t.claimOne("q");
      expect(await t.claim("q", 10)).toEqual([]);
      order.push(job.id);
      await t.complete(job);
    }
    expect(order).toEqual(ids(jobs));
  });

  it("laneOnFailure block: a head cancelled while failing does not stop the lane", async (t) => {
    await t.configure("q", { laneOnFailure: "block" });
    const a = await t.enqueue("q", { key: "k" });
    const b = await t.enqueue("q", { key: "k" });
    const running = await t.claimOne("q");
    await t.svc.cancel(a.id);
    expect((await t.failWith(running)).state).toBe("cancelled");
    expect(await t.state(b.id)).toBe("waiting");
  });

  it("a claim of several jobs takes at most one job per lane", async (t) => {
    const k1 = [];
    const k2 = [];
    for (let i = 0; i < 3; i++) k1.push(await t.enqueue("q", { key: "k1", priority: 10 }));
    for (let i = 0; i < 3; i++) k2.push(await t.enqueue("q", { key: "k2", priority: 10 }));
    const free = [await t.enqueue("q"), await t.enqueue("q")];
    const claimed = await t.claim("q", 10);
    expect(ids(claimed).sort()).toEqual(ids([k1[0]!, k2[0]!, ...free]).sort());
    expect(await t.claim("q", 10)).toEqual([]);
  });

  it("a busy or stopped lane does not starve other jobs", async (t) => {
    await t.configure("q", { laneOnFailure: "block" });
    const stuck = await t.enqueue("q", { key: "stuck", maxAttempts: 1, priority: 10 });
    await t.failWith(await t.claimOne("q"));
    expect(await t.state(stuck.id)).toBe("failed");
    for (let i = 0; i < 50; i++) await t.enqueue("q", { key: "stuck", priority: 10 });
    for (let i = 0; i < 50; i++) await t.enqueue("q", { key: "busy", priority: 10 });
    const busyHead = await t.claimOne("q");
    expect(busyHead.key).toBe("busy");
    const low = await t.enqueue("q", { priority: 0 });
    const other = await t.enqueue("q", { key: "other", priority: 0 });
    const next = await t.claim("q", 1);
    expect(ids(next)).toEqual([low.id]);
    expect(ids(await t.claim("q", 5))).toEqual([other.id]);
  });

  it("a delayed lane head holds its lane until it runs", async (t) => {
    const a = await t.enqueue("q", { key: "k", delayMs: 10_000 });
    const b = await t.enqueue("q", { key: "k" });
    expect([a.state, b.state]).toEqual(["delayed", "blocked"]);
    expect(await t.claim("q", 10)).toEqual([]);
    t.clock.advance(10_000);
    expect(ids(await t.claim("q", 10))).toEqual([a.id]);
    expect(await t.state(b.id)).toBe("blocked");
  });

  it("a job behind a delayed head waits for its own runAt once the lane reaches it", async (t) => {
    const a = await t.enqueue("q", { key: "k" });
    const b = await t.enqueue("q", { key: "k", delayMs: 30_000 });
    await t.complete(await t.claimOne("q"));
    expect(await t.state(b.id)).toBe("delayed");
    expect(await t.claim("q")).toEqual([]);
    t.clock.advance(30_000);
    expect((await t.claimOne("q")).id).toBe(b.id);
    expect(await t.state(a.id)).toBe("completed");
  });

  it("different keys run in parallel", async (t) => {
    const a = await t.enqueue("q", { key: "k1" });
    const b = await t.enqueue("q", { key: "k2" });
    const c = await t.enqueue("q", { key: "k3" });
    expect(ids(await t.claim("q", 10)).sort()).toEqual(ids([a, b, c]).sort());
  });

  it("the same key in different queues forms different lanes", async (t) => {
    await t.enqueue("q1", { key: "k" });
    await t.enqueue("q2", { key: "k" });
    expect(await t.claim("q1")).toHaveLength(1);
    expect(await t.claim("q2")).toHaveLength(1);
  });

  it("jobs without a key are not ordered and run in parallel", async (t) => {
    const jobs = [];
    for (let i = 0; i < 4; i++) jobs.push(await t.enqueue("q", { priority: i }));
    const claimed = await t.claim("q", 10);
    expect(claimed).toHaveLength(4);
    expect(ids(claimed)).toEqual(ids([...jobs].reverse()));
  });

  it("cancelling a blocked job keeps the rest of the lane in order", async (t) => {
    const a = await t.enqueue("q", { key: "k" });
    const b = await t.enqueue("q", { key: "k" });
    const c = await t.enqueue("q", { key: "k" });
    await t.svc.cancel(b.id);
    expect(await t.states(ids([a, b, c]))).toEqual(["waiting", "cancelled", "blocked"]);
    await t.complete(await t.claimOne("q"));
    expect(await t.state(c.id)).toBe("waiting");
  });

  it("a lane ends with its last job and a new job with the key starts it again", async (t) => {
    await t.enqueue("q", { key: "k" });
    await t.complete(await t.claimOne("q"));
    const next = await t.enqueue("q", { key: "k" });
    expect(next.state).toBe("waiting");
  });
}
