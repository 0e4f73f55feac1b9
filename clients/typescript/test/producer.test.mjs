/** Producer calls of spool/client against a real server, under Node: enqueue, jobs, waiting over SSE (across a restart), queues, schedules, errors. */
import assert from "node:assert/strict";
import { request } from "node:http";
import { after, before, test } from "node:test";
import { JobFailedError, SpoolApiError, SpoolClient } from "spool/client";
import { startServer } from "./server.mjs";

let server;
let client;

before(async () => {
  server = await startServer();
  client = new SpoolClient({ url: server.url });
});
after(() => server?.close());

test("enqueue sends every option, and an idempotency key gives the same job back", async () => {
  const runAt = new Date(Date.now() + 60_000).toISOString();
  const options = {
    key: "acct-1", priority: 8, maxAttempts: 7, backoff: { type: "fixed", delayMs: 500 }, timeoutMs: 9000, runAt, idempotencyKey: "order-42",
  };
  const job = await client.enqueue("opts", { to: "ada@example.com" }, options);
  assert.equal(job.created, true);
  assert.deepEqual(
    { payload: job.payload, key: job.key, priority: job.priority, maxAttempts: job.maxAttempts, backoff: job.backoff.type, delayMs: job.backoff.delayMs, timeoutMs: job.timeoutMs, idempotencyKey: job.idempotencyKey, state: job.state },
    { payload: { to: "ada@example.com" }, key: "acct-1", priority: 8, maxAttempts: 7, backoff: "fixed", delayMs: 500, timeoutMs: 9000, idempotencyKey: "order-42", state: "delayed" },
  );
  assert.equal(new Date(job.runAt).getTime(), new Date(runAt).getTime());
  const again = await client.enqueue("opts", { to: "someone else" }, { idempotencyKey: "order-42" });
  assert.equal(again.id, job.id);
  assert.equal(again.created, false);
  const delayed = await client.enqueue("opts", null, { delayMs: 30_000 });
  assert.equal(delayed.state, "delayed");
});

test("an idempotency key may be any text, and matches a job enqueued in a batch with it", async () => {
  const idempotencyKey = "commande-é-✓-注文";
  const first = await client.enqueue("any-key", { n: 1 }, { idempotencyKey });
  assert.equal(first.idempotencyKey, idempotencyKey);
  const again = await client.enqueue("any-key", { n: 2 }, { idempotencyKey });
  assert.deepEqual([again.id, again.created], [first.id, false]);
  const [batched] = await client.enqueueBatch("any-key", [{ payload: { n: 3 }, idempotencyKey }]);
  assert.equal(batched.id, first.id);
});

test("enqueueBatch, getJob, listJobs, cancel, retry and deleteJob", async () => {
  const jobs = await client.enqueueBatch("batch", [{ payload: 1, key: "k" }, { payload: 2, key: "k" }, { payload: 3 }]);
  assert.deepEqual(jobs.map((j) => j.state), ["waiting", "blocked", "waiting"]);
  assert.equal((await client.getJob(jobs[1].id)).payload, 2);
  const page = await client.listJobs({ queue: "batch", key: "k", limit: 1 });
  assert.equal(page.jobs.length, 1);
  assert.ok(page.nextCursor);
  const rest = await client.listJobs({ queue: "batch", key: "k", cursor: page.nextCursor });
  assert.deepEqual([...page.jobs, ...rest.jobs].map((j) => j.id).sort(), [jobs[0].id, jobs[1].id].sort());
  assert.equal((await client.listJobs({ queue: "batch", state: "blocked" })).jobs[0].id, jobs[1].id);
  const cancelled = await client.cancel(jobs[2].id);
  assert.equal(cancelled.state, "cancelled");
  const retried = await client.retry(jobs[2].id, { resetCheckpoint: true });
  assert.equal(retried.state, "waiting");
  await client.cancel(jobs[2].id);
  await client.deleteJob(jobs[2].id);
  await assert.rejects(client.getJob(jobs[2].id), (err) => err instanceof SpoolApiError && err.status === 404 && err.code === "not_found");
});

test("a refusal is a SpoolApiError with the API's code, status and details", async () => {
  const err = await client.enqueue("bad", {}, { priority: 11 }).catch((e) => e);
  assert.ok(err instanceof SpoolApiError);
  assert.equal(err.status, 400);
  assert.equal(err.code, "validation_failed");
  assert.ok(err.details.length > 0);
  const conflict = await client.retry((await client.enqueue("bad", {})).id).catch((e) => e);
  assert.equal(conflict.code, "conflict");
  assert.equal(conflict.status, 409);
});

