/**
 * Two real `spool serve --redis` processes on one Redis, as operators scale out: work enqueued
 * on one server is claimed on the other, lanes hold across both, a schedule fires once per tick,
 * a lease held through a killed server is recovered by the other, an SSE client on one sees a
 * job finished on the other, and a long poll on one wakes at once on an enqueue on the other.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { Redis } from "ioredis";
import { postJson, spawnServe, type ServeProcess } from "./helpers/process.ts";
import { dropPrefix, freshPrefix, REDIS_URL, redisAvailable } from "./helpers/redis.ts";
import { startTestServer, tempDir, type TestServer } from "./helpers/server.ts";
import { SseClient } from "./helpers/sse.ts";
import { waitFor } from "./helpers/wait.ts";
import { tokenFor } from "./helpers/api.ts";

const MAIN = join(import.meta.dir, "../src/main.ts");

if (await redisAvailable()) {
  describe("two spool servers on one Redis", () => {
    const prefix = freshPrefix();
    const servers: ServeProcess[] = [];
    let a: ServeProcess;
    let b: ServeProcess;

    const serve = async () => {
      const s = await spawnServe([process.execPath, MAIN], ["--data", tempDir("spool-two-"), "--redis", REDIS_URL, "--redis-prefix", prefix]);
      servers.push(s);
      return s;
    };

    beforeAll(async () => {
      a = await serve();
      b = await serve();
    });

    afterAll(async () => {
      for (const s of servers) s.proc.kill("SIGKILL");
      const redis = new Redis(REDIS_URL);
      await dropPrefix(redis, prefix);
      redis.disconnect();
    });

    const enqueue = async (s: ServeProcess, queue: string, body: unknown = {}) => (await postJson(`${s.url}/v1/queues/${queue}/jobs`, body)).body;
    const claim = async (s: ServeProcess, queue: string, body: Record<string, unknown> = {}) =>
      (await postJson(`${s.url}/v1/queues/${queue}/claim`, { workerId: "w", max: 1, ...body })).body.jobs as any[];
    const complete = (s: ServeProcess, job: any) => postJson(`${s.url}/v1/jobs/${job.id}/complete`, { token: job.lease.token, result: { by: s.url } });

    test("a job enqueued on A is claimed and completed on B, and A sees it completed", async () => {
      const job = await enqueue(a, "handoff", { payload: { n: 1 } });
      const [claimed] = await claim(b, "handoff");
      expect(claimed).toMatchObject({ id: job.id, payload: { n: 1 } });
      expect((await complete(b, claimed)).status).toBe(200);
      expect(await (await fetch(`${a.url}/v1/jobs/${job.id}`)).json()).toMatchObject({ state: "completed", result: { by: b.url } });
    });

    test("lanes hold across both servers and six workers: one job of a key at a time, in enqueue order", async () => {
      const keys = ["k1", "k2", "k3"];
      for (let i = 0; i < 30; i++) await enqueue(i % 2 ? a : b, "lanes", { key: keys[i % 3], payload: { i } });
      const running = new Set<string>();
      const order: Record<string, number[]> = { k1: [], k2: [], k3: [] };
      let overlap = false;
      const worker = async (s: ServeProcess, w: number) => {
        for (let round = 0; round < 200; round++) {
          const [job] = await claim(s, "lanes", { workerId: `w${w}`, waitMs: 0 });
          if (!job) {
            if (Object.values(order).flat().length === 30) return;
            await Bun.sleep(5);
            continue;
          }
          if (running.has(job.key)) overlap = true;
          running.add(job.key);
          order[job.key]!.push(job.payload.i);
          await Bun.sleep(2);
          running.delete(job.key);
          await complete(s, job);
        }
      };
      await Promise.all([a, b, a, b, a, b].map((s, w) => worker(s, w)));
      expect(overlap).toBe(false);
      for (const [i, key] of keys.entries()) expect(order[key]).toEqual(Array.from({ length: 10 }, (_, n) => n * 3 + i));
    });

    test("a long poll on B answers an enqueue on A", async () => {
      const polling = claim(b, "wake", { waitMs: 10_000 });
      await Bun.sleep(200);
      const job = await enqueue(a, "wake");
      const [claimed] = await polling;
      expect(claimed?.id).toBe(job.id);
    });

    test("an SSE client on A sees a job finished on B", async () => {
      const job = await enqueue(a, "watched");
      const sse = await new SseClient(`${a.url}/v1/events?queue=watched`).open();
      try {
        const [claimed] = await claim(b, "watched");
        await complete(b, claimed);
        const types: string[] = [];
        for (let i = 0; i < 10 && !types.includes("job.completed"); i++) {
          const message = await sse.next(5000);
          if (message.data?.jobId === job.id) types.push(message.data.type ?? message.event);
        }
        expect(types).toContain("job.completed");
      } finally {
        sse.close();
      }
    });

    test("a per-second schedule fires exactly once per tick across both servers", async () => {
      const created = await postJson(`${a.url}/v1/schedules`, { name: "every-second", every: "1s", queue: "ticks" });
      expect(created.status).toBe(201);
      await Bun.sleep(4500);
      await postJson(`${a.url}/v1/schedules/every-second/pause`, {});
      const detail = (await (await fetch(`${b.url}/v1/schedules/every-second?history=100`)).json()) as any;
      const fired = detail.history.filter((r: any) => r.kind === "fired");
      expect(fired.length).toBeGreaterThanOrEqual(3);
      const times = fired.map((r: any) => r.fireTime);
      expect(new Set(times).size).toBe(times.length);
      const jobs = (await (await fetch(`${a.url}/v1/jobs?queue=ticks&limit=100`)).json()) as any;
      expect(jobs.jobs).toHaveLength(fired.length);
    });

    test("a lease taken through A is recovered by B after A is killed", async () => {
      const job = await enqueue(b, "orphan", { maxAttempts: 2 });
      const [claimed] = await claim(a, "orphan", { leaseMs: 1000 });
      expect(claimed.id).toBe(job.id);
      a.proc.kill("SIGKILL");
      await a.proc.exited;
      await waitFor(async () => {
        const now = (await (await fetch(`${b.url}/v1/jobs/${job.id}`)).json()) as any;
        return now.state === "waiting" && now.errors.at(-1)?.type === "lease_expired";
      }, 10_000, "the lease recovered by B");
      const [again] = await claim(b, "orphan");
      expect(again).toMatchObject({ id: job.id, attempts: 2 });
    });
  });
}

if (await redisAvailable()) {
  /**
   * Two servers in this process on one Redis prefix, each with its own Redis connections, and
   * long polls that never look again by themselves (a recheck an hour away): only what comes
   * through Redis ends them early.
   */
  async function withTwoServers(run: (a: TestServer, b: TestServer) => Promise<void>) {
    const config = { redis: { url: REDIS_URL, prefix: freshPrefix() }, longPollRecheckMs: 3_600_000 };
    const a = await startTestServer(config);
    const b = await startTestServer(config);
    try {
      await run(a, b);
    } finally {
      await a.close();
      await b.close();
    }
  }

  test("a long poll wakes on another server's enqueue through Redis, not by looking again", () =>
    withTwoServers(async (a, b) => {
      const polling = b.call("POST", "/v1/queues/wake/claim", { workerId: "w", max: 1, waitMs: 30_000 });
      await Bun.sleep(100);
      const job = (await a.call("POST", "/v1/queues/wake/jobs", { payload: 1 })).body;
      expect((await polling).body.jobs.map((j: any) => j.id)).toEqual([job.id]);
    }));

  test("a shutdown asked through one server ends the worker's long poll on another within a second or two, with the control", () =>
    withTwoServers(async (a, b) => {
      // Seen once, so B knows the worker; then a long poll on A.
      expect((await a.call("POST", "/v1/queues/ops/claim", { workerId: "w-far" })).status).toBe(200);
      const started = performance.now();
      const polling = a.call("POST", "/v1/queues/ops/claim", { workerId: "w-far", waitMs: 20_000 });
      await Bun.sleep(200);
      expect((await b.call("POST", "/v1/workers/w-far/shutdown")).status).toBe(200);
      const answer = (await polling).body;
      expect(answer).toMatchObject({ jobs: [], control: { shutdown: true } });
      expect(performance.now() - started).toBeLessThan(5000);
    }));

  test("what one server changes, the others heed at once: a queue's settings, a token revoked", () =>
    withTwoServers(async (a, b) => {
      // Settings: B has read the queue's for a failure (its copy is trusted a second); a retry policy set through A holds on B at once.
      await a.call("POST", "/v1/queues/heed/jobs/batch", { jobs: [{ payload: 1 }, { payload: 2 }] });
      const [first, second] = (await b.call("POST", "/v1/queues/heed/claim", { workerId: "wb", max: 2 })).body.jobs;
      const retried = await b.call("POST", `/v1/jobs/${first.id}/fail`, { token: first.lease.token, error: { type: "Fatal", message: "no" } });
      expect(retried.body.state).not.toBe("failed");
      expect((await a.call("PUT", "/v1/queues/heed", { retryPolicy: { noRetry: ["Fatal"] } })).status).toBe(200);
      await Bun.sleep(100);
      const failed = await b.call("POST", `/v1/jobs/${second.id}/fail`, { token: second.lease.token, error: { type: "Fatal", message: "no" } });
      expect(failed.body.state).toBe("failed");

      // A token revoked through A is refused by B at once, though B had just let it in (its lookup cached).
      const admin = { authorization: `Bearer ${await tokenFor(a, "admin")}` };
      const asWorker = { authorization: `Bearer ${await tokenFor(a, "worker")}` };
      // Both servers notice within a second that tokens now exist (open mode ends).
      await Bun.sleep(1100);
      expect((await b.call("POST", "/v1/queues/heed/claim", { workerId: "tw" }, asWorker)).status).toBe(200);
      const id = (await a.call("GET", "/v1/tokens", undefined, admin)).body.tokens.find((t: any) => t.role === "worker").id;
      expect((await a.call("DELETE", `/v1/tokens/${id}`, undefined, admin)).status).toBe(204);
      await Bun.sleep(100);
      expect((await b.call("POST", "/v1/queues/heed/claim", { workerId: "tw" }, asWorker)).status).toBe(401);
    }));

  test("a shutdown asked through one server reaches the worker's very next claim on another, with no jobs", () =>
    withTwoServers(async (a, b) => {
      // B has seen the worker claim (its sighting is kept a second), before there was anything to claim.
      expect((await b.call("POST", "/v1/queues/sd/claim", { workerId: "w-sd" })).body.jobs).toEqual([]);
      await a.call("POST", "/v1/queues/sd/jobs/batch", { jobs: [{ payload: 1 }, { payload: 2 }] });
      expect((await a.call("POST", "/v1/workers/w-sd/shutdown")).status).toBe(200);
      await Bun.sleep(100);
      expect((await b.call("POST", "/v1/queues/sd/claim", { workerId: "w-sd" })).body).toMatchObject({ jobs: [], control: { shutdown: true } });
    }));

  test("PUTs of one schedule split between two servers all succeed: one creates it, the rest edit it", () =>
    withTwoServers(async (a, b) => {
      for (let round = 0; round < 3; round++) {
        const puts = await Promise.all(
          Array.from({ length: 40 }, (_, i) => (i % 2 ? a : b).call("PUT", `/v1/schedules/split-${round}`, { cron: `${i} * * * *`, queue: "q" })),
        );
        expect(puts.map((r) => r.status).filter((s) => s !== 200 && s !== 201)).toEqual([]);
        expect(puts.filter((r) => r.status === 201)).toHaveLength(1);
      }
    }));

  test("a concurrency slot freed on one server wakes a long poll waiting for it on another", () =>
    withTwoServers(async (a, b) => {
      await a.call("PUT", "/v1/queues/limited", { concurrency: 1 });
      await a.call("POST", "/v1/queues/limited/jobs/batch", { jobs: [{ payload: 1 }, { payload: 2 }] });
      const [first] = (await a.call("POST", "/v1/queues/limited/claim", { workerId: "wa" })).body.jobs;
      const polling = b.call("POST", "/v1/queues/limited/claim", { workerId: "wb", waitMs: 20_000 });
      await Bun.sleep(200);
      const started = performance.now();
      expect((await a.call("POST", `/v1/jobs/${first.id}/complete`, { token: first.lease.token })).status).toBe(200);
      expect((await polling).body.jobs.map((j: any) => j.payload)).toEqual([2]);
      // Woken by the completion, not by a look of its own (this server's recheck is an hour).
      expect(performance.now() - started).toBeLessThan(2000);
    }));
}
