/** HTTP API, queues: counts and config, PUT validation, pause/resume, purge, retry-failed, cancel-waiting. */
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { TestClock } from "../src/core/clock.ts";
import { activeJob, claim, counts, detailPaths, enqueue, expectError } from "./helpers/api.ts";
import { startTestServer, type TestServer } from "./helpers/server.ts";

let server: TestServer;
let clock: TestClock;

beforeEach(async () => {
  clock = new TestClock("2026-01-01T00:00:00Z");
  server = await startTestServer({}, clock);
});
afterEach(() => server.close());

const empty = { waiting: 0, delayed: 0, blocked: 0, active: 0, completed: 0, failed: 0, cancelled: 0 };

async function failJob(queue: string, type?: string) {
  const job = await activeJob(server, queue);
  await server.call("POST", `/v1/jobs/${job.id}/fail`, { token: job.lease.token, error: { message: "no", type }, retry: false });
  return job;
}

describe("read", () => {
  test("GET /v1/queues lists every queue with its counts and config", async () => {
    await enqueue(server, "a");
    await enqueue(server, "a", { delayMs: 1000 });
    await activeJob(server, "b");
    const res = await server.call("GET", "/v1/queues");
    expect(res.status).toBe(200);
    expect(res.body.queues.map((q: any) => [q.name, q.counts])).toEqual([
      ["a", { ...empty, waiting: 1, delayed: 1 }],
      ["b", { ...empty, active: 1 }],
    ]);
    expect(res.body.queues[0]).toMatchObject({ paused: false, concurrency: null, rateLimit: null, laneOnFailure: "continue" });
  });

  test("GET /v1/queues/{queue} has counts; an unknown queue reads as empty (200)", async () => {
    await enqueue(server, "known");
    expect((await server.call("GET", "/v1/queues/known")).body.counts).toEqual({ ...empty, waiting: 1 });
    const unknown = await server.call("GET", "/v1/queues/never-used");
    expect(unknown.status).toBe(200);
    expect(unknown.body).toMatchObject({ name: "never-used", paused: false, counts: empty });
    expect((await server.call("GET", "/v1/queues")).body.queues.map((q: any) => q.name)).toEqual(["known"]);
  });

  test("each queue says since when its longest-waiting job has been runnable (null while none waits)", async () => {
    await enqueue(server, "behind");
    clock.advance(60_000);
    await enqueue(server, "behind");
    await enqueue(server, "behind", { delayMs: 1000 });
    await activeJob(server, "busy");
    const { queues } = (await server.call("GET", "/v1/queues")).body;
    expect(queues.map((q: any) => [q.name, q.oldestWaitingSince])).toEqual([
      ["behind", "2026-01-01T00:00:00.000Z"],
      ["busy", null],
    ]);
    expect((await server.call("GET", "/v1/queues/behind")).body.oldestWaitingSince).toBe("2026-01-01T00:00:00.000Z");
    expect((await server.call("GET", "/v1/queues/never-used")).body.oldestWaitingSince).toBeNull();
  });

  test("an invalid queue name is refused with 400 naming the parameter", async () => {
    const error = expectError(await server.call("GET", "/v1/queues/bad%20name"), 400, "validation_failed");
    expect(detailPaths(error)).toEqual(["param.queue"]);
  });
});

describe("config", () => {
  const settings = {
    concurrency: 2,
    rateLimit: { max: 10, intervalMs: 1000 },
    defaults: { priority: 7, maxAttempts: 4 },
    retryPolicy: { noRetry: ["Fatal"], byType: { Network: { maxAttempts: 9 } } },
    laneOnFailure: "block",
    retention: { completedMs: 86_400_000 },
    target: null,
  };

  test("PUT /v1/queues/{queue} round-trips the config and new jobs take its defaults", async () => {
    const put = await server.call("PUT", "/v1/queues/conf", settings);
    expect(put.status).toBe(200);
    expect(put.body).toEqual({ name: "conf", paused: false, ...settings });
    expect((await server.call("GET", "/v1/queues/conf")).body).toEqual({ name: "conf", paused: false, ...settings, counts: empty, oldestWaitingSince: null });
    expect(await enqueue(server, "conf")).toMatchObject({ priority: 7, maxAttempts: 4 });
  });

  test("fields left out keep their value and null clears a limit", async () => {
    await server.call("PUT", "/v1/queues/conf", settings);
    const res = await server.call("PUT", "/v1/queues/conf", { concurrency: null, laneOnFailure: "continue" });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ concurrency: null, laneOnFailure: "continue", rateLimit: settings.rateLimit, defaults: settings.defaults });
  });

  test("a bad rateLimit is refused with 400 naming the field, and the config is unchanged", async () => {
    await server.call("PUT", "/v1/queues/conf", settings);
    const res = await server.call("PUT", "/v1/queues/conf", { rateLimit: { max: 0, intervalMs: 1000 } });
    expect(detailPaths(expectError(res, 400, "validation_failed"))).toEqual(["rateLimit.max"]);
    const missing = await server.call("PUT", "/v1/queues/conf", { rateLimit: { max: 5 } });
    expect(detailPaths(expectError(missing, 400, "validation_failed"))).toEqual(["rateLimit.intervalMs"]);
    expect((await server.call("GET", "/v1/queues/conf")).body.rateLimit).toEqual(settings.rateLimit);
  });

  test("a bad laneOnFailure or an unknown field is refused with 400 naming it", async () => {
    const res = await server.call("PUT", "/v1/queues/conf", { laneOnFailure: "stop" });
    expect(detailPaths(expectError(res, 400, "validation_failed"))).toEqual(["laneOnFailure"]);
    const unknown = await server.call("PUT", "/v1/queues/conf", { colour: "blue" });
    expect(expectError(unknown, 400, "validation_failed").details).toEqual([{ path: "colour", message: "unknown field" }]);
    expect((await server.call("GET", "/v1/queues")).body.queues).toEqual([]);
  });
});

