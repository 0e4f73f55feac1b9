/** Store contract: claim — order, max, pause, concurrency and rate limits, leases and attempts. */
import { expect } from "bun:test";
import { DEFAULT_LEASE_MS } from "../../src/core/work-requests.ts";
import { ids, type ContractCase } from "./harness.ts";

export function claimContract(it: ContractCase): void {
  it("claim takes the highest priority first, then enqueue order", async (t) => {
    const a = await t.enqueue("q", { payload: "a", priority: 5 });
    const b = await t.enqueue("q", { payload: "b", priority: 8 });
    const c = await t.enqueue("q", { payload: "c", priority: 5 });
    const d = await t.enqueue("q", { payload: "d", priority: 10 });
    const e = await t.enqueue("q", { payload: "e", priority: 0 });
    const order = [];
    for (let i = 0; i < 5; i++) order.push((await t.claimOne("q")).id);
    expect(order).toEqual(ids([d, b, a, c, e]));
    expect(await t.claim("q")).toEqual([]);
  });

  it("a claim of several jobs returns them in priority then enqueue order", async (t) => {
    const a = await t.enqueue("q", { priority: 5 });
    const b = await t.enqueue("q", { priority: 8 });
    const c = await t.enqueue("q", { priority: 5 });
    const d = await t.enqueue("q", { priority: 10 });
    expect(ids(await t.claim("q", 3))).toEqual(ids([d, b, a]));
    expect(ids(await t.claim("q", 3))).toEqual(ids([c]));
  });

  it("a due delayed job competes by priority with waiting jobs", async (t) => {
    const waiting = await t.enqueue("q", { priority: 5 });
    const delayed = await t.enqueue("q", { priority: 9, delayMs: 1000 });
    t.clock.advance(1000);
    expect(ids(await t.claim("q", 2))).toEqual(ids([delayed, waiting]));
  });

  it("a delayed job whose time has come shows as waiting without any claim, counters too", async (t) => {
    const soon = await t.enqueue("later", { delayMs: 1000 });
    const keyed = await t.enqueue("later", { delayMs: 1000, key: "k" });
    const behind = await t.enqueue("later", { key: "k" });
    const far = await t.enqueue("later", { delayMs: 60_000 });
    t.clock.advance(999);
    expect(await t.svc.promoteDueJobs()).toBe(0);
    t.clock.advance(1);
    expect(await t.svc.promoteDueJobs()).toBe(2);
    for (const [job, state] of [[soon, "waiting"], [keyed, "waiting"], [behind, "blocked"], [far, "delayed"]] as const) {
      expect({ id: job.id, state: await t.state(job.id) }).toEqual({ id: job.id, state });
    }
    expect((await t.svc.getQueue("later")).counts).toMatchObject({ waiting: 2, blocked: 1, delayed: 1 });
    expect(ids(await t.claim("later", 5))).toEqual([soon.id, keyed.id]);
  });

  it("claim returns at most max jobs", async (t) => {
    for (let i = 0; i < 5; i++) await t.enqueue("q", { payload: i });
    expect(await t.claim("q", 2)).toHaveLength(2);
    expect(await t.claim("q", 10)).toHaveLength(3);
    expect(await t.claim("q", 10)).toEqual([]);
  });

  it("claim on an unknown or empty queue returns nothing", async (t) => {
    expect(await t.claim("never-used", 5)).toEqual([]);
    await t.enqueue("other");
    expect(await t.claim("never-used", 5)).toEqual([]);
  });

  it("a paused queue gives nothing until it is resumed", async (t) => {
    const job = await t.enqueue("q");
    const paused = await t.svc.pauseQueue("q", true);
    expect(paused.paused).toBe(true);
    expect((await t.svc.getQueue("q")).paused).toBe(true);
    expect(await t.claim("q", 10)).toEqual([]);
    await t.enqueue("q");
    expect(await t.claim("q", 10)).toEqual([]);
    expect((await t.svc.pauseQueue("q", false)).paused).toBe(false);
    const claimed = await t.claim("q", 10);
    expect(ids(claimed)).toContain(job.id);
    expect(claimed).toHaveLength(2);
  });

  it("the concurrency limit holds across claims and workers", async (t) => {
    await t.configure("q", { concurrency: 2 });
    for (let i = 0; i < 5; i++) await t.enqueue("q", { payload: i });
    const first = await t.claim("q", 10, 60_000, "w1");
    expect(first).toHaveLength(2);
    expect(await t.claim("q", 10, 60_000, "w2")).toEqual([]);
    await t.complete(first[0]!);
    expect(await t.claim("q", 10, 60_000, "w2")).toHaveLength(1);
    expect(await t.claim("q", 10, 60_000, "w3")).toEqual([]);
    expect((await t.svc.getQueue("q")).counts.active).toBe(2);
  });

  it("completions carried by a claim free their slots of a concurrency limit for that same claim", async (t) => {
    await t.configure("q", { concurrency: 2 });
    for (let i = 0; i < 4; i++) await t.enqueue("q", { payload: i });
    const first = await t.claim("q", 2, 60_000, "w1");
    expect(first).toHaveLength(2);
    const done = first.map((j) => ({ id: j.id, token: j.leaseToken! }));
    const next = await t.svc.completeThenClaim(done, { queue: "q", workerId: "w1", max: 2 }, () => {});
    expect(next.map((j) => j.payload)).toEqual([2, 3]);
    expect((await t.svc.getQueue("q")).counts).toMatchObject({ active: 2, completed: 2, waiting: 0 });
  });

  it("the rate limit allows max starts per interval window", async (t) => {
    await t.configure("q", { rateLimit: { max: 3, intervalMs: 1000 } });
    for (let i = 0; i < 10; i++) await t.enqueue("q", { payload: i });
    const first = await t.claim("q", 10);
    expect(first).toHaveLength(3);
    // Finishing jobs does not give starts back within the window.
    for (const job of first) await t.complete(job);
    expect(await t.claim("q", 10)).toEqual([]);
    t.clock.advance(999);
    expect(await t.claim("q", 10)).toEqual([]);
    t.clock.advance(1);
    expect(await t.claim("q", 2)).toHaveLength(2);
    expect(await t.claim("q", 10)).toHaveLength(1);
    expect(await t.claim("q", 10)).toEqual([]);
    t.clock.advance(1000);
    expect(await t.claim("q", 10)).toHaveLength(3);
    t.clock.advance(5000);
    expect(await t.claim("q", 10)).toHaveLength(1);
  });

  it("a claim leases each job with a token and an expiry and counts the attempt", async (t) => {
    const job = await t.enqueue("q", { payload: { n: 1 } });
    const [leased] = await t.svc.claim({ queue: "q", workerId: "worker-7", leaseMs: 10_000 });
    expect(leased).toMatchObject({
      id: job.id,
      state: "active",
      attempts: 1,
      workerId: "worker-7",
      leaseExpiresAt: t.now() + 10_000,
      startedAt: t.now(),
      payload: { n: 1 },
    });
    expect(typeof leased!.leaseToken).toBe("string");
    expect(leased!.leaseToken!.length).toBeGreaterThanOrEqual(16);
    expect(await t.svc.getJob(job.id)).toMatchObject({ state: "active", leaseToken: leased!.leaseToken, attempts: 1 });
    await t.failWith(leased!, { retryInMs: 0 });
    const [again] = await t.svc.claim({ queue: "q", workerId: "worker-8" });
    expect(again).toMatchObject({ attempts: 2, workerId: "worker-8", leaseExpiresAt: t.now() + DEFAULT_LEASE_MS });
    expect(again!.leaseToken).not.toBe(leased!.leaseToken);
  });

  it("separate claims get separate lease tokens", async (t) => {
    await t.enqueue("q");
    await t.enqueue("q");
    const [a] = await t.claim("q", 1, 60_000, "w1");
    const [b] = await t.claim("q", 1, 60_000, "w2");
    expect(a!.leaseToken).not.toBe(b!.leaseToken);
    await expect(t.svc.complete({ id: a!.id, token: b!.leaseToken! })).rejects.toMatchObject({ code: "lease_lost" });
  });

  it("completeThenClaim: completions land first, each alone, then the claim; a long poll reports them before it ends", async (t) => {
    const [a1, a2] = [await t.enqueue("q", { key: "k" }), await t.enqueue("q", { key: "k" })];
    const b = await t.enqueue("q");
    const first = await t.claimOne("q");
    expect(first.id).toBe(a1.id);
    let outcomes: unknown[] = [];
    const report = (o: unknown[]) => (outcomes = o);
    const items = [{ id: a1.id, token: first.leaseToken!, result: { ok: 1 } }, { id: b.id, token: "stale" }];
    // a2 becomes its lane's head only once a1 is completed: the same call claims it.
    const jobs = await t.svc.completeThenClaim(items, { queue: "q", workerId: "w1", max: 5 }, report);
    expect(outcomes).toEqual([{ id: a1.id, outcome: "completed" }, { id: b.id, outcome: "lease_lost" }]);
    expect(jobs.map((j) => j.id)).toEqual([a2.id, b.id]);
    expect(jobs.every((j) => j.state === "active" && j.leaseToken === jobs[0]!.leaseToken)).toBe(true);
    expect(await t.svc.getJob(a1.id)).toMatchObject({ state: "completed", result: { ok: 1 } });
    // The same completion resent (its answer lost) gets the same success and changes nothing.
    expect(await t.svc.completeThenClaim([items[0]!], { queue: "q", workerId: "w1" }, report)).toEqual([]);
    expect(outcomes).toEqual([{ id: a1.id, outcome: "completed" }]);
    // With nothing runnable the claim waits; the completion's outcome is heard before it ends.
    outcomes = [];
    const abort = new AbortController();
    const waiting = t.svc.completeThenClaim(
      [{ id: a2.id, token: jobs[0]!.leaseToken! }], { queue: "q", workerId: "w1", waitMs: 10_000, signal: abort.signal }, report,
    );
    for (let i = 0; i < 200 && outcomes.length === 0; i++) await Bun.sleep(5);
    expect(outcomes).toEqual([{ id: a2.id, outcome: "completed" }]);
    const c = await t.enqueue("q");
    expect((await waiting).map((j) => j.id)).toEqual([c.id]);
    expect(await t.state(a2.id)).toBe("completed");
  });
}
