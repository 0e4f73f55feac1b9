/** HTTP API, the pull-worker contract: claim with a lease, complete (one or many), fail, heartbeat, long polls. */
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { TestClock } from "../src/core/clock.ts";
import { activeJob, claim, detailPaths, enqueue, expectError } from "./helpers/api.ts";
import { startTestServer, type TestServer } from "./helpers/server.ts";
import { waitFor } from "./helpers/wait.ts";

let server: TestServer;
let clock: TestClock;

beforeEach(async () => {
  clock = new TestClock("2026-01-01T00:00:00Z");
  server = await startTestServer({}, clock);
});
afterEach(() => server.close());

const get = async (id: string) => (await server.call("GET", `/v1/jobs/${id}`)).body;

describe("claim", () => {
  test("a claim leases the job: lease {token, expiresAt}, state active, attempt counted", async () => {
    const job = await enqueue(server, "work", { payload: { n: 1 } });
    const [claimed] = await claim(server, "work", { workerId: "mail-1", leaseMs: 60_000 });
    expect(claimed).toMatchObject({ id: job.id, state: "active", attempts: 1, workerId: "mail-1", payload: { n: 1 } });
    expect(claimed.lease.expiresAt).toBe("2026-01-01T00:01:00.000Z");
    expect(claimed.lease.token.length).toBeGreaterThanOrEqual(16);
    expect(claimed.leaseExpiresAt).toBe(claimed.lease.expiresAt);
    expect(await get(job.id)).not.toHaveProperty("lease");
  });

  test("max caps the jobs leased, highest priority first", async () => {
    for (const priority of [1, 9, 5, 10, 0]) await enqueue(server, "work", { priority });
    const jobs = await claim(server, "work", { max: 3 });
    expect(jobs.map((j) => j.priority)).toEqual([10, 9, 5]);
    expect(await claim(server, "work", { max: 3 })).toHaveLength(2);
  });

  test("a claim without workerId, or with max 0, is refused with 400 naming the field", async () => {
    expect(detailPaths(expectError(await server.call("POST", "/v1/queues/work/claim", {}), 400, "validation_failed"))).toEqual(["workerId"]);
    const error = expectError(await server.call("POST", "/v1/queues/work/claim", { workerId: "w", max: 0 }), 400, "validation_failed");
    expect(detailPaths(error)).toEqual(["max"]);
  });
});

describe("complete", () => {
  test("complete stores the result and finishes the job", async () => {
    const job = await activeJob(server, "work");
    const res = await server.call("POST", `/v1/jobs/${job.id}/complete`, { token: job.lease.token, result: { sent: true } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ state: "completed", result: { sent: true }, finishedAt: "2026-01-01T00:00:00.000Z" });
    expect((await get(job.id)).result).toEqual({ sent: true });
  });

  test("POST /v1/jobs/complete gives one outcome per item: valid tokens complete, stale ones are lease_lost", async () => {
    for (let i = 0; i < 3; i++) await enqueue(server, "work", { payload: i });
    const [a, b, c] = await claim(server, "work", { max: 3 });
    const items = [
      { id: a.id, token: a.lease.token, result: "a" },
      { id: b.id, token: "not-the-token" },
      { id: c.id, token: c.lease.token },
      { id: "abc", token: c.lease.token },
    ];
    const res = await server.call("POST", "/v1/jobs/complete", { items });
    expect(res.status).toBe(200);
    expect(res.body.items).toEqual([
      { id: a.id, outcome: "completed" },
      { id: b.id, outcome: "lease_lost" },
      { id: c.id, outcome: "completed" },
      { id: "abc", outcome: "lease_lost" },
    ]);
    expect([(await get(a.id)).state, (await get(b.id)).state, (await get(c.id)).state]).toEqual(["completed", "active", "completed"]);
    expect((await get(a.id)).result).toBe("a");
  });

  test("a batch completion of more than 1000 items is refused with 400", async () => {
    const items = Array.from({ length: 1001 }, (_, i) => ({ id: String(i + 1), token: "t" }));
    expect(detailPaths(expectError(await server.call("POST", "/v1/jobs/complete", { items }), 400, "validation_failed"))).toEqual(["items"]);
  });

  test("a completion that got 200 is final: resent it answers the same, fail and heartbeat are 409, it never runs again", async () => {
    const job = await activeJob(server, "work", { maxAttempts: 5 });
    const first = await server.call("POST", `/v1/jobs/${job.id}/complete`, { token: job.lease.token, result: 1 });
    expect(first.status).toBe(200);
    const token = job.lease.token;
    const resent = await server.call("POST", `/v1/jobs/${job.id}/complete`, { token, result: 2 });
    expect(resent).toMatchObject({ status: 200, body: first.body });
    expectError(await server.call("POST", `/v1/jobs/${job.id}/fail`, { token, error: { message: "late" } }), 409, "lease_lost");
    expectError(await server.call("POST", `/v1/jobs/${job.id}/heartbeat`, { token }), 409, "lease_lost");
    clock.advance(3_600_000);
    await server.service.reapExpiredLeases();
    expect(await claim(server, "work")).toEqual([]);
    expect(await get(job.id)).toMatchObject({ state: "completed", attempts: 1, errors: [] });
  });
});

