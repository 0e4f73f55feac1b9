/** Redis specifics of the MonitorStore (its semantics are in the store contract): the fold's compare-and-set, bounded reads, pruning's indexes. */
import { describe, expect, test } from "bun:test";
import type { Redis } from "ioredis";
import type { MonitorEvent } from "../src/core/monitor-store.ts";
import { entryFields } from "../src/store/redis/event-entry.ts";
import { EVENT_SCRIPTS } from "../src/store/redis/monitor-events.ts";
import { RECORD_SCRIPTS } from "../src/store/redis/monitor-records.ts";
import type { RedisStore } from "../src/store/redis/redis-store.ts";
import { Scripts } from "../src/store/redis/scripts.ts";
import { FOLD_BATCH } from "../src/store/redis/stats-fold.ts";
import { EventFeed } from "../src/monitor/event-feed.ts";
import { eventStream } from "../src/monitor/event-stream.ts";
import { dropPrefix, freshPrefix, freshRedisStore, redisAvailable } from "./helpers/redis.ts";

const T0 = Date.parse("2026-01-05T10:00:00Z");

type NewEvent = Partial<Omit<MonitorEvent, "id">> & Pick<MonitorEvent, "type">;

/**
 * Appends events the way the job scripts do: the next ids of events:seq, one stream entry each,
 * the id on its job's timeline (its hash's `ev`), failures in their error group.
 */
async function append(store: RedisStore, events: NewEvent[]): Promise<number[]> {
  const k = (...parts: (string | number)[]) => store.keys.k(...parts);
  const last = await store.redis.incrby(k("events", "seq"), events.length);
  const pipe = store.redis.pipeline();
  const ids = events.map((_, i) => last - events.length + 1 + i);
  events.forEach((e, i) => {
    const n = ids[i]!;
    const fields = entryFields({
      at: e.at ?? T0, type: e.type, queue: e.queue ?? "q", key: e.key ?? null, jobId: e.jobId ?? null, state: e.state ?? null,
      prevState: e.prevState ?? null, attempt: e.attempt ?? null, errorType: e.errorType ?? null, durationMs: e.durationMs ?? null, data: null,
    });
    pipe.xadd(k("events"), `${n}-1`, ...fields);
    if (e.jobId && e.errorType) pipe.zadd(k("errs", `${e.queue ?? "q"}|${e.errorType}`), n, `${n}:${e.jobId}`);
  });
  await pipe.exec();
  const timelines = [...Map.groupBy(events.map((e, i) => [e.jobId, ids[i]!] as const).filter(([job]) => job), ([job]) => job!)];
  const reads = store.redis.pipeline();
  for (const [job] of timelines) reads.hget(k("job", job), "ev");
  const before = ((await reads.exec()) ?? []).map(([, ev]) => ev as string | null);
  const writes = store.redis.pipeline();
  timelines.forEach(([job, added], i) => writes.hset(k("job", job), "ev", [...(before[i] ? [before[i]] : []), ...added.map(([, n]) => n)].join(",")));
  await writes.exec();
  return ids;
}

const range = { from: 0, to: T0 + 3_600_000, now: T0 };

