/** Store contract: failures per minute by queue and error type, and a sample failure found without scanning jobs. */
import { expect } from "bun:test";
import type { Job } from "../../src/core/job.ts";
import type { ContractCase, Ctx } from "./harness.ts";

const MINUTE = 60_000;

/** Enqueues a job that fails once per given error type (the last one for good); the clock is left where it ends. */
async function failing(t: Ctx, queue: string, types: string[]): Promise<Job> {
  const job = await t.enqueue(queue, { maxAttempts: types.length, backoff: { type: "fixed", delayMs: 0 } });
  for (const [i, type] of types.entries()) {
    const claimed = await t.claimOne(queue);
    expect(claimed.id).toBe(job.id);
    await t.failWith(claimed, { type, message: `${type} #${i + 1} of ${job.id}` });
  }
  return job;
}

export function errorGroupsContract(it: ContractCase): void {
  it("failed attempts per minute, queue and error type, oldest minute first, for all queues or one", async (t) => {
    t.clock.set("2026-01-05T10:00:30Z");
    const first = t.now() - 30_000;
    await failing(t, "a", ["smtp", "smtp"]);
    await failing(t, "b", ["dns"]);
    t.clock.advance(2 * MINUTE);
    await failing(t, "a", ["smtp", "timeout"]);
    const range = { from: first, to: t.now() + 1, now: t.now() };
    expect(await t.store.statsErrorMinutes(range)).toEqual([
      { minute: first, queue: "a", type: "smtp", n: 2 },
      { minute: first, queue: "b", type: "dns", n: 1 },
      { minute: first + 2 * MINUTE, queue: "a", type: "smtp", n: 1 },
      { minute: first + 2 * MINUTE, queue: "a", type: "timeout", n: 1 },
    ]);
    expect((await t.store.statsErrorMinutes({ ...range, queue: "b" })).map((m) => m.type)).toEqual(["dns"]);
    expect(await t.store.statsErrorMinutes({ ...range, from: first + MINUTE })).toHaveLength(2);
    expect(await t.store.statsErrorMinutes({ ...range, queue: "nope" })).toEqual([]);
  });

  it("an error sample is the newest failure of its queue and type, with its job's newest message of that type", async (t) => {
    await failing(t, "q", ["smtp"]);
    const newest = await failing(t, "q", ["smtp", "dns", "smtp"]);
    await failing(t, "other", ["smtp"]);
    expect(await t.store.errorSample({ queue: "q", type: "smtp" })).toEqual({ jobId: newest.id, message: `smtp #3 of ${newest.id}` });
    expect(await t.store.errorSample({ queue: "q", type: "dns" })).toEqual({ jobId: newest.id, message: `dns #2 of ${newest.id}` });
    expect(await t.store.errorSample({ queue: "q", type: "never" })).toBeNull();
    expect(await t.store.errorSample({ queue: "nope", type: "smtp" })).toBeNull();
  });

  it("an error sample is null once its job is deleted; the counts stay", async (t) => {
    const job = await failing(t, "q", ["smtp"]);
    await t.svc.deleteJob(job.id);
    expect(await t.store.errorSample({ queue: "q", type: "smtp" })).toBeNull();
    expect(await t.store.statsErrorMinutes({ from: 0, to: t.now() + 1, now: t.now() })).toEqual([
      expect.objectContaining({ queue: "q", type: "smtp", n: 1 }),
    ]);
  });

  it("failed attempts of a queue and error type are listed newest first, once per attempt, paged by event id", async (t) => {
    const a = await failing(t, "q", ["smtp"]);
    const b = await failing(t, "q", ["smtp", "dns", "smtp"]);
    await failing(t, "other", ["smtp"]);
    const c = await failing(t, "q", ["timeout", "smtp"]);
    const all = await t.store.errorFailures({ queue: "q", type: "smtp", limit: 10 });
    expect(all.map((f) => [f.jobId, f.attempt])).toEqual([[c.id, 2], [b.id, 3], [b.id, 1], [a.id, 1]]);
    expect(all.every((f, i) => i === 0 || f.eventId < all[i - 1]!.eventId)).toBe(true);
    expect(all.every((f) => f.at <= t.now())).toBe(true);
    const first = await t.store.errorFailures({ queue: "q", type: "smtp", limit: 2 });
    const rest = await t.store.errorFailures({ queue: "q", type: "smtp", beforeEventId: first[1]!.eventId, limit: 2 });
    expect([...first, ...rest]).toEqual(all);
    expect(await t.store.errorFailures({ queue: "q", type: "smtp", beforeEventId: all[3]!.eventId, limit: 2 })).toEqual([]);
    expect(await t.store.errorFailures({ queue: "q", type: "never", limit: 5 })).toEqual([]);
  });
}
