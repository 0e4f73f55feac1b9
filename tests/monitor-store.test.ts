/** The MonitorStore on SQLite: the event log written with each job change, aggregates folded exactly once, history kept past retention. */
import { afterEach, describe, expect, test } from "bun:test";
import { HISTOGRAM_BOUNDS_MS, histogramBucket, type MonitorEvent } from "../src/core/monitor-store.ts";
import { MonitorWorld } from "./helpers/monitor-world.ts";

let world: MonitorWorld;
afterEach(async () => world?.close());

const HOUR = 3_600_000;

async function allEvents(w: MonitorWorld, filters = {}): Promise<MonitorEvent[]> {
  const out: MonitorEvent[] = [];
  let afterId = 0;
  for (;;) {
    const { events, lastId } = await w.store.eventsAfter({ afterId, filters, limit: 1000, now: w.now() });
    out.push(...events);
    if (lastId === afterId) return out;
    afterId = lastId;
  }
}

const brief = (e: MonitorEvent) => [e.type, e.prevState, e.state, e.errorType].join(" ").trim();

async function totalsOf(w: MonitorWorld, queue: string, from = 0, to = w.now() + HOUR) {
  return (await w.store.statsTotals({ from, to, now: w.now() })).find((t) => t.queue === queue);
}

describe("event log", () => {
  test("every job change appends one event with its time, states, attempt, error type and duration", async () => {
    world = new MonitorWorld();
    const t0 = world.now();
    const done = await world.run("q", { waitMs: 200, runMs: 1500 });
    const events = await allEvents(world, { jobId: done.id });
    expect(events.map(brief)).toEqual(["job.enqueued  waiting", "job.started waiting active", "job.completed active completed"]);
    expect(events.map((e) => e.at)).toEqual([t0, t0 + 200, t0 + 1700]);
    expect(events.map((e) => e.durationMs)).toEqual([null, 200, 1500]);
    expect(events.every((e) => e.queue === "q" && e.jobId === done.id)).toBe(true);
    expect(events[2]!.attempt).toBe(1);
  });

  test("failures: a retry is job.retrying, the last attempt job.failed, a lease expiry has type lease_expired", async () => {
    world = new MonitorWorld();
    const job = await world.enqueue("q", { maxAttempts: 3, backoff: { type: "fixed", delayMs: 1000 } });
    let claimed = await world.claimOne("q");
    await world.svc.fail({ id: job.id, token: claimed.leaseToken!, error: { message: "no", type: "smtp" } });
    world.clock.advance(1000);
    await world.claimOne("q", 5000);
    world.clock.advance(5000);
    await world.svc.reapExpiredLeases();
    world.clock.advance(1000);
    claimed = await world.claimOne("q");
    await world.svc.fail({ id: job.id, token: claimed.leaseToken!, error: { message: "no", type: "smtp" } });
    const events = await allEvents(world, { jobId: job.id });
    expect(events.map(brief)).toEqual([
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
    const totals = await totalsOf(world, "q");
    expect(totals).toMatchObject({ started: 3, retried: 2, failed: 1, expired: 1, completed: 0 });
    const errors = await world.store.statsErrors({ from: 0, to: world.now() + 1, now: world.now() });
    expect(errors).toEqual([{ queue: "q", type: "smtp", n: 2 }, { queue: "q", type: "lease_expired", n: 1 }]);
  });

  test("lane hand-ons, cancels, operator retries and idempotent enqueues", async () => {
    world = new MonitorWorld();
    const a = await world.enqueue("q", { key: "k" });
    const b = await world.enqueue("q", { key: "k" });
    const again = await world.svc.enqueue("q", { idempotencyKey: "once" });
    await world.svc.enqueue("q", { idempotencyKey: "once" });
    const claimed = await world.claimOne("q");
    world.clock.advance(50);
    await world.svc.complete({ id: a.id, token: claimed.leaseToken! });
    const handedOn = (await allEvents(world, { jobId: b.id })).map(brief);
    expect(handedOn).toEqual(["job.enqueued  blocked", "job.waiting blocked waiting"]);
    const handOn = (await allEvents(world, { jobId: b.id }))[1]!;
    expect(handOn.at).toBe(world.now());
    await world.svc.cancel(b.id);
    await world.svc.retry(b.id);
    expect((await allEvents(world, { jobId: b.id })).slice(2).map(brief)).toEqual([
      "job.cancelled waiting cancelled",
      "job.waiting cancelled waiting",
    ]);
    expect((await allEvents(world, { jobId: again.job.id })).map(brief)).toEqual(["job.enqueued  waiting"]);
  });

  test("reads filter by queue, key and job, and move past ids that do not match", async () => {
    world = new MonitorWorld();
    for (let i = 0; i < 11; i++) await world.svc.enqueueMany("a", Array.from({ length: 1000 }, () => ({})));
    const b = await world.enqueue("b", { key: "x" });
    await world.enqueue("b", { key: "y" });
    const first = await world.store.eventsAfter({ afterId: 0, filters: { queue: "b" }, limit: 10, now: world.now() });
    expect(first.events).toEqual([]);
    expect(first.lastId).toBe(10_000);
    const rest = await allEvents(world, { queue: "b", key: "x" });
    expect(rest.map((e) => e.jobId)).toEqual([b.id]);
    expect(await world.store.eventsLatestId({ now: world.now() })).toBe(11_002);
    const limited = await world.store.eventsAfter({ afterId: 5, filters: {}, limit: 3, now: world.now() });
    expect(limited.events.map((e) => e.id)).toEqual([6, 7, 8]);
    expect(limited.lastId).toBe(8);
    expect((await world.store.eventsAfter({ afterId: 0, filters: { jobId: "nope" }, limit: 10, now: world.now() })).events).toEqual([]);
  });

  test("pruning keeps the newest events, works in bounded batches, and ids keep growing", async () => {
    world = new MonitorWorld();
    await world.svc.enqueueMany("q", Array.from({ length: 20 }, () => ({})));
    expect(await world.store.eventsPrune({ keep: 5, limit: 6, now: world.now() })).toBe(6);
    expect(await world.store.eventsPrune({ keep: 5, limit: 6, now: world.now() })).toBe(6);
    expect(await world.store.eventsPrune({ keep: 5, limit: 6, now: world.now() })).toBe(3);
    expect(await world.store.eventsPrune({ keep: 5, limit: 6, now: world.now() })).toBe(0);
    expect((await allEvents(world)).map((e) => e.id)).toEqual([16, 17, 18, 19, 20]);
    expect(await world.store.eventsPrune({ keep: 0, limit: 100, now: world.now() })).toBe(4);
    const next = await world.enqueue("q");
    expect((await allEvents(world, { jobId: next.id }))[0]!.id).toBe(21);
    // Pruned events were folded first: the aggregates still count all 21 enqueues.
    expect((await totalsOf(world, "q"))!.enqueued).toBe(21);
  });

  test("alert events carry their alert", async () => {
    world = new MonitorWorld();
    const id = await world.store.eventAppend({ type: "alert.firing", queue: "q", data: { rule: "queue_backlog" }, now: world.now() });
    const [event] = await allEvents(world);
    expect(event).toMatchObject({ id, type: "alert.firing", queue: "q", jobId: null, data: { rule: "queue_backlog" } });
  });
});

describe("aggregates", () => {
  test("each event is counted once, however many reads fold at the same time", async () => {
    world = new MonitorWorld();
    for (let i = 0; i < 30; i++) await world.run("q", { waitMs: 10, runMs: 20 });
    const reads = await Promise.all(Array.from({ length: 5 }, () => totalsOf(world, "q")));
    for (const t of reads) expect(t).toMatchObject({ enqueued: 30, started: 30, completed: 30, runMs: 600, waitMs: 300 });
    expect(await totalsOf(world, "q")).toMatchObject({ enqueued: 30, completed: 30 });
  });

  test("they survive deleting, purging and pruning the jobs they count", async () => {
    world = new MonitorWorld();
    const done = [];
    for (let i = 0; i < 6; i++) done.push(await world.run("q", { runMs: 100 }));
    await world.run("q", { fail: "boom", final: true });
    const before = await totalsOf(world, "q");
    await world.svc.deleteJob(done[0]!.id);
    await world.svc.purgeQueue("q", "failed");
    world.clock.advance(40 * 24 * HOUR);
    await world.store.jobsPrune({ queue: "q", state: "completed", finishedBefore: world.now(), limit: 100, now: world.now() });
    expect((await world.svc.getQueue("q")).counts.completed).toBe(0);
    await world.store.eventsPrune({ keep: 1, limit: 1000, now: world.now() });
    expect(await totalsOf(world, "q")).toEqual(before);
    expect(before).toMatchObject({ completed: 6, failed: 1, runMs: 600 });
  });

  test("histogram buckets follow HISTOGRAM_BOUNDS_MS at every bound", async () => {
    world = new MonitorWorld();
    const durations = HISTOGRAM_BOUNDS_MS.flatMap((b) => [b, b + 1]);
    for (const d of durations) await world.run("q", { runMs: d, waitMs: d });
    const expected = new Array(HISTOGRAM_BOUNDS_MS.length + 1).fill(0);
    for (const d of durations) expected[histogramBucket(d)]++;
    const range = { from: 0, to: world.now() + 1, now: world.now() };
    expect((await world.store.statsHistogram({ ...range, metric: "run" }))[0]!.buckets).toEqual(expected);
    expect((await world.store.statsHistogram({ ...range, metric: "wait" }))[0]!.buckets).toEqual(expected);
    expect(histogramBucket(0)).toBe(0);
    expect(histogramBucket(5)).toBe(0);
    expect(histogramBucket(6)).toBe(1);
    expect(histogramBucket(1_800_001)).toBe(HISTOGRAM_BOUNDS_MS.length);
  });

  test("series step through time; slowest keeps the slowest completions; history prunes by age", async () => {
    world = new MonitorWorld("2026-01-05T10:00:00Z");
    const start = world.now();
    for (let i = 0; i < 8; i++) {
      await world.run("q", { runMs: (i + 1) * 1000 });
      world.clock.advance(10 * 60_000);
    }
    const series = await world.store.statsSeries({ from: start, to: world.now(), stepMs: HOUR, now: world.now() });
    expect(series.map((p) => [new Date(p.at).toISOString(), p.completed])).toEqual([
      ["2026-01-05T10:00:00.000Z", 6],
      ["2026-01-05T11:00:00.000Z", 2],
    ]);
    const slowest = await world.store.statsSlowest({ from: start, to: world.now(), limit: 3, now: world.now() });
    expect(slowest.map((s) => s.runMs)).toEqual([8000, 7000, 6000]);
    // Each hour keeps its five slowest: the 10:00 hour dropped its fastest one.
    expect((await world.store.statsSlowest({ from: start, to: world.now(), limit: 10, now: world.now() })).map((s) => s.runMs))
      .toEqual([8000, 7000, 6000, 5000, 4000, 3000, 2000]);
    expect(await world.store.historyPrune({ before: start + HOUR, now: world.now() })).toBeGreaterThan(0);
    expect((await totalsOf(world, "q", 0))!.completed).toBe(2);
  });
});

describe("alerts, reports, lanes, counts", () => {
  test("an alert fires once per rule and subject, escalates, resolves, and keeps its first acknowledgement", async () => {
    world = new MonitorWorld();
    const base = { rule: "failure_rate", subject: "q", message: "m", value: 0.2, threshold: 0.1 };
    const fired = await world.store.alertUpsert({ ...base, severity: "warning", now: 1000 });
    expect(fired.change).toBe("fired");
    const same = await world.store.alertUpsert({ ...base, severity: "warning", now: 2000 });
    expect(same).toMatchObject({ change: "updated", alert: { id: fired.alert.id, firstSeen: 1000, lastSeen: 2000 } });
    const worse = await world.store.alertUpsert({ ...base, severity: "critical", value: 0.6, threshold: 0.5, now: 3000 });
    expect(worse).toMatchObject({ change: "escalated", alert: { id: fired.alert.id, severity: "critical", value: 0.6 } });
    expect((await world.store.alertAck({ id: fired.alert.id, by: "ops", now: 3500 }))!.ackedAt).toBe(3500);
    expect((await world.store.alertAck({ id: fired.alert.id, by: "other", now: 3600 }))).toMatchObject({ ackedAt: 3500, ackedBy: "ops" });
    const resolved = await world.store.alertResolve({ id: fired.alert.id, now: 4000 });
    expect(resolved).toMatchObject({ state: "resolved", resolvedAt: 4000, lastSeen: 3000 });
    expect(await world.store.alertResolve({ id: fired.alert.id, now: 5000 })).toBeNull();
    const again = await world.store.alertUpsert({ ...base, severity: "warning", now: 6000 });
    expect(again.change).toBe("fired");
    expect(again.alert.id).not.toBe(fired.alert.id);
    expect((await world.store.alertsList({ limit: 10, now: 6000 })).map((a) => a.state)).toEqual(["firing", "resolved"]);
    expect((await world.store.alertsList({ state: "resolved", limit: 10, now: 6000 })).map((a) => a.id)).toEqual([fired.alert.id]);
    expect(await world.store.alertAck({ id: "999", by: null, now: 1 })).toBeNull();
    expect(await world.store.alertGet({ id: "x" })).toBeNull();
  });

  test("reports are stored by kind and date, replaced, and listed newest first", async () => {
    world = new MonitorWorld();
    await world.store.reportPut({ kind: "daily", date: "2026-01-02", body: { n: 1 }, now: 10 });
    await world.store.reportPut({ kind: "daily", date: "2026-01-03", body: { n: 2 }, now: 20 });
    await world.store.reportPut({ kind: "daily", date: "2026-01-02", body: { n: 3 }, now: 30 });
    expect(await world.store.reportGet({ kind: "daily", date: "2026-01-02" })).toEqual({ kind: "daily", date: "2026-01-02", body: { n: 3 }, createdAt: 30 });
    expect(await world.store.reportsList({ kind: "daily", limit: 5 })).toEqual([
      { date: "2026-01-03", createdAt: 20 },
      { date: "2026-01-02", createdAt: 30 },
    ]);
    expect(await world.store.reportGet({ kind: "daily", date: "2026-01-04" })).toBeNull();
  });

  test("lanes: blocked lanes first with their head's error and depth; blocked summary per queue", async () => {
    world = new MonitorWorld();
    await world.svc.putQueue("q", { ...(await world.svc.getQueue("q")), laneOnFailure: "block" });
    const head = await world.enqueue("q", { key: "order-1", maxAttempts: 1 });
    await world.enqueue("q", { key: "order-1" });
    await world.enqueue("q", { key: "order-1" });
    await world.enqueue("q", { key: "order-2" });
    const claimed = await world.claimOne("q");
    world.clock.advance(1000);
    await world.svc.fail({ id: head.id, token: claimed.leaseToken!, error: { message: "qty mismatch", type: "conflict" } });
    const lanes = await world.store.lanesList({ queue: "q", limit: 10, now: world.now() });
    expect(lanes).toEqual([
      {
        queue: "q", key: "order-1", status: "blocked", headJobId: head.id, headState: "failed",
        lastError: { type: "conflict", message: "qty mismatch", at: world.now() }, since: world.now(), depth: 2,
      },
      expect.objectContaining({ key: "order-2", status: "busy", headState: "waiting", lastError: null, depth: 0 }),
    ]);
    expect(await world.store.lanesBlocked({ now: world.now() })).toEqual([{ queue: "q", blocked: 1, oldestSince: world.now() }]);
    await world.svc.skipLaneHead("q", "order-1");
    expect(await world.store.lanesBlocked({ now: world.now() })).toEqual([]);
  });

  test("counts per queue and in total come from the counters", async () => {
    world = new MonitorWorld();
    await world.run("a");
    await world.enqueue("a");
    await world.enqueue("b", { delayMs: 60_000 });
    const { total, queues } = await world.store.countsTotal({ now: world.now() });
    expect(total).toEqual({ waiting: 1, delayed: 1, blocked: 0, active: 0, completed: 1, failed: 0, cancelled: 0 });
    expect(queues.a).toMatchObject({ waiting: 1, completed: 1 });
    expect(queues.b).toMatchObject({ delayed: 1 });
  });
});
