/** Store contract: failed attempts — backoff, exhausted attempts, retry:false, retryInMs, policy by error type, error history. */
import { expect } from "bun:test";
import { type ContractCase } from "./harness.ts";

export function failRetryContract(it: ContractCase): void {
  it("a failed attempt runs again after its backoff", async (t) => {
    const job = await t.enqueue("q", { backoff: { type: "fixed", delayMs: 2000, jitter: false } });
    const leased = await t.claimOne("q");
    const failed = await t.failWith(leased);
    // It keeps the token that failed it, which is how a resent failure is recognised.
    expect(failed).toMatchObject({ id: job.id, state: "delayed", runAt: t.now() + 2000, attempts: 1, leaseToken: leased.leaseToken, finishedAt: null });
    expect(failed).toMatchObject({ workerId: null, leaseExpiresAt: null });
    expect(await t.claim("q")).toEqual([]);
    t.clock.advance(1999);
    expect(await t.claim("q")).toEqual([]);
    t.clock.advance(1);
    expect(await t.claimOne("q")).toMatchObject({ id: job.id, attempts: 2 });
  });

  it("exponential backoff doubles from its delay and is capped at one hour", async (t) => {
    await t.enqueue("q", { maxAttempts: 20 });
    const delays = [];
    for (let i = 0; i < 14; i++) {
      const failed = await t.failWith(await t.claimOne("q"));
      delays.push(failed.runAt - t.now());
      t.clock.set(failed.runAt);
    }
    expect(delays).toEqual([
      1000, 2000, 4000, 8000, 16_000, 32_000, 64_000, 128_000, 256_000, 512_000, 1_024_000, 2_048_000, 3_600_000, 3_600_000,
    ]);
  });

  it("a backoff's maxDelayMs caps its delays where it says, past one hour too", async (t) => {
    await t.enqueue("q", { maxAttempts: 20, backoff: { type: "exponential", delayMs: 3_600_000, maxDelayMs: 3 * 3_600_000, jitter: false } });
    const delays = [];
    for (let i = 0; i < 4; i++) {
      const failed = await t.failWith(await t.claimOne("q"));
      delays.push((failed.runAt - t.now()) / 3_600_000);
      t.clock.set(failed.runAt);
    }
    expect(delays).toEqual([1, 2, 3, 3]);
  });

  it("jitter spreads a retry over half to all of its backoff", async (t) => {
    await t.enqueue("q", { backoff: { type: "fixed", delayMs: 10_000 }, maxAttempts: 5 });
    t.jitter = 0;
    const low = await t.failWith(await t.claimOne("q"));
    expect(low.runAt - t.now()).toBe(5000);
    t.clock.set(low.runAt);
    t.jitter = 0.5;
    const mid = await t.failWith(await t.claimOne("q"));
    expect(mid.runAt - t.now()).toBe(7500);
  });

  it("a job fails for good when its attempts are exhausted", async (t) => {
    const job = await t.enqueue("q", { maxAttempts: 2, backoff: { delayMs: 0 } });
    expect((await t.failWith(await t.claimOne("q"))).state).toBe("waiting");
    const leased = await t.claimOne("q");
    const failed = await t.failWith(leased);
    expect(failed).toMatchObject({ id: job.id, state: "failed", attempts: 2, finishedAt: t.now(), leaseToken: leased.leaseToken, leaseExpiresAt: null });
    t.clock.advance(3_600_000);
    expect(await t.claim("q", 10)).toEqual([]);
    expect((await t.svc.getQueue("q")).counts.failed).toBe(1);
  });

  it("an attempt given back unfinished (type shutdown) runs again at once and does not count against maxAttempts", async (t) => {
    const job = await t.enqueue("q", { maxAttempts: 1, backoff: { delayMs: 0 } });
    const given = await t.failWith(await t.claimOne("q"), { type: "shutdown", retryInMs: 0 });
    expect(given).toMatchObject({ id: job.id, state: "waiting", attempts: 1, runAt: t.now() });
    // Given back twice more: still it runs again.
    for (let i = 0; i < 2; i++) expect((await t.failWith(await t.claimOne("q"), { type: "shutdown", retryInMs: 0 })).state).toBe("waiting");
    // Its one counted attempt is the next: a real failure then is final.
    const failed = await t.failWith(await t.claimOne("q"), { type: "Boom" });
    expect(failed).toMatchObject({ state: "failed", attempts: 4, givenBack: 3 });
    expect(failed.errors.map((e) => e.type)).toEqual(["shutdown", "shutdown", "shutdown", "Boom"]);
  });

  it("give-backs are counted apart from the errors: past the 50 errors a job keeps, and afresh after a retry by hand", async (t) => {
    const job = await t.enqueue("q", { maxAttempts: 2, backoff: { delayMs: 0 } });
    for (let i = 0; i < 55; i++) await t.failWith(await t.claimOne("q"), { type: "shutdown", retryInMs: 0 });
    // 56 attempts started, 55 given back: this failure is the first that counts, and the job runs again.
    const first = await t.failWith(await t.claimOne("q"), { type: "Boom" });
    expect(first).toMatchObject({ state: "waiting", attempts: 56, givenBack: 55 });
    expect(first.errors).toHaveLength(50);
    expect((await t.failWith(await t.claimOne("q"), { type: "Boom" })).state).toBe("failed");
    // Retried by hand, it starts afresh: its give-backs from before no longer make room for more attempts.
    expect(await t.svc.retry(job.id)).toMatchObject({ state: "waiting", attempts: 0, givenBack: 0 });
    expect((await t.failWith(await t.claimOne("q"), { type: "Boom" })).state).toBe("waiting");
    expect((await t.failWith(await t.claimOne("q"), { type: "Boom" })).state).toBe("failed");
  });

  it("retry: false fails the job at once", async (t) => {
    const job = await t.enqueue("q", { maxAttempts: 10 });
    const failed = await t.failWith(await t.claimOne("q"), { retry: false });
    expect(failed).toMatchObject({ id: job.id, state: "failed", attempts: 1 });
  });

  it("retryInMs sets when the next attempt runs", async (t) => {
    const job = await t.enqueue("q", { backoff: { type: "fixed", delayMs: 60_000 } });
    const later = await t.failWith(await t.claimOne("q"), { retryInMs: 7000 });
    expect(later).toMatchObject({ state: "delayed", runAt: t.now() + 7000 });
    t.clock.advance(7000);
    const now = await t.failWith(await t.claimOne("q"), { retryInMs: 0 });
    expect(now).toMatchObject({ id: job.id, state: "waiting", attempts: 2 });
    // retryInMs does not buy attempts beyond maxAttempts.
    const last = await t.failWith(await t.claimOne("q"), { retryInMs: 0 });
    expect(last.state).toBe("failed");
  });

  it("the queue's retry policy never retries noRetry error types", async (t) => {
    await t.configure("q", { retryPolicy: { noRetry: ["ValidationError"] } });
    const a = await t.enqueue("q", { maxAttempts: 5 });
    const b = await t.enqueue("q", { maxAttempts: 5 });
    const failedA = await t.failWith(await t.claimOne("q"), { type: "ValidationError" });
    expect(failedA).toMatchObject({ id: a.id, state: "failed", attempts: 1 });
    const failedB = await t.failWith(await t.claimOne("q"), { type: "NetworkError" });
    expect(failedB).toMatchObject({ id: b.id, state: "delayed" });
  });

  it("the queue's retry policy gives error types their own attempts and backoff", async (t) => {
    await t.configure("q", {
      retryPolicy: { byType: { Flaky: { maxAttempts: 4, backoff: { type: "fixed", delayMs: 100, jitter: false } }, Fatal: { maxAttempts: 1 } } },
    });
    const flaky = await t.enqueue("q", { maxAttempts: 2 });
    for (let attempt = 1; attempt <= 3; attempt++) {
      const failed = await t.failWith(await t.claimOne("q"), { type: "Flaky" });
      expect(failed).toMatchObject({ id: flaky.id, state: "delayed", runAt: t.now() + 100, attempts: attempt });
      t.clock.advance(100);
    }
    expect(await t.failWith(await t.claimOne("q"), { type: "Flaky" })).toMatchObject({ state: "failed", attempts: 4 });
    const fatal = await t.enqueue("q", { maxAttempts: 5 });
    expect(await t.failWith(await t.claimOne("q"), { type: "Fatal" })).toMatchObject({ id: fatal.id, state: "failed", attempts: 1 });
  });

  it("each failed attempt records {attempt, type, message, stack?, at}", async (t) => {
    const job = await t.enqueue("q", { backoff: { delayMs: 0 } });
    const first = await t.claimOne("q");
    const at1 = t.now();
    await t.svc.fail({ id: job.id, token: first.leaseToken!, error: { message: "upstream 502", type: "HttpError", stack: "HttpError: upstream 502\n    at fetch" } });
    t.clock.advance(250);
    const second = await t.claimOne("q");
    await t.svc.fail({ id: job.id, token: second.leaseToken!, error: { message: "still down" } });
    const { errors, state } = await t.svc.getJob(job.id);
    expect(state).toBe("waiting");
    expect(errors).toHaveLength(2);
    expect(errors[0]).toEqual({ attempt: 1, type: "HttpError", message: "upstream 502", stack: "HttpError: upstream 502\n    at fetch", at: at1 });
    expect(errors[1]).toMatchObject({ attempt: 2, type: "Error", message: "still down", at: at1 + 250 });
    expect(errors[1]!.stack ?? null).toBeNull();
  });

  it("the checkpoint saved by a failed attempt is handed to the next attempt", async (t) => {
    await t.enqueue("q", { backoff: { delayMs: 0 } });
    const first = await t.claimOne("q");
    await t.svc.heartbeat({ id: first.id, token: first.leaseToken!, checkpoint: { offset: 1200 } });
    await t.failWith(first);
    expect((await t.claimOne("q")).checkpoint).toEqual({ offset: 1200 });
  });
}
