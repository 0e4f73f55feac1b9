/** GET /v1/workers and POST /v1/workers/{id}/shutdown with HTTP workers, under a test clock. */
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { createToken } from "../src/api/auth.ts";
import { TestClock } from "../src/core/clock.ts";
import { Spool } from "../src/workers/spool.ts";
import { WorkerRegistry } from "../src/workers/worker-registry.ts";
import { startTestServer, type TestServer } from "./helpers/server.ts";
import { waitFor } from "./helpers/wait.ts";

let server: TestServer;
let clock: TestClock;

beforeEach(async () => {
  clock = new TestClock("2026-01-01T00:00:00Z");
  server = await startTestServer({}, clock);
});
afterEach(() => server.close());

const identity = { workerId: "mailer-1", name: "mailer", host: "box-7", queues: ["emails", "sms"], concurrency: 4 };

async function enqueue(queue: string, n = 1) {
  const res = await server.call("POST", `/v1/queues/${queue}/jobs/batch`, { jobs: Array.from({ length: n }, (_, i) => ({ payload: i, maxAttempts: 2 })) });
  return res.body.jobs as { id: string }[];
}

const claim = async (body: Record<string, unknown>, queue = "emails") => (await server.call("POST", `/v1/queues/${queue}/claim`, body)).body;

async function worker(id: string) {
  return (await server.call("GET", "/v1/workers")).body.workers.find((w: any) => w.id === id);
}

describe("GET /v1/workers", () => {
  test("a claim registers the worker's identity; active, processed and failed follow its jobs", async () => {
    await enqueue("emails", 3);
    const { jobs } = await claim({ ...identity, max: 3 });
    expect(await worker("mailer-1")).toEqual({
      id: "mailer-1", kind: "http", name: "mailer", host: "box-7", queues: ["emails", "sms"], concurrency: 4,
      active: 3, processed: 0, failed: 0, online: true,
      firstSeenAt: "2026-01-01T00:00:00.000Z", lastSeenAt: "2026-01-01T00:00:00.000Z", shutdownRequestedAt: null,
    });
    await server.call("POST", `/v1/jobs/${jobs[0].id}/complete`, { token: jobs[0].lease.token });
    await server.call("POST", `/v1/jobs/${jobs[1].id}/fail`, { token: jobs[1].lease.token, error: { message: "smtp down" } });
    expect(await worker("mailer-1")).toMatchObject({ active: 1, processed: 1, failed: 1 });
    // An expired lease counts as a failed attempt of the worker that held it.
    clock.advance(31_000);
    await server.service.reapExpiredLeases();
    expect(await worker("mailer-1")).toMatchObject({ active: 0, processed: 1, failed: 2, online: false });
  });

  test("a worker that declares no queues is listed with the queue it claims from", async () => {
    await claim({ workerId: "bare" }, "thumbs");
    expect(await worker("bare")).toMatchObject({ kind: "http", name: null, host: null, queues: ["thumbs"], concurrency: null });
  });

  test("a worker that declares no queues and takes turns between queues serves each it claimed from within 60 s (30 s online, plus a long poll)", async () => {
    await claim({ workerId: "turns" }, "qa");
    clock.advance(1000);
    await claim({ workerId: "turns" }, "qb");
    // Which is what worker_down reads: a queue it took from lately has a worker.
    expect((await worker("turns")).queues).toEqual(["qa", "qb"]);
    clock.advance(60_000);
    await claim({ workerId: "turns", waitMs: 0 }, "qb");
    clock.advance(1000);
    await claim({ workerId: "turns" }, "qb");
    // qa not claimed from for over 60 s: it serves qb alone now.
    expect((await worker("turns")).queues).toEqual(["qb"]);
  });

  test("heartbeats keep a worker online; 30 s without a claim or heartbeat is offline", async () => {
    await enqueue("emails");
    const [job] = (await claim({ ...identity, leaseMs: 60_000 })).jobs;
    clock.advance(25_000);
    await server.call("POST", `/v1/jobs/${job.id}/heartbeat`, { token: job.lease.token, extendMs: 60_000 });
    clock.advance(25_000);
    expect(await worker("mailer-1")).toMatchObject({ online: true, lastSeenAt: "2026-01-01T00:00:25.000Z" });
    clock.advance(5_001);
    expect((await worker("mailer-1")).online).toBe(false);
  });

  test("in-process workers, push dispatchers and HTTP workers are listed together", async () => {
    await claim(identity);
    const kinds = (await server.call("GET", "/v1/workers")).body.workers.map((w: any) => w.kind);
    expect(kinds).toContain("http");
    // spool serve runs its own maintenance jobs with an in-process worker.
    expect(kinds).toContain("in-process");
  });
});