describe("fail", () => {
  test("a failure with attempts left retries after the backoff and records the error", async () => {
    const job = await activeJob(server, "work", { backoff: { type: "fixed", delayMs: 2000, jitter: false } });
    const res = await server.call("POST", `/v1/jobs/${job.id}/fail`, { token: job.lease.token, error: { message: "smtp down", type: "Network" } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ state: "delayed", runAt: "2026-01-01T00:00:02.000Z", attempts: 1, leaseExpiresAt: null });
    expect(res.body.errors).toEqual([{ attempt: 1, type: "Network", message: "smtp down", at: "2026-01-01T00:00:00.000Z" }]);
  });

  test("retryInMs overrides the backoff", async () => {
    const job = await activeJob(server, "work");
    const res = await server.call("POST", `/v1/jobs/${job.id}/fail`, { token: job.lease.token, error: { message: "later" }, retryInMs: 45_000 });
    expect(res.body).toMatchObject({ state: "delayed", runAt: "2026-01-01T00:00:45.000Z" });
  });

  test("retry: false fails the job for good, whatever the attempts left", async () => {
    const job = await activeJob(server, "work", { maxAttempts: 10 });
    const res = await server.call("POST", `/v1/jobs/${job.id}/fail`, { token: job.lease.token, error: { message: "bad input" }, retry: false });
    expect(res.body).toMatchObject({ state: "failed", attempts: 1, finishedAt: "2026-01-01T00:00:00.000Z" });
  });

  test("a failure that got 200, resent with the same token, answers the same and changes nothing", async () => {
    const job = await activeJob(server, "work", { maxAttempts: 1 });
    const token = job.lease.token;
    const first = await server.call("POST", `/v1/jobs/${job.id}/fail`, { token, error: { message: "bad", type: "Bad" } });
    expect(first.body).toMatchObject({ state: "failed", attempts: 1 });
    clock.advance(5000);
    const resent = await server.call("POST", `/v1/jobs/${job.id}/fail`, { token, error: { message: "bad again" } });
    expect(resent).toMatchObject({ status: 200, body: first.body });
    // The same item resent in a claim's finished list is the same outcome, not a lost lease.
    const claim = await server.call("POST", "/v1/queues/work/claim", { workerId: "w", finished: [{ id: job.id, token, error: { message: "x" } }] });
    expect(claim.body.finished).toEqual([{ id: job.id, outcome: "failed" }]);
    expectError(await server.call("POST", `/v1/jobs/${job.id}/complete`, { token }), 409, "lease_lost");
    expectError(await server.call("POST", `/v1/jobs/${job.id}/fail`, { token: "other", error: { message: "x" } }), 409, "lease_lost");
    expect((await get(job.id)).errors).toHaveLength(1);
  });

  test("a fail without error.message is refused with 400 and the job stays active", async () => {
    const job = await activeJob(server, "work");
    const error = expectError(await server.call("POST", `/v1/jobs/${job.id}/fail`, { token: job.lease.token, error: {} }), 400, "validation_failed");
    expect(detailPaths(error)).toEqual(["error.message"]);
    expect((await get(job.id)).state).toBe("active");
  });
});

