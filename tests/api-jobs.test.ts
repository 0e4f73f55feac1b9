/** HTTP API: enqueue (one, idempotent, batch), list with filters and paging, get, cancel, retry, delete. */
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

describe("enqueue", () => {
  test("POST /v1/queues/{queue}/jobs answers 201 with the new job", async () => {
    const res = await server.call("POST", "/v1/queues/emails/jobs", { payload: { to: "ada@example.com" }, key: "k1", priority: 8 });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      queue: "emails", payload: { to: "ada@example.com" }, key: "k1", priority: 8, state: "waiting",
      attempts: 0, maxAttempts: 3, runAt: "2026-01-01T00:00:00.000Z", createdAt: "2026-01-01T00:00:00.000Z", errors: [],
    });
    expect(typeof res.body.id).toBe("string");
    expect(res.body).not.toHaveProperty("leaseToken");
  });

  test("delayMs or runAt makes a delayed job", async () => {
    expect(await enqueue(server, "emails", { delayMs: 10_000 })).toMatchObject({ state: "delayed", runAt: "2026-01-01T00:00:10.000Z" });
    const at = await enqueue(server, "emails", { runAt: "2026-01-01T02:00:00+01:00" });
    expect(at).toMatchObject({ state: "delayed", runAt: "2026-01-01T01:00:00.000Z" });
  });

  test("the Idempotency-Key header returns the existing job with 200", async () => {
    const first = await enqueue(server, "emails", { payload: 1 }, { "idempotency-key": "order-7" });
    const again = await server.call("POST", "/v1/queues/emails/jobs", { payload: 2 }, { "idempotency-key": "order-7" });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ id: first.id, payload: 1, idempotencyKey: "order-7" });
    expect(await counts(server, "emails")).toEqual({ ...empty, waiting: 1 });
  });

  test("an Idempotency-Key header and a body idempotencyKey that differ are refused (400) and enqueue nothing; the same in both is one key", async () => {
    const refused = await server.call("POST", "/v1/queues/emails/jobs", { idempotencyKey: "a" }, { "idempotency-key": "b" });
    expect(detailPaths(expectError(refused, 400, "validation_failed"))).toEqual(["idempotencyKey"]);
    expect(await counts(server, "emails")).toEqual(empty);
    const same = await server.call("POST", "/v1/queues/emails/jobs", { idempotencyKey: "a" }, { "idempotency-key": "a" });
    expect(same.status).toBe(201);
  });

  test("idempotencyKey in the body returns the existing job with 200", async () => {
    const first = await enqueue(server, "emails", { payload: 1, idempotencyKey: "order-8" });
    const again = await server.call("POST", "/v1/queues/emails/jobs", { payload: 2, idempotencyKey: "order-8" });
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(first.id);
    expect(await counts(server, "emails")).toEqual({ ...empty, waiting: 1 });
  });

  test("a schedule fire's idempotency key is the scheduler's: a producer taking one ahead of the fire is refused, body, header or batch", async () => {
    const key = "schedule:spool:health:2030-01-01T00:00:00.000Z";
    expect(detailPaths(expectError(await server.call("POST", "/v1/queues/emails/jobs", { idempotencyKey: key }), 400, "validation_failed"))).toEqual(["idempotencyKey"]);
    expectError(await server.call("POST", "/v1/queues/emails/jobs", {}, { "idempotency-key": key }), 400, "validation_failed");
    const batch = expectError(await server.call("POST", "/v1/queues/emails/jobs/batch", { jobs: [{}, { idempotencyKey: key }] }), 400, "validation_failed");
    expect(detailPaths(batch)).toEqual(["jobs.1.idempotencyKey"]);
    expect((await server.call("GET", "/v1/jobs")).body.jobs).toEqual([]);
  });

  test("an invalid job is refused with 400 naming the field, and nothing is stored", async () => {
    const res = await server.call("POST", "/v1/queues/emails/jobs", { priority: 11, runAt: "1" });
    const error = expectError(res, 400, "validation_failed");
    expect(detailPaths(error).sort()).toEqual(["priority", "runAt"]);
    expect((await server.call("GET", "/v1/jobs")).body.jobs).toEqual([]);
  });
});

describe("payloads that cannot be stored (DESIGN §10)", () => {
  test("a payload nested 10 000 levels deep, or holding 1e309, is refused with 400 naming it and nothing is stored", async () => {
    const deep = "[".repeat(10_000) + "]".repeat(10_000);
    for (const body of [`{"payload":${deep}}`, `{"payload":{"a":[1e309]}}`]) {
      const error = expectError(await server.call("POST", "/v1/queues/q/jobs", body), 400, "validation_failed");
      expect(detailPaths(error)).toEqual(["payload"]);
    }
    expect(await counts(server, "q")).toEqual(empty);
  });
});

