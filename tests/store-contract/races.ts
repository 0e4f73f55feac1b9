/**
 * Store contract: two stores over the same data, as two spool processes sharing one database or
 * one Redis — parallel claims never lease a job twice, an idempotency key makes one job however
 * the enqueues race, a schedule's fire happens once, and a lane keeps its order across both.
 */
import { expect } from "bun:test";
import { resolveEnqueue } from "../../src/core/enqueue.ts";
import type { ContractCase } from "./harness.ts";

export function racesContract(it: ContractCase): void {
  it("parallel claims through two stores never lease one job twice", async (t) => {
    const b = t.twin();
    await t.svc.enqueueMany("q", Array.from({ length: 300 }, (_, i) => ({ payload: i })));
    const leased: string[] = [];
    for (let round = 0; round < 100 && leased.length < 300; round++) {
      const claims = await Promise.all([
        ...[1, 2, 3].map((w) => t.svc.claim({ queue: "q", workerId: `a${w}`, max: 7, leaseMs: 60_000 })),
        ...[1, 2, 3].map((w) => b.svc.claim({ queue: "q", workerId: `b${w}`, max: 7, leaseMs: 60_000 })),
      ]);
      leased.push(...claims.flat().map((j) => j.id));
    }
    expect(leased).toHaveLength(300);
    expect(new Set(leased).size).toBe(300);
    expect((await b.svc.getQueue("q")).counts).toMatchObject({ active: 300, waiting: 0 });
  });

  it("enqueues racing with one idempotency key through two stores make one job", async (t) => {
    const b = t.twin();
    const outcomes = await Promise.all(
      Array.from({ length: 10 }, (_, i) => (i % 2 ? t.svc : b.svc).enqueue("q", { payload: i, idempotencyKey: "once" })),
    );
    expect(new Set(outcomes.map((o) => o.job.id)).size).toBe(1);
    expect(outcomes.filter((o) => o.created)).toHaveLength(1);
    expect((await t.svc.getQueue("q")).counts.waiting).toBe(1);
  });

  it("a schedule's fire raced from two stores on the same read happens once", async (t) => {
    const b = t.twin();
    const now = t.now();
    const created = await t.store.scheduleCreate({
      schedule: {
        name: "tick", cron: "* * * * *", every: null, timezone: "UTC", queue: "q", payload: null, jobOptions: {},
        enabled: true, overlap: "allow", catchUp: "one", builtin: false, nextFireAt: now,
      },
      now,
    });
    const fire = (store: typeof t.store) =>
      store.scheduleFire({
        name: "tick", expectedRevision: created!.revision, expectedNextFireAt: now, nextFireAt: now + 60_000,
        job: resolveEnqueue("q", [{ idempotencyKey: `schedule:tick:${now}` }], {}, now)[0]!,
        runs: [{ kind: "fired", fireTime: now }], historyKeep: 100, now,
      });
    const outcomes = await Promise.all([fire(t.store), fire(b.store), fire(t.store), fire(b.store)]);
    expect(outcomes.filter((o) => o !== null)).toHaveLength(1);
    expect((await t.svc.getQueue("q")).counts.waiting).toBe(1);
    expect(await b.store.scheduleRunsList({ name: "tick", limit: 10 })).toHaveLength(1);
  });

  it("a lane keeps enqueue order and one job at a time across workers of two stores", async (t) => {
    const b = t.twin();
    for (let i = 0; i < 12; i++) await (i % 2 ? b.svc : t.svc).enqueue("q", { key: "k", payload: i });
    const order: unknown[] = [];
    for (let round = 0; round < 50 && order.length < 12; round++) {
      const claims = (
        await Promise.all([t.svc, b.svc, t.svc, b.svc].map((svc, w) => svc.claim({ queue: "q", workerId: `w${w}`, max: 3, leaseMs: 60_000 })))
      ).flat();
      expect(claims.length).toBeLessThanOrEqual(1);
      for (const job of claims) {
        order.push(job.payload);
        await (round % 2 ? b.svc : t.svc).complete({ id: job.id, token: job.leaseToken!, result: null });
      }
    }
    expect(order).toEqual(Array.from({ length: 12 }, (_, i) => i));
  });
}