describe("heartbeat", () => {
  test("a heartbeat extends the lease, stores progress and checkpoint, and reports cancelRequested", async () => {
    const job = await activeJob(server, "work");
    clock.advance(10_000);
    const res = await server.call("POST", `/v1/jobs/${job.id}/heartbeat`, {
      token: job.lease.token, extendMs: 60_000, progress: { current: 3, total: 10, message: "page 3" }, checkpoint: { page: 3 },
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ leaseExpiresAt: "2026-01-01T00:01:10.000Z", cancelRequested: false });
    expect(await get(job.id)).toMatchObject({ progress: { current: 3, total: 10, message: "page 3" }, checkpoint: { page: 3 } });
    await server.call("POST", `/v1/jobs/${job.id}/cancel`);
    const after = await server.call("POST", `/v1/jobs/${job.id}/heartbeat`, { token: job.lease.token, progress: 40 });
    expect(after.body.cancelRequested).toBe(true);
    expect((await get(job.id)).progress).toBe(40);
  });

  test("progress outside 0–100 is refused with 400", async () => {
    const job = await activeJob(server, "work");
    const error = expectError(await server.call("POST", `/v1/jobs/${job.id}/heartbeat`, { token: job.lease.token, progress: 101 }), 400, "validation_failed");
    expect(detailPaths(error)).toContain("progress");
    expect((await get(job.id)).progress).toBeNull();
    // A count below zero, or a total of nothing, is no progress a rate or an ETA can be read from.
    for (const progress of [{ current: -5 }, { current: 1, total: 0 }, { current: 1, total: -2 }]) {
      const refused = await server.call("POST", `/v1/jobs/${job.id}/heartbeat`, { token: job.lease.token, progress });
      expectError(refused, 400, "validation_failed");
    }
    expect((await get(job.id)).progress).toBeNull();
    expect((await server.call("POST", `/v1/jobs/${job.id}/heartbeat`, { token: job.lease.token, progress: { current: 0, total: 3 } })).status).toBe(200);
  });
});

describe("JSON that cannot be stored (DESIGN §10)", () => {
  const deep = (levels: number) => "[".repeat(levels) + "]".repeat(levels);

  test("a result or checkpoint nested 10 000 levels deep, or holding 1e309, is refused with 400 and the job stays active", async () => {
    const job = await activeJob(server, "work");
    const { token } = job.lease;
    const refused = [
      [`/v1/jobs/${job.id}/complete`, `{"token":"${token}","result":${deep(10_000)}}`, "result"],
      [`/v1/jobs/${job.id}/complete`, `{"token":"${token}","result":{"n":1e309}}`, "result"],
      ["/v1/jobs/complete", `{"items":[{"id":"${job.id}","token":"${token}","result":[1e309]}]}`, "items.0.result"],
      [`/v1/jobs/${job.id}/heartbeat`, `{"token":"${token}","checkpoint":${deep(10_000)}}`, "checkpoint"],
      [`/v1/jobs/${job.id}/heartbeat`, `{"token":"${token}","checkpoint":-1e309}`, "checkpoint"],
    ] as const;
    for (const [path, body, field] of refused) {
      const error = expectError(await server.call("POST", path, body), 400, "validation_failed");
      expect({ path, fields: detailPaths(error) }).toEqual({ path, fields: [field] });
    }
    expect(await get(job.id)).toMatchObject({ state: "active", result: null, checkpoint: null });
  });

  test("100 levels of nesting are stored as sent", async () => {
    const job = await activeJob(server, "work");
    const res = await server.call("POST", `/v1/jobs/${job.id}/complete`, `{"token":"${job.lease.token}","result":${deep(100)}}`);
    expect(res.status).toBe(200);
    expect(JSON.stringify((await get(job.id)).result)).toBe(deep(100));
  });
});