describe("batch enqueue", () => {
  test("POST /v1/queues/{queue}/jobs/batch stores every job, in order, and answers 201", async () => {
    const res = await server.call("POST", "/v1/queues/bulk/jobs/batch", { jobs: [{ payload: 1 }, { payload: 2, key: "a" }, { payload: 3 }] });
    expect(res.status).toBe(201);
    expect(res.body.jobs.map((j: any) => j.payload)).toEqual([1, 2, 3]);
    expect(await counts(server, "bulk")).toEqual({ ...empty, waiting: 3 });
  });

  test("one job failing schema validation refuses the batch with jobs.N.field; nothing is stored", async () => {
    const res = await server.call("POST", "/v1/queues/bulk/jobs/batch", { jobs: [{ payload: 1 }, { priority: 11 }, { payload: 3 }] });
    const error = expectError(res, 400, "validation_failed");
    expect(detailPaths(error)).toEqual(["jobs.1.priority"]);
    expect(await counts(server, "bulk")).toEqual(empty);
  });

  test("one job failing the queue's own checks refuses the batch with jobs.N.field; nothing is stored", async () => {
    const jobs = [{ payload: 1 }, { payload: 2 }, { delayMs: 5, runAt: "2026-01-02T00:00:00Z" }];
    const error = expectError(await server.call("POST", "/v1/queues/bulk/jobs/batch", { jobs }), 400, "validation_failed");
    expect(detailPaths(error)).toEqual(["jobs.2.runAt"]);
    expect(await counts(server, "bulk")).toEqual(empty);
  });

  test("1000 jobs are accepted and 1001 are refused with 400", async () => {
    const ok = await server.call("POST", "/v1/queues/bulk/jobs/batch", { jobs: Array.from({ length: 1000 }, (_, i) => ({ payload: i })) });
    expect(ok.status).toBe(201);
    expect(ok.body.jobs).toHaveLength(1000);
    const tooMany = await server.call("POST", "/v1/queues/bulk/jobs/batch", { jobs: Array.from({ length: 1001 }, (_, i) => ({ payload: i })) });
    expect(detailPaths(expectError(tooMany, 400, "validation_failed"))).toEqual(["jobs"]);
    expect(await counts(server, "bulk")).toEqual({ ...empty, waiting: 1000 });
  });
});

describe("list", () => {
  test("filters by queue, state, key and search text", async () => {
    const a = await enqueue(server, "alpha", { payload: { city: "Lisbon" }, key: "order-1" });
    await enqueue(server, "alpha", { payload: { city: "Porto" }, key: "order-2", delayMs: 60_000 });
    const c = await enqueue(server, "beta", { payload: { city: "Lisbon" } });
    const ids = async (query: string) => (await server.call("GET", `/v1/jobs?${query}`)).body.jobs.map((j: any) => j.id);
    expect(await ids("queue=beta")).toEqual([c.id]);
    expect(await ids("state=delayed")).toHaveLength(1);
    expect(await ids("queue=alpha&key=order-1")).toEqual([a.id]);
    expect(await ids("q=lisbon")).toEqual([c.id, a.id]);
    expect(await ids("queue=nowhere")).toEqual([]);
  });

  test("pages run newest first and follow nextCursor to the end", async () => {
    for (let i = 0; i < 5; i++) await enqueue(server, "paged", { payload: i });
    const seen: number[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res = await server.call("GET", `/v1/jobs?queue=paged&limit=2${cursor ? `&cursor=${cursor}` : ""}`);
      expect(res.status).toBe(200);
      seen.push(...res.body.jobs.map((j: any) => j.payload));
      cursor = res.body.nextCursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen).toEqual([4, 3, 2, 1, 0]);
  });

  test("an unknown state or a bad limit is refused with 400 naming the parameter", async () => {
    expect(detailPaths(expectError(await server.call("GET", "/v1/jobs?state=sleeping"), 400, "validation_failed"))).toEqual(["query.state"]);
    expect(detailPaths(expectError(await server.call("GET", "/v1/jobs?limit=0"), 400, "validation_failed"))).toEqual(["query.limit"]);
  });
});

