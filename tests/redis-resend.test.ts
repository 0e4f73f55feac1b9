/**
 * RedisStore: a claim script run again with the same lease token — what ioredis does with a
 * command in flight when the connection drops — answers the jobs of its first run, as they are
 * now, and leases nothing more.
 */
import { describe, expect, test } from "bun:test";
import { TestClock } from "../src/core/clock.ts";
import { QueueService } from "../src/core/queue-service.ts";
import type { ClaimParams } from "../src/core/store.ts";
import { freshRedisStore, redisAvailable } from "./helpers/redis.ts";

const T0 = Date.parse("2026-01-05T10:00:00Z");

if (await redisAvailable()) {
  describe("RedisStore claims re-sent after a reconnect", () => {
    const setup = async () => {
      const store = freshRedisStore();
      const svc = new QueueService({ store, clock: new TestClock(T0) });
      await svc.enqueueMany("q", [{ payload: 1 }, { payload: 2 }, { payload: 3 }]);
      const claim: ClaimParams = { queue: "q", workerId: "w", max: 2, leaseMs: 30_000, token: "lease-1", now: T0 };
      const close = async () => {
        await svc.stop();
        await store.close();
      };
      return { store, svc, claim, close };
    };

    test("answers the jobs the first run leased and leases no others; one taken from the lease since is left out", async () => {
      const { store, svc, claim, close } = await setup();
      try {
        const first = await store.jobsClaim(claim);
        expect(first.map((j) => j.payload)).toEqual([1, 2]);
        expect(await store.jobsClaim(claim)).toEqual(first);
        expect((await svc.getQueue("q")).counts).toMatchObject({ waiting: 1, active: 2 });
        await svc.cancel(first[0]!.id, true);
        expect((await store.jobsClaim(claim)).map((j) => j.id)).toEqual([first[1]!.id]);
        expect((await svc.getQueue("q")).counts).toMatchObject({ waiting: 1, active: 1, cancelled: 1 });
      } finally {
        await close();
      }
    });

    test("with completions in front (complete-claim.lua): the jobs stay completed and the same jobs come back", async () => {
      const { store, svc, claim, close } = await setup();
      try {
        const [done] = await store.jobsClaim({ ...claim, max: 1, token: "lease-0" });
        const call = { items: [{ id: done!.id, token: "lease-0", result: { ok: true } }], claim };
        const first = await store.jobsCompleteAndClaim!(call);
        expect(first.completed.map((c) => c?.state)).toEqual(["completed"]);
        const again = await store.jobsCompleteAndClaim!(call);
        expect(again.jobs).toEqual(first.jobs);
        expect((await svc.getJob(done!.id)).result).toEqual({ ok: true });
        expect((await svc.getQueue("q")).counts).toMatchObject({ waiting: 0, active: 2, completed: 1 });
      } finally {
        await close();
      }
    });
  });
}