if (await redisAvailable()) {
  describe("RedisStore monitoring", () => {
    test("servers folding the same log at once count each event once, in bounded batches up to the newest event", async () => {
      const prefix = freshPrefix();
      const stores = [freshRedisStore(prefix), freshRedisStore(prefix), freshRedisStore(prefix)];
      try {
        const n = 2 * FOLD_BATCH + 7;
        const firstMinute = Array.from({ length: n }, (_, i) => i % 120 < 60).filter(Boolean).length;
        await append(stores[0]!, Array.from({ length: n }, (_, i) => ({
          type: "job.completed" as const, jobId: String(i + 1), at: T0 + (i % 120) * 1000, durationMs: 10, attempt: 1,
        })));
        const reads = await Promise.all([...stores, ...stores].map((s) => s.statsTotals(range)));
        for (const totals of reads) expect(totals).toEqual([expect.objectContaining({ queue: "q", completed: n, runMs: 10 * n })]);
        expect(await stores[0]!.redis.get(stores[0]!.keys.k("fold"))).toBe(String(n));
        expect((await stores[1]!.statsSeries({ ...range, stepMs: 60_000 })).map((p) => p.completed)).toEqual([firstMinute, n - firstMinute]);
      } finally {
        await Promise.all(stores.map((s) => s.close()));
      }
    });

    test("a read examines a bounded window of ids, so a selective filter never scans the whole log at once", async () => {
      const store = freshRedisStore();
      try {
        await append(store, Array.from({ length: 10_500 }, (_, i) => ({ type: "job.enqueued" as const, queue: "a", jobId: String(i + 1) })));
        await append(store, [{ type: "job.enqueued", queue: "b", jobId: "10501" }]);
        const first = await store.eventsAfter({ afterId: 0, filters: { queue: "b" }, limit: 10, now: T0 });
        expect(first).toEqual({ events: [], lastId: 10_000, atEnd: false });
        const second = await store.eventsAfter({ afterId: first.lastId, filters: { queue: "b" }, limit: 10, now: T0 });
        expect(second.events.map((e) => e.jobId)).toEqual(["10501"]);
        expect(second).toMatchObject({ lastId: 10_501, atEnd: true });
      } finally {
        await store.close();
      }
    });

    test("pruned events leave their error group, and their job's timeline as it is read, before and after the job is deleted", async () => {
      const store = freshRedisStore();
      try {
        const failure = { queue: "q", jobId: "1", errorType: "smtp" } as const;
        const ids = await append(store, [
          { type: "job.enqueued", jobId: "1" },
          { ...failure, type: "job.retrying", attempt: 1 },
          { ...failure, type: "job.retrying", attempt: 2 },
          { ...failure, type: "job.failed", attempt: 3 },
        ]);
        await store.redis.hset(store.keys.job("1"), "state", "failed");
        expect(await store.eventsPrune({ keep: 2, limit: 100, now: T0 })).toBe(2);
        expect((await store.jobEvents({ jobId: "1", limit: 10, now: T0 })).map((e) => e.id)).toEqual(ids.slice(2));
        expect((await store.jobEvents({ jobId: "1", limit: 1, now: T0 })).map((e) => e.id)).toEqual(ids.slice(3));
        expect((await store.errorFailures({ queue: "q", type: "smtp", limit: 10 })).map((f) => f.attempt)).toEqual([3, 2]);
        expect(await store.redis.zcard(store.keys.k("errs", "q|smtp"))).toBe(2);
        const page = await store.eventsAfter({ afterId: 0, filters: { jobId: "1" }, limit: 10, now: T0 });
        expect(page.events.map((e) => e.id)).toEqual(ids.slice(2));
        // Deleted, the job has no timeline; its events are still in the log.
        await store.redis.del(store.keys.job("1"));
        expect(await store.jobEvents({ jobId: "1", limit: 10, now: T0 })).toEqual([]);
        const after = await store.eventsAfter({ afterId: 0, filters: { jobId: "1" }, limit: 10, now: T0 });
        expect(after.events.map((e) => e.id)).toEqual(ids.slice(2));
        expect((await store.statsErrors(range))).toEqual([{ queue: "q", type: "smtp", n: 3 }]);
      } finally {
        await store.close();
      }
    });

    test("an hour's slowest completions keep the lower job id among equal run times, across folds", async () => {
      const store = freshRedisStore();
      const done = (jobId: number) => ({ type: "job.completed" as const, jobId: String(jobId), durationMs: 500, at: T0 + jobId });
      try {
        await append(store, [9, 8, 7].map(done));
        expect((await store.statsSlowest({ ...range, limit: 10 })).map((s) => s.jobId)).toEqual(["7", "8", "9"]);
        await append(store, [6, 5, 4, 3, 2, 1].map(done));
        const slowest = await store.statsSlowest({ ...range, limit: 10 });
        expect(slowest.map((s) => s.jobId)).toEqual(["1", "2", "3", "4", "5"]);
        expect(slowest[0]).toEqual({ jobId: "1", queue: "q", key: null, runMs: 500, finishedAt: T0 + 1 });
      } finally {
        await store.close();
      }
    });
  
    test("an event append, alert upsert or resolve re-sent with its request id applies once and answers the same", async () => {
      const store = freshRedisStore();
      const scripts = new Scripts(store.redis, store.keys);
      scripts.add({ ...EVENT_SCRIPTS, ...RECORD_SCRIPTS });
      try {
        const append = ["req-1", T0, "alert.firing", "=q", "{}"];
        const id = await scripts.run("eventAppend", append);
        expect(await scripts.run("eventAppend", append)).toBe(id);
        expect(await store.eventsLatestId({ now: T0 })).toBe(Number(id));
        const upsert = ["req-2", "queue_backlog", "q", "warning", "m", "=1200", "=1000", T0];
        const [change, alertId] = await scripts.run<[string, string]>("alertUpsert", upsert);
        const again = await scripts.run<unknown[]>("alertUpsert", upsert);
        expect(again.slice(0, 2)).toEqual([change, alertId]);
        expect(change).toBe("fired");
        expect(await store.alertsList({ limit: 10, now: T0 })).toEqual([expect.objectContaining({ id: alertId, value: 1200, threshold: 1000 })]);
        const resolve = ["req-3", alertId, T0 + 1];
        expect(await scripts.run("alertResolve", resolve)).toEqual(expect.arrayContaining(["state", "resolved"]));
        expect(await scripts.run("alertResolve", resolve)).toEqual(expect.arrayContaining(["state", "resolved"]));
        expect(await scripts.run("alertResolve", ["req-4", alertId, T0 + 2])).toBeNull();
      } finally {
        await store.close();
      }
    });

    test("a stream that has caught up goes on once the log starts over (Redis's data lost), where it waited for the ids to catch up", async () => {
      const prefix = freshPrefix();
      const store = freshRedisStore(prefix);
      const clock = { now: () => T0 };
      const stop = new AbortController();
      try {
        await append(store, Array.from({ length: 5 }, (_, i) => ({ type: "job.enqueued" as const, jobId: `old-${i}` })));
        const feed = new EventFeed(store, clock, 10);
        const stream = eventStream({ store, feed, clock, filters: {}, afterId: 0, closing: stop.signal, heartbeatMs: 60_000 }).getReader();
        expect(await readUntil(stream, '"old-4"')).toContain('"old-0"');
        await dropPrefix(store.redis as Redis, prefix);
        await append(store, [{ type: "job.enqueued", jobId: "new-1" }]);
        expect(await readUntil(stream, '"new-1"')).toStartWith("id: 1\n");
        // Dashboards' /live follows the same feed: it is told the log moved, to its new newest id.
        expect(await feed.waitAfter(5, 2000)).toBe(1);
      } finally {
        stop.abort();
        await store.close();
      }
    });
  });
}

/** What a stream sends from now until its text holds `marker`; fails after `ms`. */
async function readUntil(reader: ReadableStreamDefaultReader<Uint8Array>, marker: string, ms = 3000): Promise<string> {
  const decoder = new TextDecoder();
  const deadline = Date.now() + ms;
  let text = "";
  while (!text.includes(marker)) {
    const left = deadline - Date.now();
    const chunk = await Promise.race([reader.read(), Bun.sleep(Math.max(0, left)).then(() => null)]);
    if (chunk === null) throw new Error(`no ${marker} within ${ms} ms; read: ${JSON.stringify(text)}`);
    if (chunk.done) throw new Error(`the stream ended before ${marker}; read: ${JSON.stringify(text)}`);
    text += decoder.decode(chunk.value);
  }
  return text;
}