describe("pause and resume", () => {
  test("a paused queue hands out nothing until resumed", async () => {
    const job = await enqueue(server, "p");
    const paused = await server.call("POST", "/v1/queues/p/pause");
    expect(paused.status).toBe(200);
    expect(paused.body.paused).toBe(true);
    expect(await claim(server, "p")).toEqual([]);
    expect((await server.call("GET", "/v1/queues/p")).body).toMatchObject({ paused: true, counts: { ...empty, waiting: 1 } });
    const resumed = await server.call("POST", "/v1/queues/p/resume");
    expect(resumed.body.paused).toBe(false);
    expect((await claim(server, "p")).map((j) => j.id)).toEqual([job.id]);
  });
});

describe("purge", () => {
  test("purge ?state= deletes that state's jobs only", async () => {
    await failJob("pq");
    await failJob("pq");
    await enqueue(server, "pq");
    const res = await server.call("POST", "/v1/queues/pq/purge?state=failed");
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ deleted: 2 });
    expect(await counts(server, "pq")).toEqual({ ...empty, waiting: 1 });
  });

  test("a missing or unknown state is 400, active is 409, and nothing is deleted", async () => {
    await activeJob(server, "pq");
    await enqueue(server, "pq");
    const before = await counts(server, "pq");
    expect(detailPaths(expectError(await server.call("POST", "/v1/queues/pq/purge"), 400, "validation_failed"))).toEqual(["query.state"]);
    expect(detailPaths(expectError(await server.call("POST", "/v1/queues/pq/purge?state=old"), 400, "validation_failed"))).toEqual(["query.state"]);
    expectError(await server.call("POST", "/v1/queues/pq/purge?state=active"), 409, "conflict");
    expect(await counts(server, "pq")).toEqual(before);
  });
});

describe("bulk actions", () => {
  test("retry-failed runs every failed job of the queue again", async () => {
    const a = await failJob("bq");
    const b = await failJob("bq");
    await failJob("other");
    const res = await server.call("POST", "/v1/queues/bq/retry-failed");
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ retried: 2 });
    expect(await counts(server, "bq")).toEqual({ ...empty, waiting: 2 });
    expect(await counts(server, "other")).toEqual({ ...empty, failed: 1 });
    expect((await claim(server, "bq", { max: 5 })).map((j) => j.id).sort()).toEqual([a.id, b.id].sort());
  });

  test("a bulk action sent a body it does not take is refused (400) and changes nothing; an empty one is as none", async () => {
    await failJob("bulk", "A");
    await failJob("bulk", "B");
    const refused = await server.call("POST", "/v1/queues/bulk/retry-failed", { errorType: "A" });
    expect(detailPaths(expectError(refused, 400, "validation_failed"))).toEqual(["body"]);
    expect(await counts(server, "bulk")).toMatchObject({ failed: 2, waiting: 0 });
    expectError(await server.call("POST", "/v1/queues/bulk/cancel-waiting", { everything: true }), 400, "validation_failed");
    expect((await server.call("POST", "/v1/queues/bulk/retry-failed?errorType=A", {})).body).toEqual({ retried: 1 });
    expect((await server.call("POST", "/v1/queues/bulk/pause")).status).toBe(200);
    // JSON that says nothing, however it is spelled, is as no body.
    for (const body of ["{ }", "[]", "null", "\n{}\n"]) expect((await server.call("POST", "/v1/queues/bulk/resume", body)).status).toBe(200);
  });

  test("retry-failed ?errorType= runs only failed jobs whose last error has that type", async () => {
    const timedOut = await failJob("tq", "timeout");
    await failJob("tq", "BadInput");
    const res = await server.call("POST", "/v1/queues/tq/retry-failed?errorType=timeout");
    expect(res.body).toEqual({ retried: 1 });
    expect(await counts(server, "tq")).toEqual({ ...empty, waiting: 1, failed: 1 });
    expect((await claim(server, "tq")).map((j) => j.id)).toEqual([timedOut.id]);
    expectError(await server.call("POST", "/v1/queues/tq/retry-failed?errorType="), 400, "validation_failed");
  });

  test("cancel-waiting cancels waiting, delayed and blocked jobs and leaves active ones", async () => {
    await activeJob(server, "cq", { key: "lane" });
    await enqueue(server, "cq", { key: "lane" });
    await enqueue(server, "cq", { delayMs: 60_000 });
    await enqueue(server, "cq");
    expect(await counts(server, "cq")).toEqual({ ...empty, active: 1, blocked: 1, delayed: 1, waiting: 1 });
    const res = await server.call("POST", "/v1/queues/cq/cancel-waiting");
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ cancelled: 3 });
    expect(await counts(server, "cq")).toEqual({ ...empty, active: 1, cancelled: 3 });
  });
});