describe("get", () => {
  test("GET /v1/jobs/{id} returns the job", async () => {
    const job = await enqueue(server, "emails", { payload: "x" });
    const res = await server.call("GET", `/v1/jobs/${job.id}`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual(job);
  });

  test("an unknown id, numeric or not, is 404 on every job route", async () => {
    for (const id of ["999999", "abc", "0", "-1", "1.5"]) {
      expectError(await server.call("GET", `/v1/jobs/${id}`), 404, "not_found");
      expectError(await server.call("POST", `/v1/jobs/${id}/cancel`), 404, "not_found");
      expectError(await server.call("POST", `/v1/jobs/${id}/retry`), 404, "not_found");
      expectError(await server.call("DELETE", `/v1/jobs/${id}`), 404, "not_found");
    }
  });
});

describe("cancel", () => {
  test("a waiting job is cancelled at once", async () => {
    const job = await enqueue(server, "emails");
    const res = await server.call("POST", `/v1/jobs/${job.id}/cancel`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: job.id, state: "cancelled", finishedAt: "2026-01-01T00:00:00.000Z" });
  });

  test("an active job only gets cancelRequested, and its worker can still complete it", async () => {
    const job = await activeJob(server, "emails");
    const res = await server.call("POST", `/v1/jobs/${job.id}/cancel`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ state: "active", cancelRequested: true });
    const done = await server.call("POST", `/v1/jobs/${job.id}/complete`, { token: job.lease.token });
    expect(done.status).toBe(200);
  });

  test("?force=true ends an active job at once and its worker's complete is refused", async () => {
    const job = await activeJob(server, "emails");
    const res = await server.call("POST", `/v1/jobs/${job.id}/cancel?force=true`);
    expect(res.status).toBe(200);
    expect(res.body.state).toBe("cancelled");
    expectError(await server.call("POST", `/v1/jobs/${job.id}/complete`, { token: job.lease.token }), 409, "lease_lost");
    expect((await server.call("GET", `/v1/jobs/${job.id}`)).body.state).toBe("cancelled");
  });

  test("a finished job cannot be cancelled (409) and stays as it was", async () => {
    const job = await enqueue(server, "emails");
    await server.call("POST", `/v1/jobs/${job.id}/cancel`);
    expectError(await server.call("POST", `/v1/jobs/${job.id}/cancel`), 409, "conflict");
    expectError(await server.call("POST", `/v1/jobs/${job.id}/cancel?force=maybe`), 400, "validation_failed");
    expect(await counts(server, "emails")).toEqual({ ...empty, cancelled: 1 });
  });
});

describe("retry", () => {
  async function failedWithCheckpoint() {
    const job = await activeJob(server, "emails");
    await server.call("POST", `/v1/jobs/${job.id}/heartbeat`, { token: job.lease.token, checkpoint: { page: 3 } });
    const failed = await server.call("POST", `/v1/jobs/${job.id}/fail`, { token: job.lease.token, error: { message: "boom" }, retry: false });
    expect(failed.body.state).toBe("failed");
    return job;
  }

  test("a failed job runs again from its checkpoint", async () => {
    const job = await failedWithCheckpoint();
    const res = await server.call("POST", `/v1/jobs/${job.id}/retry`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ state: "waiting", attempts: 0, checkpoint: { page: 3 } });
    const [again] = await claim(server, "emails");
    expect(again).toMatchObject({ id: job.id, checkpoint: { page: 3 } });
  });

  test("resetCheckpoint: true runs it again from scratch", async () => {
    const job = await failedWithCheckpoint();
    const res = await server.call("POST", `/v1/jobs/${job.id}/retry`, { resetCheckpoint: true });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ state: "waiting", checkpoint: null });
  });

  test("a cancelled job can be retried; a waiting one cannot (409)", async () => {
    const job = await enqueue(server, "emails");
    expectError(await server.call("POST", `/v1/jobs/${job.id}/retry`), 409, "conflict");
    await server.call("POST", `/v1/jobs/${job.id}/cancel`);
    expect((await server.call("POST", `/v1/jobs/${job.id}/retry`)).body.state).toBe("waiting");
    expectError(await server.call("POST", `/v1/jobs/${job.id}/retry`, { resetCheckpoint: "yes" }), 400, "validation_failed");
  });
});

describe("delete", () => {
  test("a finished job is deleted with 204 and is then unknown", async () => {
    const job = await enqueue(server, "emails");
    await server.call("POST", `/v1/jobs/${job.id}/cancel`);
    const res = await server.call("DELETE", `/v1/jobs/${job.id}`);
    expect(res.status).toBe(204);
    expectError(await server.call("GET", `/v1/jobs/${job.id}`), 404, "not_found");
    expect(await counts(server, "emails")).toEqual(empty);
  });

  test("an unfinished job is not deleted (409)", async () => {
    const waiting = await enqueue(server, "emails");
    const active = await activeJob(server, "other");
    expectError(await server.call("DELETE", `/v1/jobs/${waiting.id}`), 409, "conflict");
    expectError(await server.call("DELETE", `/v1/jobs/${active.id}`), 409, "conflict");
    expect((await server.call("GET", `/v1/jobs/${waiting.id}`)).body.state).toBe("waiting");
    expect((await server.call("GET", `/v1/jobs/${active.id}`)).body.state).toBe("active");
  });
});
