/**
 * Store contract: every kind of job change makes exactly the event src/core/job-events.ts says,
 * in the same step as the change, and moves the queue's counts by one.
 */
import { expect } from "bun:test";
import { eventOfChange } from "../../src/core/job-events.ts";
import type { Job, JobState } from "../../src/core/job.ts";
import type { Ctx, ContractCase } from "./harness.ts";

/**
 * Runs `change`, then checks the job's newest event against the rule and, when `alone` (no other
 * job of the queue moved with it), that the queue's counts moved by one out of the old state and
 * into the new.
 */
async function expectChange(t: Ctx, before: Job, change: () => Promise<unknown>, id: string, alone = true) {
  const queue = before.queue;
  const counts = (await t.svc.getQueue(queue).catch(() => null))?.counts;
  const seen = await t.store.jobEvents({ jobId: id, limit: 1000, now: t.now() });
  await change();
  const after = await t.svc.getJob(id);
  const events = await t.store.jobEvents({ jobId: id, limit: 1000, now: t.now() });
  expect(events).toHaveLength(seen.length + 1);
  const rule = eventOfChange(before.state, after);
  expect(events.at(-1)).toMatchObject({ ...rule, queue, key: after.key, jobId: id, attempt: after.attempts });
  const now = (await t.svc.getQueue(queue)).counts;
  if (counts && alone) {
    const moved = (state: JobState) => now[state] - counts[state];
    expect(moved(after.state)).toBe(1);
    expect(moved(before.state)).toBe(-1);
  }
  return after;
}

export function changeEventsContract(it: ContractCase): void {
  it("every change of a job makes the event the rule says and moves its counts", async (t) => {
    await t.configure("q", { laneOnFailure: "continue" });
    let job = await t.enqueue("q", { maxAttempts: 3, backoff: { type: "fixed", delayMs: 1000, jitter: false } });
    const id = job.id;
    expect(await t.store.jobEvents({ jobId: id, limit: 10, now: t.now() })).toEqual([
      expect.objectContaining({ ...eventOfChange(null, job), queue: "q", jobId: id, attempt: 0 }),
    ]);
    t.clock.advance(20);
    job = await expectChange(t, job, () => t.claimOne("q"), id);
    t.clock.advance(30);
    job = await expectChange(t, job, () => t.failWith(job, { type: "smtp" }), id); // retrying, delayed
    expect(job.state).toBe("delayed");
    t.clock.advance(1000);
    job = await expectChange(t, job, () => t.store.jobsPromoteDue({ now: t.now(), limit: 10 }), id); // delayed → waiting at runAt
    job = await expectChange(t, job, () => t.claimOne("q"), id);
    t.clock.advance(40);
    job = await expectChange(t, job, () => t.complete(job), id);
    expect(job.state).toBe("completed");
  });

  it("fail for good, cancel, operator retry, lease expiry and a lane hand-on each make the rule's event", async (t) => {
    const head = await t.enqueue("q", { key: "k", maxAttempts: 1 });
    const behind = await t.enqueue("q", { key: "k" });
    const handedOn = async (id: string) => {
      const job = await t.svc.getJob(id);
      expect((await t.store.jobEvents({ jobId: id, limit: 100, now: t.now() })).at(-1)).toMatchObject(eventOfChange("blocked", job, t.now()));
      return job;
    };
    let job = await expectChange(t, head, () => t.claimOne("q"), head.id);
    t.clock.advance(10);
    job = await expectChange(t, job, () => t.failWith(job, { type: "bad_input" }), head.id); // failed for good; the lane goes on
    expect(job.state).toBe("failed");
    const next = await handedOn(behind.id);
    expect(next.state).toBe("waiting");
    t.clock.advance(10);
    job = await expectChange(t, job, () => t.svc.retry(head.id), head.id); // failed → blocked behind the lane's new head
    expect(job.state).toBe("blocked");
    t.clock.advance(10);
    await expectChange(t, next, () => t.svc.cancel(behind.id), behind.id, false); // waiting → cancelled, handing the lane back
    expect((await handedOn(head.id)).state).toBe("waiting");

    const expiring = await t.enqueue("x", { maxAttempts: 2 });
    const leased = await expectChange(t, expiring, () => t.claim("x", 1, 1000), expiring.id);
    t.clock.advance(1001);
    const recovered = await expectChange(t, leased, () => t.svc.reapExpiredLeases(), expiring.id);
    expect(recovered.errors.at(-1)!.type).toBe("lease_expired");
  });
}
