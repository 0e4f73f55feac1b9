/** Store contract: a job's own events — its timeline for the dashboard. */
import { expect } from "bun:test";
import type { ContractCase } from "./harness.ts";

export function jobEventsContract(it: ContractCase): void {
  it("jobEvents: one job's events oldest first, only its own, the newest `limit` of them, none for an unknown id", async (t) => {
    const job = await t.enqueue("q", { maxAttempts: 2, backoff: { type: "fixed", delayMs: 1000 } });
    const other = await t.enqueue("q");
    await t.failWith(await t.claimOne("q"), { type: "smtp" });
    t.clock.advance(1000);
    await t.claimOne("q");
    await t.svc.cancel(other.id);
    const events = await t.store.jobEvents({ jobId: job.id, limit: 100, now: t.now() });
    expect(events.map((e) => e.type)).toEqual(["job.enqueued", "job.started", "job.retrying", "job.waiting", "job.started"]);
    expect(events.every((e) => e.jobId === job.id)).toBe(true);
    expect(events.map((e) => e.id)).toEqual([...events.map((e) => e.id)].sort((a, b) => a - b));
    expect(events[2]!.errorType).toBe("smtp");
    const newest = await t.store.jobEvents({ jobId: job.id, limit: 2, now: t.now() });
    expect(newest.map((e) => e.id)).toEqual(events.slice(-2).map((e) => e.id));
    expect(await t.store.jobEvents({ jobId: "999999", limit: 10, now: t.now() })).toEqual([]);
    expect(await t.store.jobEvents({ jobId: "not-an-id", limit: 10, now: t.now() })).toEqual([]);
  });

  it("jobEvents: pruned events leave a job's timeline; a deleted job's timeline goes with it while its events stay in the log", async (t) => {
    const [kept, gone] = [await t.enqueue("q"), await t.enqueue("q")];
    await t.complete(await t.claimOne("q"));
    await t.complete(await t.claimOne("q"));
    const types = async (id: string) => (await t.store.jobEvents({ jobId: id, limit: 10, now: t.now() })).map((e) => e.type);
    const logged = async (id: string) =>
      (await t.store.eventsAfter({ afterId: 0, filters: { jobId: id }, limit: 10, now: t.now() })).events.map((e) => e.type);
    const before = await t.store.jobEvents({ jobId: kept.id, limit: 10, now: t.now() });
    expect(await t.store.jobDelete({ id: gone.id, now: t.now() })).toBe(true);
    expect(await types(gone.id)).toEqual([]);
    expect(await logged(gone.id)).toEqual(["job.enqueued", "job.started", "job.completed"]);
    // The log: kept enqueued, gone enqueued, kept started, kept completed, gone started, gone completed.
    expect(await t.store.eventsPrune({ keep: 3, limit: 100, now: t.now() })).toBe(3);
    expect(await types(kept.id)).toEqual(["job.completed"]);
    expect((await t.store.jobEvents({ jobId: kept.id, limit: 10, now: t.now() }))[0]!.id).toBe(before.at(-1)!.id);
    expect(await logged(gone.id)).toEqual(["job.started", "job.completed"]);
  });

  it("events keep a job's key and an error type exactly, tabs, newlines and all", async (t) => {
    const key = "tenant\t42\nline two\u00e9";
    const type = "bad\tgateway\n";
    const job = await t.enqueue("q", { key, maxAttempts: 1 });
    await t.failWith(await t.claimOne("q"), { type });
    const events = await t.store.jobEvents({ jobId: job.id, limit: 10, now: t.now() });
    expect(events.map((e) => [e.type, e.queue, e.key, e.state])).toEqual([
      ["job.enqueued", "q", key, "waiting"], ["job.started", "q", key, "active"], ["job.failed", "q", key, "failed"],
    ]);
    expect(events.map((e) => e.errorType)).toEqual([null, null, type]);
    expect(events[2]!.prevState).toBe("active");
    expect(events[2]!.attempt).toBe(1);
  });
}
