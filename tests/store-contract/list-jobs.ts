/** Store contract: listJobs — filters by queue, state, key and search text; cursor paging newest first. */
import { expect } from "bun:test";
import type { Job } from "../../src/core/job.ts";
import { SEARCH_WINDOW, type JobListParams } from "../../src/core/store.ts";
import { ids, refused, type Ctx, type ContractCase } from "./harness.ts";

/** Follows nextCursor to the end; fails on a runaway cursor. */
async function allPages(t: Ctx, params: Partial<JobListParams>): Promise<{ pages: Job[][]; jobs: Job[] }> {
  const pages: Job[][] = [];
  let cursor: string | undefined;
  for (let i = 0; i < 100; i++) {
    const page = await t.svc.listJobs({ ...params, cursor });
    pages.push(page.jobs);
    if (page.nextCursor === null) return { pages, jobs: pages.flat() };
    cursor = page.nextCursor;
  }
  throw new Error("listJobs paging did not end");
}

export function listJobsContract(it: ContractCase): void {
  it("listJobs filters by queue, state and key", async (t) => {
    const a1 = await t.enqueue("a", { key: "order-1" });
    const a2 = await t.enqueue("a", { key: "order-1" });
    const a3 = await t.enqueue("a", { key: "order-2" });
    const a4 = await t.enqueue("a");
    const b1 = await t.enqueue("b", { key: "order-1" });
    await t.complete(await t.claimOne("a"));
    const list = async (p: Partial<JobListParams>) => ids((await t.svc.listJobs(p)).jobs);
    expect(await list({})).toEqual(ids([b1, a4, a3, a2, a1]));
    expect(await list({ queue: "a" })).toEqual(ids([a4, a3, a2, a1]));
    expect(await list({ queue: "a", state: "waiting" })).toEqual(ids([a4, a3, a2]));
    expect(await list({ queue: "a", state: "completed" })).toEqual(ids([a1]));
    expect(await list({ state: "waiting" })).toEqual(ids([b1, a4, a3, a2]));
    expect(await list({ key: "order-1" })).toEqual(ids([b1, a2, a1]));
    expect(await list({ queue: "a", key: "order-1" })).toEqual(ids([a2, a1]));
    expect(await list({ queue: "a", key: "order-1", state: "blocked" })).toEqual([]);
    expect(await list({ queue: "nope" })).toEqual([]);
    await refused(t.svc.listJobs({ state: "sleeping" as never }), "validation_failed", 400);
  });

  it("listJobs q searches id, key and payload text, ignoring case", async (t) => {
    const invoice = await t.enqueue("q", { payload: { customer: "Acme Corp", total: 120 } });
    const keyed = await t.enqueue("q", { key: "Tenant-ACME", payload: { n: 1 } });
    const other = await t.enqueue("q", { payload: { customer: "Globex" } });
    await t.enqueue("q", { payload: "100%_done" });
    const list = async (q: string) => ids((await t.svc.listJobs({ q })).jobs).sort();
    expect(await list("acme")).toEqual(ids([invoice, keyed]).sort());
    expect(await list("GLOBEX")).toEqual([other.id]);
    expect(await list(other.id)).toContain(other.id);
    expect(await list("no such text")).toEqual([]);
    // Wildcard characters are matched literally.
    expect(await list("%")).toHaveLength(1);
    expect(await list("_")).toHaveLength(1);
    expect(ids((await t.svc.listJobs({ q: "acme", key: "Tenant-ACME" })).jobs)).toEqual([keyed.id]);
  });

  it("listJobs pages newest first by cursor with no duplicates or gaps", async (t) => {
    const enqueued: Job[] = [];
    for (let i = 0; i < 23; i++) enqueued.push(await t.enqueue(i % 3 === 0 ? "other" : "q", { payload: i }));
    const { pages, jobs } = await allPages(t, { limit: 5 });
    expect(pages.map((p) => p.length)).toEqual([5, 5, 5, 5, 3]);
    expect(ids(jobs)).toEqual(ids([...enqueued].reverse()));
    const filtered = await allPages(t, { queue: "q", limit: 4 });
    expect(ids(filtered.jobs)).toEqual(ids(enqueued.filter((j) => j.queue === "q").reverse()));
    expect(filtered.pages.every((p) => p.length <= 4)).toBe(true);
    const exact = await t.svc.listJobs({ queue: "other", limit: 8 });
    expect(exact.jobs).toHaveLength(8);
    expect(exact.nextCursor).toBeNull();
  });

  it("listJobs across many queues pages past a few hundred jobs with no duplicates or gaps", async (t) => {
    const enqueued: Job[] = [];
    for (let round = 0; round < 5; round++) {
      for (const queue of ["a", "b", "c"]) {
        const made = await t.svc.enqueueMany(queue, Array.from({ length: 10 + round * 7 }, (_, i) => ({ key: "k", payload: { round, i } })));
        enqueued.push(...made.map((m) => m.job));
      }
    }
    const newestFirst = (jobs: Job[]) => ids(jobs).sort((a, b) => Number(b) - Number(a));
    for (const limit of [7, 150]) {
      const { jobs } = await allPages(t, { limit });
      expect(ids(jobs)).toEqual(newestFirst(enqueued));
    }
    // Each queue's lane "k": its oldest job heads it (waiting), the rest are blocked behind it.
    const heads = (await allPages(t, { key: "k", state: "waiting", limit: 150 })).jobs;
    const firsts = ["a", "b", "c"].map((queue) => enqueued.find((j) => j.queue === queue)!);
    expect(ids(heads)).toEqual(newestFirst(firsts));
    const blocked = await allPages(t, { state: "blocked", limit: 40 });
    expect(ids(blocked.jobs)).toEqual(newestFirst(enqueued.filter((j) => !firsts.includes(j))));
  });

  it("jobs enqueued while paging do not shift the pages", async (t) => {
    const enqueued: Job[] = [];
    for (let i = 0; i < 10; i++) enqueued.push(await t.enqueue("q", { payload: i }));
    const first = await t.svc.listJobs({ queue: "q", limit: 4 });
    for (let i = 0; i < 3; i++) await t.enqueue("q", { payload: 100 + i });
    const seen = [...first.jobs];
    let cursor = first.nextCursor;
    while (cursor !== null) {
      const page = await t.svc.listJobs({ queue: "q", limit: 4, cursor });
      seen.push(...page.jobs);
      cursor = page.nextCursor;
    }
    expect(ids(seen)).toEqual(ids([...enqueued].reverse()));
  });

  it("listJobs pages one state across queues newest first, other filters still applying", async (t) => {
    const queues = ["mail", "billing", "reports"];
    const failed: Job[] = [];
    for (let i = 0; i < 12; i++) {
      const queue = queues[i % 3]!;
      await t.enqueue(queue, { key: i % 2 === 0 ? "even" : "odd", payload: i });
      if (i % 4 !== 3) failed.push(await t.failWith(await t.claimOne(queue), { retry: false }));
    }
    await t.enqueue("quiet");
    // Newest first: ids increase in enqueue order (a claim takes its queue's oldest job).
    const newestFirst = (jobs: Job[]) => ids(jobs).sort((a, b) => Number(b) - Number(a));
    const { pages, jobs } = await allPages(t, { state: "failed", limit: 4 });
    expect(pages.map((p) => p.length)).toEqual([4, 4, 1]);
    expect(ids(jobs)).toEqual(newestFirst(failed));
    const even = await allPages(t, { state: "failed", key: "even", limit: 2 });
    expect(ids(even.jobs)).toEqual(newestFirst(failed.filter((j) => j.key === "even")));
    expect((await t.svc.listJobs({ state: "active" })).jobs).toEqual([]);
  });

  it("listJobs pages one queue's jobs in every state newest first, and a key across queues", async (t) => {
    const jobs: Job[] = [];
    for (let i = 0; i < 10; i++) jobs.push(await t.enqueue(i % 2 ? "q" : "other", { key: i % 3 === 0 ? "k" : undefined, payload: i }));
    await t.complete(await t.claimOne("q"));
    await t.failWith(await t.claimOne("q"), { retry: false });
    await t.svc.cancel(jobs[9]!.id);
    const newestFirst = (list: Job[]) => ids(list).sort((a, b) => Number(b) - Number(a));
    const inQ = await allPages(t, { queue: "q", limit: 2 });
    expect(ids(inQ.jobs)).toEqual(newestFirst(jobs.filter((j) => j.queue === "q")));
    expect(new Set(inQ.jobs.map((j) => j.state)).size).toBeGreaterThan(2);
    const keyed = await allPages(t, { key: "k", limit: 1 });
    expect(ids(keyed.jobs)).toEqual(newestFirst(jobs.filter((j) => j.key === "k")));
  });

  it("a search reads a bounded window per page: past it, a short page with a cursor to search on", async (t) => {
    const needle = await t.enqueue("big", { payload: { note: "needle in the oldest" } });
    for (let i = 0; i < SEARCH_WINDOW + 5; i += 1000) {
      await t.svc.enqueueMany("big", Array.from({ length: Math.min(1000, SEARCH_WINDOW + 5 - i) }, (_, j) => ({ payload: { n: i + j } })));
    }
    const first = await t.svc.listJobs({ queue: "big", q: "NEEDLE", limit: 10 });
    expect(first.jobs).toEqual([]);
    expect(first.nextCursor).not.toBeNull();
    const { jobs } = await allPages(t, { queue: "big", q: "needle", limit: 10 });
    expect(ids(jobs)).toEqual([needle.id]);
  });
}
