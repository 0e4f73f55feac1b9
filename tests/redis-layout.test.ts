/**
 * Redis data an earlier release wrote, read and changed by this one: a job whose timeline began in
 * the list job:<id>:ev (now its hash's `ev`), and a finished job indexed by finish time in
 * q:<queue>|done:<state> (retention now reads q:<queue>|st:<state>).
 */
import { expect, test } from "bun:test";
import { TestClock } from "../src/core/clock.ts";
import type { MonitorEvent } from "../src/core/monitor-store.ts";
import { QueueService } from "../src/core/queue-service.ts";
import { freshRedisStore, redisAvailable } from "./helpers/redis.ts";

const T0 = Date.parse("2026-03-02T08:00:00Z");

if (await redisAvailable()) {
  test("a job enqueued by an earlier release keeps its whole timeline, and retention deletes it with its list and its finish-time entry", async () => {
    const store = freshRedisStore();
    const clock = new TestClock(T0);
    const svc = new QueueService({ store, clock });
    const k = store.keys;
    try {
      const { job } = await svc.enqueue("mail", { payload: { to: "ada" } });
      // As the earlier release left a job just enqueued: its enqueue event's id in its own list.
      const enqueueEvent = (await store.redis.hget(k.job(job.id), "ev"))!;
      expect(enqueueEvent).toMatch(/^\d+$/);
      await store.redis.hdel(k.job(job.id), "ev");
      await store.redis.rpush(k.k("job", job.id, "ev"), enqueueEvent);

      clock.advance(40);
      const [claimed] = await svc.claim({ queue: "mail", workerId: "w", max: 1 });
      clock.advance(25);
      await svc.complete({ id: job.id, token: claimed!.leaseToken! });
      // The earlier release also indexed a finished job by its finish time.
      await store.redis.zadd(k.k("q", "mail|done:completed"), clock.now(), job.id);

      const types = ["job.enqueued", "job.started", "job.completed"] as MonitorEvent["type"][];
      expect((await store.jobEvents({ jobId: job.id, limit: 10, now: clock.now() })).map((e) => e.type)).toEqual(types);
      expect((await store.jobEvents({ jobId: job.id, limit: 2, now: clock.now() })).map((e) => e.type)).toEqual(types.slice(1));
      const page = await store.eventsAfter({ afterId: 0, filters: { jobId: job.id }, limit: 10, now: clock.now() });
      expect(page.events.map((e) => e.type)).toEqual(types);

      clock.advance(1000);
      expect(await store.jobsPrune({ queue: "mail", state: "completed", finishedBefore: clock.now(), limit: 10, now: clock.now() }))
        .toMatchObject({ deleted: 1 });
      expect(await store.redis.exists(k.job(job.id), k.k("job", job.id, "ev"))).toBe(0);
      expect(await store.redis.zcard(k.k("q", "mail|done:completed"))).toBe(0);
      // Its events stay in the log, found by its id.
      const after = await store.eventsAfter({ afterId: 0, filters: { jobId: job.id }, limit: 10, now: clock.now() });
      expect(after.events.map((e) => e.type)).toEqual(types);
    } finally {
      await store.close();
    }
  });
}
