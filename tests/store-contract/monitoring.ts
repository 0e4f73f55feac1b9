/** Store contract: monitoring — one event per job change, aggregates counted once and kept past retention, alerts, reports, lanes, counts. */
import { expect } from "bun:test";
import type { EnqueueOptions, Job } from "../../src/core/job.ts";
import { HISTOGRAM_BOUNDS_MS, histogramBucket, type EventFilters, type MonitorEvent } from "../../src/core/monitor-store.ts";
import type { ContractCase, Ctx } from "./harness.ts";

const HOUR = 3_600_000;

type Plan = { waitMs?: number; runMs?: number; fail?: string; final?: boolean; options?: EnqueueOptions };

/** Enqueues, waits, claims, runs and completes (or fails) one job; the clock ends at the job's end. */
async function run(t: Ctx, queue: string, plan: Plan = {}): Promise<Job> {
  const job = await t.enqueue(queue, plan.options);
  t.clock.advance(plan.waitMs ?? 0);
  const claimed = await t.claimOne(queue, HOUR);
  expect(claimed.id).toBe(job.id);
  t.clock.advance(plan.runMs ?? 0);
  if (plan.fail === undefined) return t.complete(claimed);
  return t.failWith(claimed, { type: plan.fail, retry: plan.final ? false : undefined });
}

async function allEvents(t: Ctx, filters: EventFilters = {}): Promise<MonitorEvent[]> {
  const out: MonitorEvent[] = [];
  let afterId = 0;
  for (;;) {
    const { events, lastId } = await t.store.eventsAfter({ afterId, filters, limit: 1000, now: t.now() });
    out.push(...events);
    if (lastId === afterId) return out;
    afterId = lastId;
  }
}

const brief = (e: MonitorEvent) => [e.type, e.prevState, e.state, e.errorType].join(" ").trim();

async function totalsOf(t: Ctx, queue: string, from = 0) {
  return (await t.store.statsTotals({ from, to: t.now() + HOUR, now: t.now() })).find((x) => x.queue === queue);
}

