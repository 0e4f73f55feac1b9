/** Store contract: an operator's retry of failed or cancelled jobs, and deleting finished jobs. */
import { expect } from "bun:test";
import { ids, refused, type ContractCase } from "./harness.ts";

export function retryDeleteContract(it: ContractCase): void {
  it("retrying a failed job runs it again with fresh attempts", async (t) => {
    const job = await t.enqueue("q", { maxAttempts: 1 });
    await t.failWith(await t.claimOne("q"));
    t.clock.advance(60_000);
    const retried = await t.svc.retry(job.id);
    expect(retried).toMatchObject({ id: job.id, state: "waiting", attempts: 0, finishedAt: null, runAt: t.now() });
    const again = await t.claimOne("q");
    expect(again).toMatchObject({ id: job.id, attempts: 1 });
    expect((await t.complete(again, "ok")).state).toBe("completed");
  });

  it("retrying a cancelled job runs it again", async (t) => {
    const job = await t.enqueue("q", { delayMs: 60_000 });
    await t.svc.cancel(job.id);
    expect((await t.svc.retry(job.id)).state).toBe("waiting");
    expect((await t.claimOne("q")).id).toBe(job.id);
  });

  it("a retried job resumes from its checkpoint", async (t) => {
    const job = await t.enqueue("q", { maxAttempts: 1 });
    const leased = await t.claimOne("q");
    await t.svc.heartbeat({ id: job.id, token: leased.leaseToken!, checkpoint: { page: 7 }, progress: 70 });
    await t.failWith(leased);
    const retried = await t.svc.retry(job.id);
    expect(retried.checkpoint).toEqual({ page: 7 });
    expect((await t.claimOne("q")).checkpoint).toEqual({ page: 7 });
  });

  it("retry with resetCheckpoint restarts the job from scratch", async (t) => {
    const job = await t.enqueue("q");
    const leased = await t.claimOne("q");
    await t.svc.heartbeat({ id: job.id, token: leased.leaseToken!, checkpoint: { page: 7 } });
    await t.svc.cancel(job.id, true);
    const retried = await t.svc.retry(job.id, true);
    expect(retried.checkpoint ?? null).toBeNull();
    expect((await t.claimOne("q")).checkpoint ?? null).toBeNull();
  });

  it("retrying the failed head that stopped its lane resumes the lane", async (t) => {
    await t.configure("q", { laneOnFailure: "block" });
    const head = await t.enqueue("q", { key: "k", maxAttempts: 1 });
    const next = await t.enqueue("q", { key: "k" });
    await t.failWith(await t.claimOne("q"));
    expect(await t.claim("q")).toEqual([]);
    await t.svc.retry(head.id);
    await t.complete(await t.claimOne("q"));
    expect(await t.states(ids([head, next]))).toEqual(["completed", "waiting"]);
    await t.complete(await t.claimOne("q"));
    expect(await t.state(next.id)).toBe("completed");
  });

  it("a retried job whose lane has moved on waits behind the lane's head", async (t) => {
    const first = await t.enqueue("q", { key: "k", maxAttempts: 1 });
    const second = await t.enqueue("q", { key: "k" });
    await t.failWith(await t.claimOne("q"));
    const running = await t.claimOne("q");
    expect(running.id).toBe(second.id);
    expect((await t.svc.retry(first.id)).state).toBe("blocked");
    expect(await t.claim("q")).toEqual([]);
    await t.complete(running);
    expect(await t.state(first.id)).toBe("waiting");
  });

  it("only failed or cancelled jobs can be retried", async (t) => {
    const job = await t.enqueue("q");
    const delayed = await t.enqueue("q", { delayMs: 60_000 });
    await t.enqueue("q", { key: "k", delayMs: 60_000 });
    const blocked = await t.enqueue("q", { key: "k" });
    await refused(t.svc.retry(job.id), "conflict", 409);
    // The refusal names the state the job is in.
    expect((await refused(t.svc.retry(delayed.id), "conflict", 409)).message).toContain("delayed");
    expect((await refused(t.svc.retry(blocked.id), "conflict", 409)).message).toContain("blocked");
    const leased = await t.claimOne("q");
    await refused(t.svc.retry(job.id), "conflict", 409);
    await t.complete(leased);
    await refused(t.svc.retry(job.id), "conflict", 409);
    await refused(t.svc.retry("987654321"), "not_found", 404);
    expect(await t.state(job.id)).toBe("completed");
  });

  it("only finished jobs can be deleted", async (t) => {
    const running = await t.enqueue("q");
    const delayed = await t.enqueue("q", { delayMs: 1000 });
    const head = await t.enqueue("q", { key: "k" });
    const blocked = await t.enqueue("q", { key: "k" });
    const leased = await t.claimOne("q");
    expect(leased.id).toBe(running.id);
    for (const job of [running, delayed, blocked, head]) await refused(t.svc.deleteJob(job.id), "conflict", 409);
    await t.complete(leased);
    await t.svc.cancel(delayed.id);
    await t.svc.deleteJob(running.id);
    await t.svc.deleteJob(delayed.id);
    await refused(t.svc.getJob(running.id), "not_found", 404);
    await refused(t.svc.getJob(delayed.id), "not_found", 404);
    await refused(t.svc.deleteJob(running.id), "not_found", 404);
    expect((await t.svc.getQueue("q")).counts).toMatchObject({ completed: 0, cancelled: 0, waiting: 1, blocked: 1 });
  });

  it("deleting the failed head that stops its lane frees the lane", async (t) => {
    await t.configure("q", { laneOnFailure: "block" });
    const head = await t.enqueue("q", { key: "k", maxAttempts: 1 });
    const next = await t.enqueue("q", { key: "k" });
    await t.failWith(await t.claimOne("q"));
    expect(await t.state(next.id)).toBe("blocked");
    await t.svc.deleteJob(head.id);
    expect(await t.state(next.id)).toBe("waiting");
    expect((await t.claimOne("q")).id).toBe(next.id);
  });
}
