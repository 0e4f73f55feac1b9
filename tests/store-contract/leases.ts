/** Store contract: leases — heartbeats, expiry and recovery, attempt timeouts, stale tokens, final completions. */
import { expect } from "bun:test";
import { ids, refused, type ContractCase } from "./harness.ts";

export function leasesContract(it: ContractCase): void {
  it("heartbeat extends the lease and stores progress and checkpoint", async (t) => {
    await t.enqueue("q");
    const job = await t.claimOne("q", 10_000);
    t.clock.advance(8000);
    const beat = await t.svc.heartbeat({ id: job.id, token: job.leaseToken!, extendMs: 20_000, progress: 40, checkpoint: { page: 3 } });
    expect(beat).toMatchObject({ state: "active", leaseExpiresAt: t.now() + 20_000, progress: 40, checkpoint: { page: 3 }, cancelRequested: false });
    t.clock.advance(15_000);
    // Past the first lease, inside the extended one: the worker still holds the job.
    const progress = { current: 7, total: 10, message: "rows" };
    const second = await t.svc.heartbeat({ id: job.id, token: job.leaseToken!, progress });
    expect(second.progress).toEqual(progress);
    expect(second.checkpoint).toEqual({ page: 3 });
    const third = await t.svc.heartbeat({ id: job.id, token: job.leaseToken!, checkpoint: { page: 4 } });
    expect(third).toMatchObject({ progress, checkpoint: { page: 4 } });
    expect(await t.svc.reapExpiredLeases()).toEqual([]);
    expect((await t.complete(job, { rows: 10 })).result).toEqual({ rows: 10 });
  });

  it("a heartbeat never shortens a lease: the expiry is the later of the current one and now + extendMs", async (t) => {
    await t.enqueue("q");
    const job = await t.claimOne("q", 600_000);
    const expiry = job.leaseExpiresAt!;
    t.clock.advance(1000);
    expect((await t.svc.heartbeat({ id: job.id, token: job.leaseToken!, extendMs: 30_000 })).leaseExpiresAt).toBe(expiry);
    t.clock.advance(580_000);
    expect((await t.svc.heartbeat({ id: job.id, token: job.leaseToken!, extendMs: 30_000 })).leaseExpiresAt).toBe(t.now() + 30_000);
  });

  it("a completion resent with the same token after it succeeded gets the same success and changes nothing", async (t) => {
    await t.enqueue("q");
    const job = await t.claimOne("q");
    const done = await t.svc.complete({ id: job.id, token: job.leaseToken!, result: { n: 1 } });
    t.clock.advance(60_000);
    const again = await t.svc.complete({ id: job.id, token: job.leaseToken!, result: { n: 2 } });
    expect(again).toMatchObject({ state: "completed", result: { n: 1 }, finishedAt: done.finishedAt });
    expect(await t.svc.completeMany([{ id: job.id, token: job.leaseToken! }])).toEqual([{ id: job.id, outcome: "completed" }]);
    await refused(t.svc.complete({ id: job.id, token: "another-token" }), "lease_lost", 409);
    expect(await t.svc.completeMany([{ id: job.id, token: "another-token" }])).toEqual([{ id: job.id, outcome: "lease_lost" }]);
  });

  it("a failure resent with the same token after it succeeded gets the same success and changes nothing", async (t) => {
    const retried = await t.enqueue("q", { maxAttempts: 2, backoff: { delayMs: 5000 } });
    const first = await t.claimOne("q");
    const failed = await t.svc.fail({ id: retried.id, token: first.leaseToken!, error: { type: "Boom", message: "one" } });
    expect(failed).toMatchObject({ state: "delayed", attempts: 1 });
    const again = await t.svc.fail({ id: retried.id, token: first.leaseToken!, error: { type: "Other", message: "two" } });
    expect(again).toMatchObject({ state: "delayed", attempts: 1, runAt: failed.runAt });
    expect(again.errors.map((e) => e.message)).toEqual(["one"]);
    expect(await t.svc.finishMany([{ id: retried.id, token: first.leaseToken!, error: { message: "three" } }])).toEqual([
      { id: retried.id, outcome: "retrying" },
    ]);
    // The next attempt holds a new token: the old one is stale again.
    t.clock.advance(5000);
    const second = await t.claimOne("q");
    await refused(t.failWith(first), "lease_lost", 409);
    const final = await t.svc.fail({ id: retried.id, token: second.leaseToken!, error: { message: "last" } });
    expect(final.state).toBe("failed");
    t.clock.advance(60_000);
    expect(await t.svc.fail({ id: retried.id, token: second.leaseToken!, error: { message: "late" } })).toMatchObject({
      state: "failed", finishedAt: final.finishedAt,
    });
    expect((await t.svc.getJob(retried.id)).errors.map((e) => e.message)).toEqual(["one", "last"]);
    await refused(t.svc.fail({ id: retried.id, token: "another-token", error: { message: "x" } }), "lease_lost", 409);
    await refused(t.complete(second), "lease_lost", 409);
    // Retried by hand, the job starts over: the token that failed it is no longer recognised.
    await t.svc.retry(retried.id);
    await refused(t.failWith(second), "lease_lost", 409);
    expect(await t.state(retried.id)).toBe("waiting");
  });

  it("heartbeat reports cancelRequested", async (t) => {
    await t.enqueue("q");
    const job = await t.claimOne("q");
    expect((await t.svc.heartbeat({ id: job.id, token: job.leaseToken! })).cancelRequested).toBe(false);
    await t.svc.cancel(job.id);
    const beat = await t.svc.heartbeat({ id: job.id, token: job.leaseToken! });
    expect(beat).toMatchObject({ state: "active", cancelRequested: true });
  });

  it("an expired lease is recovered to waiting with error lease_expired and the attempt counted", async (t) => {
    const job = await t.enqueue("q", { backoff: { delayMs: 0 } });
    const claimedBy = (await t.claimOne("q", 1000)).workerId;
    t.clock.advance(999);
    expect(await t.svc.reapExpiredLeases()).toEqual([]);
    expect(await t.state(job.id)).toBe("active");
    t.clock.advance(1);
    const recovered = await t.svc.reapExpiredLeases();
    expect(recovered).toEqual([job.id]);
    const after = await t.svc.getJob(job.id);
    expect(after).toMatchObject({ state: "waiting", attempts: 1, leaseToken: null, leaseExpiresAt: null });
    expect(after.errors).toEqual([expect.objectContaining({ attempt: 1, type: "lease_expired", at: t.now() })]);
    // It names the worker that held the lease: the job's own workerId moves on with its next attempt.
    expect(after.errors[0]!.message).toBe(`the worker's lease (${claimedBy}) expired before it completed or failed the job`);
    expect((await t.claimOne("q")).attempts).toBe(2);
    expect(await t.svc.reapExpiredLeases()).toEqual([]);
  });

  it("an expired lease is recovered to delayed when its backoff says so", async (t) => {
    const job = await t.enqueue("q");
    await t.claimOne("q", 1000);
    t.clock.advance(1000);
    await t.svc.reapExpiredLeases();
    expect(await t.svc.getJob(job.id)).toMatchObject({ state: "delayed", runAt: t.now() + 1000, attempts: 1 });
    expect(await t.claim("q")).toEqual([]);
    t.clock.advance(1000);
    expect((await t.claimOne("q")).id).toBe(job.id);
  });

  it("an expired lease on the last attempt fails the job", async (t) => {
    const job = await t.enqueue("q", { maxAttempts: 1 });
    await t.claimOne("q", 1000);
    t.clock.advance(5000);
    await t.svc.reapExpiredLeases();
    expect(await t.svc.getJob(job.id)).toMatchObject({ state: "failed", attempts: 1, finishedAt: t.now() });
    expect((await t.svc.getJob(job.id)).errors.map((e) => e.type)).toEqual(["lease_expired"]);
  });

  it("an expired lease keeps the lane head in place", async (t) => {
    const a = await t.enqueue("q", { key: "k", backoff: { delayMs: 0 } });
    const b = await t.enqueue("q", { key: "k" });
    await t.claimOne("q", 1000);
    t.clock.advance(1000);
    await t.svc.reapExpiredLeases();
    expect(await t.states(ids([a, b]))).toEqual(["waiting", "blocked"]);
    expect((await t.claimOne("q")).id).toBe(a.id);
  });

  it("the worker that lost its lease can no longer complete, fail or heartbeat", async (t) => {
    const job = await t.enqueue("q", { backoff: { delayMs: 0 } });
    const first = await t.claimOne("q", 1000);
    t.clock.advance(1000);
    // Expired but not yet reaped: refused all the same.
    await refused(t.complete(first), "lease_lost", 409);
    await refused(t.svc.heartbeat({ id: job.id, token: first.leaseToken! }), "lease_lost", 409);
    await refused(t.failWith(first), "lease_lost", 409);
    await t.svc.reapExpiredLeases();
    const second = await t.claimOne("q");
    await refused(t.complete(first), "lease_lost", 409);
    expect((await t.complete(second)).state).toBe("completed");
  });

  it("timeoutMs ends an attempt with error type timeout; heartbeats cannot extend past the deadline", async (t) => {
    const job = await t.enqueue("q", { timeoutMs: 5000, maxAttempts: 2, backoff: { delayMs: 0 } });
    const start = t.now();
    const leased = await t.claimOne("q", 30_000);
    expect(leased.leaseExpiresAt).toBe(start + 5000);
    t.clock.advance(3000);
    const beat = await t.svc.heartbeat({ id: job.id, token: leased.leaseToken!, extendMs: 30_000 });
    expect(beat.leaseExpiresAt).toBe(start + 5000);
    t.clock.advance(2000);
    await refused(t.svc.heartbeat({ id: job.id, token: leased.leaseToken!, extendMs: 30_000 }), "lease_lost", 409);
    await refused(t.complete(leased), "lease_lost", 409);
    await t.svc.reapExpiredLeases();
    const after = await t.svc.getJob(job.id);
    expect(after).toMatchObject({ state: "waiting", attempts: 1 });
    expect(after.errors.map((e) => e.type)).toEqual(["timeout"]);
    // The next attempt gets a fresh deadline, and the last timeout fails the job.
    const retry = await t.claimOne("q", 30_000);
    expect(retry.leaseExpiresAt).toBe(t.now() + 5000);
    t.clock.advance(5000);
    await t.svc.reapExpiredLeases();
    const final = await t.svc.getJob(job.id);
    expect(final.state).toBe("failed");
    expect(final.errors.map((e) => [e.attempt, e.type])).toEqual([[1, "timeout"], [2, "timeout"]]);
  });

  it("a lease shorter than the timeout expires as lease_expired", async (t) => {
    const job = await t.enqueue("q", { timeoutMs: 60_000, backoff: { delayMs: 0 } });
    await t.claimOne("q", 1000);
    t.clock.advance(1000);
    await t.svc.reapExpiredLeases();
    expect((await t.svc.getJob(job.id)).errors.map((e) => e.type)).toEqual(["lease_expired"]);
  });

  it("complete, fail and heartbeat with a stale token are refused with lease_lost", async (t) => {
    const job = await t.enqueue("q");
    const leased = await t.claimOne("q");
    const stale = { id: job.id, token: "not-the-token" };
    await refused(t.svc.complete(stale), "lease_lost", 409);
    await refused(t.svc.fail({ ...stale, error: { message: "x" } }), "lease_lost", 409);
    await refused(t.svc.heartbeat(stale), "lease_lost", 409);
    await refused(t.svc.heartbeat({ id: job.id, token: "" }), "lease_lost", 409);
    expect(await t.svc.getJob(job.id)).toMatchObject({ state: "active", leaseToken: leased.leaseToken, errors: [] });
  });

  it("complete, fail and heartbeat of an unknown job are refused with not_found", async (t) => {
    await t.enqueue("q");
    await t.claimOne("q");
    for (const id of ["987654321", "no-such-job"]) {
      await refused(t.svc.complete({ id, token: "t" }), "not_found", 404);
      await refused(t.svc.fail({ id, token: "t", error: { message: "x" } }), "not_found", 404);
      await refused(t.svc.heartbeat({ id, token: "t" }), "not_found", 404);
      await refused(t.svc.getJob(id), "not_found", 404);
    }
  });

  it("a completed job stays completed forever", async (t) => {
    const job = await t.enqueue("q", { key: "k" });
    const leased = await t.claimOne("q", 1000);
    const done = await t.complete(leased, { ok: true });
    expect(done).toMatchObject({ state: "completed", result: { ok: true }, finishedAt: t.now(), leaseExpiresAt: null });
    // Resent by the same worker: the same success, nothing changed.
    expect(await t.complete(leased, { ok: false })).toMatchObject({ state: "completed", result: { ok: true } });
    await refused(t.failWith(leased), "lease_lost", 409);
    await refused(t.svc.heartbeat({ id: job.id, token: leased.leaseToken! }), "lease_lost", 409);
    t.clock.advance(3_600_000);
    expect(await t.svc.reapExpiredLeases()).toEqual([]);
    await refused(t.svc.cancel(job.id), "conflict", 409);
    await refused(t.svc.cancel(job.id, true), "conflict", 409);
    await refused(t.svc.retry(job.id), "conflict", 409);
    expect(await t.claim("q", 10)).toEqual([]);
    expect(await t.svc.getJob(job.id)).toMatchObject({ state: "completed", result: { ok: true }, attempts: 1, errors: [] });
  });

  it("completeMany completes each item and reports lost leases without failing the others", async (t) => {
    for (let i = 0; i < 3; i++) await t.enqueue("q", { payload: i });
    const [a, b, c] = await t.claim("q", 3);
    const outcomes = await t.svc.completeMany([
      { id: a!.id, token: a!.leaseToken!, result: "a" },
      { id: b!.id, token: "stale" },
      { id: c!.id, token: c!.leaseToken! },
      { id: "987654321", token: "x" },
    ]);
    expect(outcomes.map((o) => o.outcome)).toEqual(["completed", "lease_lost", "completed", "lease_lost"]);
    expect(await t.states([a!.id, b!.id, c!.id])).toEqual(["completed", "active", "completed"]);
    expect((await t.svc.getJob(a!.id)).result).toBe("a");
  });

  it("completeMany refuses a lease that ran out before it was recovered, and one another server took back and leased again", async (t) => {
    for (let i = 0; i < 2; i++) await t.enqueue("q", { backoff: { delayMs: 0 } });
    const [a, b] = await t.claim("q", 2, 1000);
    t.clock.advance(1000);
    // Expired but not yet recovered.
    expect((await t.svc.completeMany([{ id: a!.id, token: a!.leaseToken! }])).map((o) => o.outcome)).toEqual(["lease_lost"]);
    // Recovered and leased again through another connection, behind this one's back.
    const other = t.twin();
    await other.svc.reapExpiredLeases();
    const again = await other.svc.claim({ queue: "q", workerId: "w2", max: 2, leaseMs: 60_000 });
    expect(ids(again).sort()).toEqual(ids([a!, b!]).sort());
    const stale = await t.svc.completeMany([a!, b!].map((j) => ({ id: j.id, token: j.leaseToken! })));
    expect(stale.map((o) => o.outcome)).toEqual(["lease_lost", "lease_lost"]);
    expect(await t.states([a!.id, b!.id])).toEqual(["active", "active"]);
    const done = await t.svc.completeMany(again.map((j) => ({ id: j.id, token: j.leaseToken! })));
    expect(done.map((o) => o.outcome)).toEqual(["completed", "completed"]);
    expect((await t.svc.getJob(b!.id)).attempts).toBe(2);
  });
}