describe("POST /v1/workers/{id}/shutdown", () => {
  test("the next claim answer carries control.shutdown and no jobs; so does the next heartbeat answer", async () => {
    await enqueue("emails", 2);
    const [job] = (await claim(identity)).jobs;
    const res = await server.call("POST", "/v1/workers/mailer-1/shutdown");
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: "mailer-1", shutdownRequestedAt: "2026-01-01T00:00:00.000Z" });
    expect(await claim(identity)).toEqual({ jobs: [], control: { shutdown: true } });
    const beat = await server.call("POST", `/v1/jobs/${job.id}/heartbeat`, { token: job.lease.token });
    expect(beat.body).toMatchObject({ cancelRequested: false, control: { shutdown: true } });
    // The job it holds can still be completed.
    expect((await server.call("POST", `/v1/jobs/${job.id}/complete`, { token: job.lease.token })).status).toBe(200);
  });

  test("an open long poll is answered at once with control.shutdown", async () => {
    // On this server a long poll never looks again by itself within the test: the answer is the shutdown's doing.
    await server.close();
    server = await startTestServer({ longPollRecheckMs: 600_000 }, clock);
    const poll = claim({ ...identity, waitMs: 25_000 });
    await waitFor(async () => (await worker("mailer-1")) !== undefined, 5000, "the long poll to be open");
    await server.call("POST", "/v1/workers/mailer-1/shutdown");
    expect(await poll).toEqual({ jobs: [], control: { shutdown: true } });
  });

  test("a worker back after being offline for 30 s starts fresh: the old request is dropped", async () => {
    await claim(identity);
    await server.call("POST", "/v1/workers/mailer-1/shutdown");
    expect((await claim(identity)).control).toEqual({ shutdown: true });
    clock.advance(31_000);
    await enqueue("emails");
    const again = await claim(identity);
    expect(again.control).toBeUndefined();
    expect(again.jobs).toHaveLength(1);
  });

  test("an unknown worker is 404", async () => {
    const res = await server.call("POST", "/v1/workers/nobody/shutdown");
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe("not_found");
  });
});

describe("limits across kinds of workers", () => {
  test("a queue's concurrency and rate limits hold for HTTP and in-process workers together", async () => {
    const spool = new Spool({ service: server.service, registry: new WorkerRegistry({ store: server.store, clock }) });
    let running = 0;
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    spool.work("limited", async () => {
      running++;
      await released;
    }, { concurrency: 5 });
    try {
      await server.call("PUT", "/v1/queues/limited", { concurrency: 3, rateLimit: { max: 4, intervalMs: 60_000 } });
      await enqueue("limited", 10);
      // The in-process worker takes what the concurrency limit allows; an HTTP worker gets nothing more.
      await waitFor(() => running === 3, 5000, "three in-process jobs to run");
      expect((await claim({ workerId: "http-x", max: 5 }, "limited")).jobs).toHaveLength(0);
      release();
      // Three started, so one start is left in this rate-limit window, whoever claims it: the
      // in-process worker may take it (and finish it) before the three are seen completed.
      await waitFor(async () => (await server.call("GET", "/v1/queues/limited")).body.counts.completed >= 3, 5000, "the three to complete");
      const { jobs } = await claim({ workerId: "http-x", max: 5 }, "limited");
      const counts = (await server.call("GET", "/v1/queues/limited")).body.counts;
      expect(jobs.length).toBeLessThanOrEqual(1);
      expect(counts.completed + counts.active).toBe(4);
    } finally {
      release();
      await spool.stopWorkers(0);
    }
  });
});

describe("permissions", () => {
  test("workers may list workers; only admins may shut one down or read a target secret", async () => {
    await server.close();
    server = await startTestServer({ adminToken: "admin-secret" }, clock);
    const { token } = await createToken(server.store, "worker", "w", clock.now());
    const as = (t: string) => ({ authorization: `Bearer ${t}` });
    await server.call("POST", "/v1/queues/emails/claim", identity, as(token));
    expect((await server.call("GET", "/v1/workers", undefined, as(token))).status).toBe(200);
    expect((await server.call("POST", "/v1/workers/mailer-1/shutdown", undefined, as(token))).status).toBe(403);
    expect((await server.call("GET", "/v1/queues/emails/target/secret", undefined, as(token))).status).toBe(403);
    expect((await server.call("POST", "/v1/workers/mailer-1/shutdown", undefined, as("admin-secret"))).status).toBe(200);
  });
});