test("queues: put, pause, resume, get and list", async () => {
  const config = await client.putQueue("configured", { concurrency: 3, retryPolicy: { noRetry: ["Fatal"] }, laneOnFailure: "block" });
  assert.equal(config.concurrency, 3);
  assert.equal((await client.pauseQueue("configured")).paused, true);
  assert.equal((await client.getQueue("configured")).paused, true);
  assert.equal((await client.resumeQueue("configured")).paused, false);
  const queue = await client.getQueue("configured");
  assert.deepEqual(queue.retryPolicy.noRetry, ["Fatal"]);
  assert.equal(queue.laneOnFailure, "block");
  assert.ok((await client.listQueues()).some((q) => q.name === "configured"));
});

test("schedules: create, get, put, pause, resume, trigger, list and delete; stats and health", async () => {
  const created = await client.createSchedule({ name: "nightly", cron: "0 4 * * *", timezone: "Europe/Paris", queue: "exports", payload: { full: true } });
  assert.equal(created.timezone, "Europe/Paris");
  assert.equal((await client.getSchedule("nightly", { preview: 3 })).preview.length, 3);
  assert.equal((await client.putSchedule("nightly", { every: "1h", cron: null })).every, "1h");
  assert.equal((await client.pauseSchedule("nightly")).enabled, false);
  assert.equal((await client.resumeSchedule("nightly")).enabled, true);
  const fired = await client.triggerSchedule("nightly");
  assert.deepEqual({ queue: fired.queue, payload: fired.payload }, { queue: "exports", payload: { full: true } });
  assert.ok((await client.listSchedules()).some((s) => s.name === "nightly"));
  await client.deleteSchedule("nightly");
  await assert.rejects(client.getSchedule("nightly"), (err) => err.code === "not_found");
  assert.equal(typeof (await client.stats()).counts.waiting, "number");
  assert.equal((await client.health()).status, "healthy");
});

/**
 * Claims the next job of `queue` and finishes it over plain HTTP, as a worker in another language
 * would: each request on a connection of its own, since one kept alive from before a server's
 * restart is dead (Node's fetch would send the claim down it and fail).
 */
async function runOne(queue, finish) {
  const post = (path, body) =>
    new Promise((resolve, reject) => {
      const req = request(server.url + path, { method: "POST", agent: false, headers: { "content-type": "application/json" } }, (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (chunk) => (text += chunk));
        res.on("end", () => resolve(JSON.parse(text)));
      });
      req.on("error", reject);
      req.end(JSON.stringify(body));
    });
  const { jobs } = await post(`/v1/queues/${queue}/claim`, { workerId: "plain-http", waitMs: 5000 });
  const [job] = jobs;
  await post(`/v1/jobs/${job.id}/${finish.error ? "fail" : "complete"}`, { token: job.lease.token, ...finish });
  return job;
}

test("waitForResult answers a finished job at once, and throws JobFailedError for a failed one", async () => {
  const job = await client.enqueue("wait", { n: 1 });
  await runOne("wait", { result: { doubled: 2 } });
  assert.deepEqual(await client.waitForResult(job.id, { timeoutMs: 2000 }), { doubled: 2 });
  const failing = await client.enqueue("wait", { n: 2 }, { maxAttempts: 1 });
  const waiting = client.waitForResult(failing.id);
  await runOne("wait", { error: { message: "no such account", type: "NotFound" } });
  const err = await waiting.catch((e) => e);
  assert.ok(err instanceof JobFailedError);
  assert.equal(err.job.state, "failed");
  assert.equal(err.job.errors[0].type, "NotFound");
  await assert.rejects(client.waitForJob((await client.enqueue("wait", {}, { delayMs: 60_000 })).id, { timeoutMs: 200 }), { name: "TimeoutError" });
});

test("waitForResult keeps waiting across a server restart and answers once the job completes", async () => {
  const job = await client.enqueue("restart", { n: 1 });
  const waiting = client.waitForResult(job.id, { timeoutMs: 20_000 });
  // Connected to the event stream (the server is following it) before the restart.
  await new Promise((r) => setTimeout(r, 300));
  const { dataDir, port } = server;
  await server.stop("SIGKILL");
  await new Promise((r) => setTimeout(r, 500));
  server = await startServer({ dataDir, port });
  await runOne("restart", { result: { after: "restart" } });
  assert.deepEqual(await waiting, { after: "restart" });
});