describe("stale tokens", () => {
  test("a wrong token is 409 lease_lost on complete, fail and heartbeat; the job stays active", async () => {
    const job = await activeJob(server, "work");
    const token = "someone-else";
    expectError(await server.call("POST", `/v1/jobs/${job.id}/complete`, { token }), 409, "lease_lost");
    expectError(await server.call("POST", `/v1/jobs/${job.id}/fail`, { token, error: { message: "x" } }), 409, "lease_lost");
    expectError(await server.call("POST", `/v1/jobs/${job.id}/heartbeat`, { token }), 409, "lease_lost");
    expect(await get(job.id)).toMatchObject({ state: "active", errors: [] });
  });

  test("an expired lease is 409 lease_lost even before the reaper recovers the job", async () => {
    const job = await activeJob(server, "work");
    clock.advance(30_001);
    expectError(await server.call("POST", `/v1/jobs/${job.id}/complete`, { token: job.lease.token }), 409, "lease_lost");
    await server.service.reapExpiredLeases();
    const recovered = await get(job.id);
    expect(recovered.state).toBe("delayed");
    expect(recovered.errors.map((e: any) => e.type)).toEqual(["lease_expired"]);
  });
});

describe("a job given back unfinished", () => {
  test("an HTTP worker's failure of type shutdown runs the job again at once and does not use up an attempt", async () => {
    await enqueue(server, "back", { maxAttempts: 1, backoff: { type: "fixed", delayMs: 60_000, jitter: false } });
    const [job] = (await server.call("POST", "/v1/queues/back/claim", { workerId: "w" })).body.jobs;
    const res = await server.call("POST", `/v1/jobs/${job.id}/fail`, { token: job.lease.token, error: { type: "shutdown", message: "worker stopping" } });
    expect(res.body).toMatchObject({ state: "waiting", runAt: new Date(clock.now()).toISOString() });
    const [again] = (await server.call("POST", "/v1/queues/back/claim", { workerId: "w" })).body.jobs;
    expect(again.id).toBe(job.id);
    // Any other failure of this one-attempt job is its last.
    const failed = await server.call("POST", `/v1/jobs/${job.id}/fail`, { token: again.lease.token, error: { type: "Boom", message: "no" } });
    expect(failed.body.state).toBe("failed");
  });
});

