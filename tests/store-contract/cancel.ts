/** Store contract: cancel — unfinished jobs end at once, active ones on request or by force, finished ones refuse. */
import { expect } from "bun:test";
import { ids, refused, type ContractCase } from "./harness.ts";

export function cancelContract(it: ContractCase): void {
  it("cancelling a waiting, delayed or blocked job ends it at once", async (t) => {
    const waiting = await t.enqueue("q");
    const delayed = await t.enqueue("q", { delayMs: 60_000 });
    const head = await t.enqueue("q", { key: "k" });
    const blocked = await t.enqueue("q", { key: "k" });
    for (const job of [waiting, delayed, blocked]) {
      const cancelled = await t.svc.cancel(job.id);
      expect(cancelled).toMatchObject({ id: job.id, state: "cancelled", finishedAt: t.now() });
    }
    t.clock.advance(60_000);
    expect(ids(await t.claim("q", 10))).toEqual([head.id]);
    expect((await t.svc.getQueue("q")).counts).toMatchObject({ cancelled: 3, waiting: 0, delayed: 0, blocked: 0, active: 1 });
  });

  it("cancelling a delayed lane head hands the lane on", async (t) => {
    const head = await t.enqueue("q", { key: "k", delayMs: 60_000 });
    const next = await t.enqueue("q", { key: "k" });
    await t.svc.cancel(head.id);
    expect(await t.state(next.id)).toBe("waiting");
  });

  it("cancelling an active job requests cancel; the worker's failure then ends it as cancelled, not retried", async (t) => {
    const job = await t.enqueue("q", { maxAttempts: 5, backoff: { delayMs: 0 } });
    const leased = await t.claimOne("q");
    const requested = await t.svc.cancel(job.id);
    expect(requested).toMatchObject({ state: "active", cancelRequested: true });
    expect(await t.claim("q")).toEqual([]);
    const ended = await t.failWith(leased, { type: "Aborted", message: "cancelled by operator" });
    expect(ended).toMatchObject({ state: "cancelled", attempts: 1, finishedAt: t.now(), leaseToken: leased.leaseToken, leaseExpiresAt: null });
    expect(ended.errors.map((e) => e.type)).toEqual(["Aborted"]);
    expect(await t.claim("q")).toEqual([]);
  });

  it("a cancel requested while a failure is on its way wins over the retry the failure was given, from the worker or the reaper", async (t) => {
    for (const expired of [false, true]) {
      const job = await t.enqueue("q", { maxAttempts: 5, backoff: { delayMs: 0 } });
      const leased = await t.claimOne("q", 1000);
      // The failure was read and given its retry time before the cancel request landed.
      await t.svc.cancel(job.id);
      if (expired) t.clock.advance(1000);
      const failure = { id: job.id, token: leased.leaseToken!, error: { attempt: 1, type: "E", message: "boom", at: t.now() }, retryAt: t.now(), now: t.now() };
      const ended = await (expired ? t.store.leaseRecover(failure) : t.store.jobFail(failure));
      expect(ended).toMatchObject({ id: job.id, state: "cancelled", finishedAt: t.now() });
      expect(await t.claim("q")).toEqual([]);
    }
    expect((await t.svc.getQueue("q")).counts).toMatchObject({ cancelled: 2, waiting: 0, delayed: 0, active: 0 });
  });

  it("an active job whose cancel was requested ends as cancelled when its lease expires", async (t) => {
    const job = await t.enqueue("q", { maxAttempts: 5, backoff: { delayMs: 0 } });
    await t.claimOne("q", 1000);
    await t.svc.cancel(job.id);
    t.clock.advance(1000);
    await t.svc.reapExpiredLeases();
    expect(await t.state(job.id)).toBe("cancelled");
    expect(await t.claim("q")).toEqual([]);
  });

  it("force-cancelling an active job ends it at once and its worker's later complete is refused", async (t) => {
    const job = await t.enqueue("q", { key: "k" });
    const next = await t.enqueue("q", { key: "k" });
    const leased = await t.claimOne("q");
    const cancelled = await t.svc.cancel(job.id, true);
    expect(cancelled).toMatchObject({ state: "cancelled", finishedAt: t.now(), leaseToken: null });
    await refused(t.complete(leased), "lease_lost", 409);
    await refused(t.svc.heartbeat({ id: job.id, token: leased.leaseToken! }), "lease_lost", 409);
    await refused(t.failWith(leased), "lease_lost", 409);
    expect(await t.state(job.id)).toBe("cancelled");
    expect(await t.state(next.id)).toBe("waiting");
    expect((await t.svc.getQueue("q")).counts.active).toBe(0);
  });

  it("cancelling a finished job is a conflict", async (t) => {
    const done = await t.enqueue("q");
    await t.complete(await t.claimOne("q"));
    const failed = await t.enqueue("q", { maxAttempts: 1 });
    await t.failWith(await t.claimOne("q"));
    const cancelled = await t.enqueue("q");
    await t.svc.cancel(cancelled.id);
    for (const job of [done, failed, cancelled]) {
      await refused(t.svc.cancel(job.id), "conflict", 409);
      await refused(t.svc.cancel(job.id, true), "conflict", 409);
    }
    expect(await t.states(ids([done, failed, cancelled]))).toEqual(["completed", "failed", "cancelled"]);
  });

  it("cancelling an unknown job is not_found", async (t) => {
    await refused(t.svc.cancel("987654321"), "not_found", 404);
    await refused(t.svc.cancel("nope"), "not_found", 404);
  });
}