export function monitoringContract(it: ContractCase): void {
  it("every job change appends one event with its time, states, attempt and duration", async (t) => {
    const t0 = t.now();
    const done = await run(t, "q", { waitMs: 200, runMs: 1500 });
    const events = await allEvents(t, { jobId: done.id });
    expect(events.map(brief)).toEqual(["job.enqueued  waiting", "job.started waiting active", "job.completed active completed"]);
    expect(events.map((e) => e.at)).toEqual([t0, t0 + 200, t0 + 1700]);
    expect(events.map((e) => e.durationMs)).toEqual([null, 200, 1500]);
    expect(events.every((e) => e.queue === "q" && e.jobId === done.id)).toBe(true);
    expect(events[2]!.attempt).toBe(1);
  });

  it("failed attempts: job.retrying with the error type, job.failed at the end, lease expiry as lease_expired", async (t) => {
    const job = await t.enqueue("q", { maxAttempts: 3, backoff: { type: "fixed", delayMs: 1000 } });
    await t.failWith(await t.claimOne("q"), { type: "smtp" });
    t.clock.advance(1000);
    await t.claimOne("q", 5000);
    t.clock.advance(5000);
    await t.svc.reapExpiredLeases();
    t.clock.advance(1000);
    await t.failWith(await t.claimOne("q"), { type: "smtp" });
    expect((await allEvents(t, { jobId: job.id })).map(brief)).toEqual([
      "job.enqueued  waiting",
      "job.started waiting active",
      "job.retrying active delayed smtp",
      "job.waiting delayed waiting",
      "job.started waiting active",
      "job.retrying active delayed lease_expired",
      "job.waiting delayed waiting",
      "job.started waiting active",
      "job.failed active failed smtp",
    ]);
    expect(await totalsOf(t, "q")).toMatchObject({ started: 3, retried: 2, failed: 1, expired: 1, completed: 0 });
    expect(await t.store.statsErrors({ from: 0, to: t.now() + 1, now: t.now() })).toEqual([
      { queue: "q", type: "smtp", n: 2 },
      { queue: "q", type: "lease_expired", n: 1 },
    ]);
  });

  it("lane hand-ons, cancels and operator retries are events; an idempotent enqueue is not", async (t) => {
    const a = await t.enqueue("q", { key: "k" });
    const b = await t.enqueue("q", { key: "k" });
    const once = await t.enqueue("q", { idempotencyKey: "once" });
    await t.enqueue("q", { idempotencyKey: "once" });
    const claimed = await t.claimOne("q");
    t.clock.advance(50);
    await t.complete(claimed);
    expect(claimed.id).toBe(a.id);
    const handedOn = await allEvents(t, { jobId: b.id });
    expect(handedOn.map(brief)).toEqual(["job.enqueued  blocked", "job.waiting blocked waiting"]);
    expect(handedOn[1]!.at).toBe(t.now());
    await t.svc.cancel(b.id);
    await t.svc.retry(b.id);
    expect((await allEvents(t, { jobId: b.id })).slice(2).map(brief)).toEqual(["job.cancelled waiting cancelled", "job.waiting cancelled waiting"]);
    expect((await allEvents(t, { jobId: once.id })).map(brief)).toEqual(["job.enqueued  waiting"]);
  });

  it("reading the log: filters by queue, key and job; a limit; the last id examined; the end", async (t) => {
    await t.svc.enqueueMany("a", Array.from({ length: 30 }, () => ({})));
    const b = await t.enqueue("b", { key: "x" });
    await t.enqueue("b", { key: "y" });
    expect((await allEvents(t, { queue: "b", key: "x" })).map((e) => e.jobId)).toEqual([b.id]);
    expect((await allEvents(t, { queue: "b" })).map((e) => e.key)).toEqual(["x", "y"]);
    const all = await allEvents(t);
    expect(all).toHaveLength(32);
    const latest = await t.store.eventsLatestId({ now: t.now() });
    expect(latest).toBe(all.at(-1)!.id);
    const page = await t.store.eventsAfter({ afterId: all[4]!.id, filters: {}, limit: 3, now: t.now() });
    expect(page.events.map((e) => e.id)).toEqual([all[5]!.id, all[6]!.id, all[7]!.id]);
    expect(page).toMatchObject({ lastId: all[7]!.id, atEnd: false });
    expect(await t.store.eventsAfter({ afterId: all[29]!.id, filters: { queue: "b" }, limit: 10, now: t.now() })).toMatchObject({ lastId: latest, atEnd: true });
    expect((await t.store.eventsAfter({ afterId: 0, filters: { jobId: "nope" }, limit: 10, now: t.now() })).events).toEqual([]);
  });

  it("pruning keeps the newest events in bounded batches; ids keep growing; pruned events still count", async (t) => {
    await t.svc.enqueueMany("q", Array.from({ length: 20 }, () => ({})));
    const ids = (await allEvents(t)).map((e) => e.id);
    expect(await t.store.eventsPrune({ keep: 5, limit: 6, now: t.now() })).toBe(6);
    expect(await t.store.eventsPrune({ keep: 5, limit: 6, now: t.now() })).toBe(6);
    expect(await t.store.eventsPrune({ keep: 5, limit: 6, now: t.now() })).toBe(3);
    expect(await t.store.eventsPrune({ keep: 5, limit: 6, now: t.now() })).toBe(0);
    expect((await allEvents(t)).map((e) => e.id)).toEqual(ids.slice(15));
    expect(await t.store.eventsPrune({ keep: 0, limit: 100, now: t.now() })).toBe(4);
    const next = await t.enqueue("q");
    expect((await allEvents(t, { jobId: next.id }))[0]!.id).toBeGreaterThan(ids.at(-1)!);
    expect((await totalsOf(t, "q"))!.enqueued).toBe(21);
  });

  it("alert events carry their alert", async (t) => {
    const id = await t.store.eventAppend({ type: "alert.firing", queue: "q", data: { rule: "queue_backlog" }, now: t.now() });
    expect(await allEvents(t)).toEqual([expect.objectContaining({ id, type: "alert.firing", queue: "q", jobId: null, at: t.now(), data: { rule: "queue_backlog" } })]);
  });

  it("aggregates count each change once, however many reads run at the same time", async (t) => {
    for (let i = 0; i < 30; i++) await run(t, "q", { waitMs: 10, runMs: 20 });
    const reads = await Promise.all(Array.from({ length: 5 }, () => totalsOf(t, "q")));
    for (const x of reads) expect(x).toMatchObject({ enqueued: 30, started: 30, completed: 30, runMs: 600, waitMs: 300 });
    expect(await totalsOf(t, "q")).toMatchObject({ enqueued: 30, completed: 30 });
  });

  it("aggregates survive deleting, purging and pruning the jobs they count", async (t) => {
    const done: Job[] = [];
    for (let i = 0; i < 6; i++) done.push(await run(t, "q", { runMs: 100 }));
    await run(t, "q", { fail: "boom", final: true });
    const before = await totalsOf(t, "q");
    expect(before).toMatchObject({ completed: 6, failed: 1, runMs: 600 });
    await t.svc.deleteJob(done[0]!.id);
    await t.svc.purgeQueue("q", "failed");
    t.clock.advance(40 * 24 * HOUR);
    await t.store.jobsPrune({ queue: "q", state: "completed", finishedBefore: t.now(), limit: 100, now: t.now() });
    expect((await t.svc.getQueue("q")).counts.completed).toBe(0);
    await t.store.eventsPrune({ keep: 1, limit: 1000, now: t.now() });
    expect(await totalsOf(t, "q")).toEqual(before);
  });

  it("run and wait histograms follow HISTOGRAM_BOUNDS_MS at every bound", async (t) => {
    const durations = HISTOGRAM_BOUNDS_MS.flatMap((b) => [b, b + 1]);
    for (const d of durations) await run(t, "q", { runMs: d, waitMs: d });
    const expected = new Array(HISTOGRAM_BOUNDS_MS.length + 1).fill(0);
    for (const d of durations) expected[histogramBucket(d)]++;
    const range = { from: 0, to: t.now() + 1, now: t.now() };
    expect((await t.store.statsHistogram({ ...range, metric: "run" }))[0]!.buckets).toEqual(expected);
    expect((await t.store.statsHistogram({ ...range, metric: "wait" }))[0]!.buckets).toEqual(expected);
  });

  it("series step through time; each hour keeps its slowest completions; history prunes by age", async (t) => {
    t.clock.set("2026-01-05T10:00:00Z");
    const start = t.now();
    for (let i = 0; i < 8; i++) {
      await run(t, "q", { runMs: (i + 1) * 1000 });
      t.clock.advance(10 * 60_000);
    }
    const series = await t.store.statsSeries({ from: start, to: t.now(), stepMs: HOUR, now: t.now() });
    expect(series.map((p) => [new Date(p.at).toISOString(), p.completed])).toEqual([
      ["2026-01-05T10:00:00.000Z", 6],
      ["2026-01-05T11:00:00.000Z", 2],
    ]);
    expect((await t.store.statsSlowest({ from: start, to: t.now(), limit: 3, now: t.now() })).map((s) => s.runMs)).toEqual([8000, 7000, 6000]);
    // Each hour keeps its five slowest: the 10:00 hour dropped its fastest one.
    expect((await t.store.statsSlowest({ from: start, to: t.now(), limit: 10, now: t.now() })).map((s) => s.runMs))
      .toEqual([8000, 7000, 6000, 5000, 4000, 3000, 2000]);
    expect(await t.store.historyPrune({ before: start + HOUR, now: t.now() })).toBeGreaterThan(0);
    expect((await totalsOf(t, "q"))!.completed).toBe(2);
    // Spool's own jobs (a health run every 30 s) do not take the operator's places among them, however slow.
    const ownStart = t.now();
    for (let i = 0; i < 6; i++) await run(t, "spool:maintenance", { runMs: 60_000 });
    await run(t, "q", { runMs: 10 });
    expect((await t.store.statsSlowest({ from: ownStart, to: t.now() + 1, limit: 5, now: t.now() })).map((s) => [s.queue, s.runMs])).toEqual([["q", 10]]);
  });

  it("an alert fires once per rule and subject, escalates, resolves, and keeps its first acknowledgement", async (t) => {
    const base = { rule: "failure_rate", subject: "q", message: "m", value: 0.2, threshold: 0.1 };
    const fired = await t.store.alertUpsert({ ...base, severity: "warning", now: 1000 });
    expect(fired.change).toBe("fired");
    expect(await t.store.alertUpsert({ ...base, severity: "warning", now: 2000 }))
      .toMatchObject({ change: "updated", alert: { id: fired.alert.id, firstSeen: 1000, lastSeen: 2000 } });
    expect(await t.store.alertUpsert({ ...base, severity: "critical", value: 0.6, threshold: 0.5, now: 3000 }))
      .toMatchObject({ change: "escalated", alert: { id: fired.alert.id, severity: "critical", value: 0.6 } });
    expect((await t.store.alertAck({ id: fired.alert.id, by: "ops", now: 3500 }))!.ackedAt).toBe(3500);
    expect(await t.store.alertAck({ id: fired.alert.id, by: "other", now: 3600 })).toMatchObject({ ackedAt: 3500, ackedBy: "ops" });
    expect(await t.store.alertResolve({ id: fired.alert.id, now: 4000 })).toMatchObject({ state: "resolved", resolvedAt: 4000, lastSeen: 3000 });
    expect(await t.store.alertResolve({ id: fired.alert.id, now: 5000 })).toBeNull();
    const again = await t.store.alertUpsert({ ...base, severity: "warning", now: 6000 });
    expect(again.change).toBe("fired");
    expect(again.alert.id).not.toBe(fired.alert.id);
    expect((await t.store.alertsList({ limit: 10, now: 6000 })).map((a) => a.state)).toEqual(["firing", "resolved"]);
    expect((await t.store.alertsList({ state: "resolved", limit: 10, now: 6000 })).map((a) => a.id)).toEqual([fired.alert.id]);
    expect(await t.store.alertGet({ id: fired.alert.id })).toMatchObject({ id: fired.alert.id, state: "resolved" });
    expect(await t.store.alertAck({ id: "999", by: null, now: 1 })).toBeNull();
    expect(await t.store.alertGet({ id: "x" })).toBeNull();
  });

  it("reports are stored by kind and date, replaced, and listed newest first", async (t) => {
    await t.store.reportPut({ kind: "daily", date: "2026-01-02", body: { n: 1 }, now: 10 });
    await t.store.reportPut({ kind: "daily", date: "2026-01-03", body: { n: 2 }, now: 20 });
    await t.store.reportPut({ kind: "daily", date: "2026-01-02", body: { n: 3 }, now: 30 });
    expect(await t.store.reportGet({ kind: "daily", date: "2026-01-02" })).toEqual({ kind: "daily", date: "2026-01-02", body: { n: 3 }, createdAt: 30 });
    expect(await t.store.reportsList({ kind: "daily", limit: 5 })).toEqual([
      { date: "2026-01-03", createdAt: 20 },
      { date: "2026-01-02", createdAt: 30 },
    ]);
    expect(await t.store.reportGet({ kind: "daily", date: "2026-01-04" })).toBeNull();
  });

  it("lanes: blocked lanes first with their head's error and depth; blocked lanes per queue", async (t) => {
    await t.configure("q", { laneOnFailure: "block" });
    const head = await t.enqueue("q", { key: "order-1", maxAttempts: 1 });
    await t.enqueue("q", { key: "order-1" });
    await t.enqueue("q", { key: "order-1" });
    await t.enqueue("q", { key: "order-2" });
    const claimed = await t.claimOne("q");
    t.clock.advance(1000);
    await t.failWith(claimed, { type: "conflict", message: "qty mismatch" });
    expect(await t.store.lanesList({ queue: "q", limit: 10, now: t.now() })).toEqual([
      {
        queue: "q", key: "order-1", status: "blocked", headJobId: head.id, headState: "failed",
        lastError: { type: "conflict", message: "qty mismatch", at: t.now() }, since: t.now(), depth: 2,
      },
      expect.objectContaining({ key: "order-2", status: "busy", headState: "waiting", lastError: null, depth: 0 }),
    ]);
    expect((await t.store.lanesList({ queue: "q", key: "order-2", limit: 10, now: t.now() })).map((l) => l.key)).toEqual(["order-2"]);
    expect(await t.store.lanesBlocked({ now: t.now() })).toEqual([{ queue: "q", blocked: 1, oldestSince: t.now() }]);
    await t.svc.skipLaneHead("q", "order-1");
    expect(await t.store.lanesBlocked({ now: t.now() })).toEqual([]);
  });

  it("counts per queue and in total", async (t) => {
    await run(t, "a");
    await t.enqueue("a");
    await t.enqueue("b", { delayMs: 60_000 });
    const { total, queues } = await t.store.countsTotal({ now: t.now() });
    expect(total).toEqual({ waiting: 1, delayed: 1, blocked: 0, active: 0, completed: 1, failed: 0, cancelled: 0 });
    expect(queues.a).toMatchObject({ waiting: 1, completed: 1 });
    expect(queues.b).toMatchObject({ delayed: 1 });
  });
}