describe("finished with the next claim", () => {
  test("a claim's finished list completes and fails the jobs just run, one outcome each, before the new jobs are leased", async () => {
    await server.call("POST", "/v1/queues/fic/jobs/batch", { jobs: Array.from({ length: 6 }, (_, i) => ({ payload: i, maxAttempts: 2 })) });
    const first = (await server.call("POST", "/v1/queues/fic/claim", { workerId: "w", max: 3 })).body.jobs;
    const [a, b, c] = first;
    const res = await server.call("POST", "/v1/queues/fic/claim", {
      workerId: "w", max: 3,
      finished: [
        { id: a.id, token: a.lease.token, result: { ok: 1 } },
        { id: b.id, token: b.lease.token, error: { message: "try again", type: "Flaky" } },
        { id: c.id, token: c.lease.token, error: { message: "no", type: "Bad" }, retry: false },
        { id: a.id, token: "stale-token" },
      ],
    });
    expect(res.status).toBe(200);
    expect(res.body.finished).toEqual([
      { id: a.id, outcome: "completed" },
      { id: b.id, outcome: "retrying" },
      { id: c.id, outcome: "failed" },
      { id: a.id, outcome: "lease_lost" },
    ]);
    expect(res.body.jobs).toHaveLength(3);
    expect(await get(a.id)).toMatchObject({ state: "completed", result: { ok: 1 } });
    expect((await get(c.id)).state).toBe("failed");
    // A token that never held the job is refused for that item alone; the claim still runs.
    const again = await server.call("POST", "/v1/queues/fic/claim", { workerId: "w", max: 1, finished: [{ id: c.id, token: "not-its-token" }] });
    expect(again.body.finished).toEqual([{ id: c.id, outcome: "lease_lost" }]);
    expect(again.body.jobs.length).toBeLessThanOrEqual(1);
    expect((await get(c.id)).state).toBe("failed");
  });

  test("a finished list is applied in the order sent: a failure listed before a completion of the same job wins", async () => {
    await server.call("POST", "/v1/queues/fic3/jobs/batch", { jobs: [{ maxAttempts: 1 }, { maxAttempts: 1 }] });
    const [a, b] = (await server.call("POST", "/v1/queues/fic3/claim", { workerId: "w", max: 2 })).body.jobs;
    const res = await server.call("POST", "/v1/queues/fic3/claim", {
      workerId: "w",
      finished: [
        { id: a.id, token: a.lease.token, error: { message: "gave up", type: "Bad" } },
        { id: a.id, token: a.lease.token, result: "late" },
        { id: b.id, token: b.lease.token, result: "ok" },
        { id: b.id, token: b.lease.token, error: { message: "too late" } },
      ],
    });
    expect(res.body.finished).toEqual([
      { id: a.id, outcome: "failed" },
      { id: a.id, outcome: "lease_lost" },
      { id: b.id, outcome: "completed" },
      { id: b.id, outcome: "lease_lost" },
    ]);
    expect([(await get(a.id)).state, (await get(b.id)).state]).toEqual(["failed", "completed"]);
    // A completion whose result cannot be stored (nested past 100 levels) refuses the whole list, failures listed before it included.
    let deep: unknown = 1;
    for (let i = 0; i < 120; i++) deep = [deep];
    await enqueue(server, "fic3", { maxAttempts: 1 });
    const [c] = (await server.call("POST", "/v1/queues/fic3/claim", { workerId: "w" })).body.jobs;
    const refused = await server.call("POST", "/v1/queues/fic3/claim", {
      workerId: "w",
      finished: [{ id: c.id, token: c.lease.token, error: { message: "x" } }, { id: c.id, token: c.lease.token, result: deep }],
    });
    expect((await get(c.id)).state).toBe("active");
    expect(refused.status).toBe(400);
  });

  test("a claim without finished answers as before, and a malformed item is 400 with nothing done", async () => {
    await enqueue(server, "fic2");
    const [job] = (await server.call("POST", "/v1/queues/fic2/claim", { workerId: "w" })).body.jobs;
    expect((await server.call("POST", "/v1/queues/fic2/claim", { workerId: "w" })).body).toEqual({ jobs: [] });
    const bad = await server.call("POST", "/v1/queues/fic2/claim", { workerId: "w", finished: [{ id: job.id, token: job.lease.token, error: "nope" }] });
    expectError(bad, 400, "validation_failed");
    expect((await get(job.id)).state).toBe("active");
    // The queues a worker says it serves are queue names too.
    expectError(await server.call("POST", "/v1/queues/fic2/claim", { workerId: "w", queues: ["bad name!"] }), 400, "validation_failed");
  });
});

describe("long poll", () => {
  test("a waiting claim is woken by an enqueue from another request, not by the periodic recheck", async () => {
    // On this server a long poll never looks again by itself within the test: an answer at all is the wake-up.
    await server.close();
    server = await startTestServer({ longPollRecheckMs: 600_000 }, clock);
    const pending = claim(server, "poll", { waitMs: 20_000 });
    await waitFor(() => server.service.wakeups.waiting === 1, 5000);
    const job = await enqueue(server, "poll", { payload: "wake" });
    expect((await pending).map((j) => j.id)).toEqual([job.id]);
  });

  test("with nothing to do, a claim answers {jobs: []} after about waitMs", async () => {
    const started = performance.now();
    const res = await server.call("POST", "/v1/queues/idle/claim", { workerId: "w", waitMs: 1200 });
    const elapsed = performance.now() - started;
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ jobs: [] });
    // Not before waitMs (a slow machine can only make it later).
    expect(elapsed).toBeGreaterThanOrEqual(1150);
  });

  test("a long poll of 12 s is not cut by the server's idle timeout", async () => {
    const pending = claim(server, "slow", { waitMs: 12_000 });
    await waitFor(() => server.service.wakeups.waiting === 1, 2000);
    // Real time on purpose: the idle timeout being tested counts real seconds.
    await Bun.sleep(11_000);
    const job = await enqueue(server, "slow");
    expect((await pending).map((j) => j.id)).toEqual([job.id]);
  }, 20_000);

  test("waitMs over 30000 is refused with 400", async () => {
    const error = expectError(await server.call("POST", "/v1/queues/poll/claim", { workerId: "w", waitMs: 30_001 }), 400, "validation_failed");
    expect(detailPaths(error)).toEqual(["waitMs"]);
  });
});
