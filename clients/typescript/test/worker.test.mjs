/**
 * client.work against a real server, under Node: lanes, retries by error type, checkpoints,
 * cancel and timeout reaching the handler, finish-in-claim batching, a resent completion, a
 * killed worker process's lease recovered, graceful stop (by call, SIGTERM and an operator).
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { hostname } from "node:os";
import { dirname, join } from "node:path";
import { after, before, test } from "node:test";
import { fileURLToPath } from "node:url";
import { JobFailure, SpoolClient } from "spool/client";
import { deferred, startServer, until } from "./server.mjs";

let server;
let client;
const workers = [];

before(async () => {
  server = await startServer();
  client = new SpoolClient({ url: server.url });
});
after(async () => {
  await Promise.all(workers.map((w) => w.stop(0)));
  await server?.close();
});

/** A worker that the suite stops at the end whatever happens. */
function work(queue, handler, options = {}) {
  const worker = client.work(queue, handler, { leaseMs: 3000, handleSignals: false, ...options });
  workers.push(worker);
  return worker;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

test("jobs of one lane run one at a time in enqueue order while other lanes run beside them", async () => {
  const jobs = await client.enqueueBatch(
    "lanes",
    Array.from({ length: 12 }, (_, i) => ({ payload: { lane: `k${i % 3}`, n: i }, key: `k${i % 3}`, priority: i % 2 ? 10 : 0 })),
  );
  const busy = new Set();
  const order = { k0: [], k1: [], k2: [] };
  let overlapAcrossLanes = false;
  const worker = work("lanes", async ({ payload }) => {
    assert.ok(!busy.has(payload.lane), `lane ${payload.lane} runs two jobs at once`);
    busy.add(payload.lane);
    overlapAcrossLanes ||= busy.size > 1;
    await sleep(20);
    order[payload.lane].push(payload.n);
    busy.delete(payload.lane);
    return payload.n;
  }, { concurrency: 6 });
  for (const job of jobs) assert.equal(await client.waitForResult(job.id, { timeoutMs: 10_000 }), job.payload.n);
  await worker.stop();
  assert.deepEqual(order, { k0: [0, 3, 6, 9], k1: [1, 4, 7, 10], k2: [2, 5, 8, 11] });
  assert.ok(overlapAcrossLanes);
});

test("a thrown error's type decides the retry: err.type or the class name, retry hints passed on", async () => {
  await client.putQueue("typed", { retryPolicy: { noRetry: ["Fatal"] } });
  class Fatal extends Error {}
  const flaky = await client.enqueue("typed", { kind: "flaky" }, { maxAttempts: 3, backoff: { type: "fixed", delayMs: 10 } });
  const fatal = await client.enqueue("typed", { kind: "fatal" }, { maxAttempts: 3 });
  const hinted = await client.enqueue("typed", { kind: "hinted" }, { maxAttempts: 5 });
  const hintedRetry = await client.enqueue("typed", { kind: "retry-later" }, { maxAttempts: 5 });
  const worker = work("typed", async (job) => {
    if (job.payload.kind === "flaky" && job.attempts < 3) throw Object.assign(new Error("try again"), { type: "Transient" });
    if (job.payload.kind === "fatal") throw new Fatal("no way");
    if (job.payload.kind === "hinted") throw new JobFailure("give up", { type: "Declined", retry: false });
    if (job.payload.kind === "retry-later" && job.attempts === 1) throw new JobFailure("later", { type: "Busy", retryInMs: 50 });
    return "ok";
  }, { concurrency: 2 });
  assert.equal(await client.waitForResult(flaky.id, { timeoutMs: 10_000 }), "ok");
  assert.deepEqual((await client.getJob(flaky.id)).errors.map((e) => e.type), ["Transient", "Transient"]);
  const failed = await client.waitForJob(fatal.id, { timeoutMs: 10_000 });
  assert.deepEqual({ state: failed.state, attempts: failed.attempts, types: failed.errors.map((e) => e.type) }, { state: "failed", attempts: 1, types: ["Fatal"] });
  const declined = await client.waitForJob(hinted.id, { timeoutMs: 10_000 });
  assert.deepEqual({ state: declined.state, attempts: declined.attempts, type: declined.errors[0].type }, { state: "failed", attempts: 1, type: "Declined" });
  assert.ok(declined.errors[0].stack.includes("worker.test.mjs"));
  assert.equal(await client.waitForResult(hintedRetry.id, { timeoutMs: 10_000 }), "ok");
  await worker.stop();
});

test("the checkpoint saved by one attempt is handed to the next, with progress stored on the way", async () => {
  const job = await client.enqueue("resume", { items: 5 }, { maxAttempts: 2, backoff: { type: "fixed", delayMs: 10 } });
  const seen = [];
  const worker = work("resume", async (job, ctx) => {
    seen.push(job.checkpoint ?? null);
    const start = job.checkpoint?.done ?? 0;
    for (let i = start; i < job.payload.items; i++) {
      if (job.attempts === 1 && i === 3) throw new Error("crashed half way");
      await ctx.progress({ current: i + 1, total: job.payload.items, message: `item ${i}` });
      await ctx.checkpoint({ done: i + 1 });
    }
    return { resumedFrom: start };
  });
  assert.deepEqual(await client.waitForResult(job.id, { timeoutMs: 10_000 }), { resumedFrom: 3 });
  assert.deepEqual(seen, [null, { done: 3 }]);
  const done = await client.getJob(job.id);
  assert.deepEqual(done.progress, { current: 5, total: 5, message: "item 4" });
  await worker.stop();
});

test("a worker that could run no job is refused at once", () => {
  for (const concurrency of [0, -1, 1.5]) {
    assert.throws(() => client.work("never", async () => {}, { concurrency, handleSignals: false }), /concurrency must be a whole number of at least 1/);
  }
});

test("a heartbeat more often than every 100 ms is refused at once: it would flood the server for as long as a job runs", () => {
  for (const heartbeatMs of [0, 50, -1, Number.NaN]) {
    assert.throws(() => client.work("never", async () => {}, { heartbeatMs, handleSignals: false }), /heartbeatMs must be at least 100/);
  }
});

test("a worker names this machine as its host unless told another", async () => {
  const named = work("hosted-1", async () => {}, { workerId: "hosted-1" });
  const told = work("hosted-2", async () => {}, { workerId: "hosted-2", host: "box-7" });
  const hostOf = async (id) => (await (await fetch(`${server.url}/v1/workers`)).json()).workers.find((w) => w.id === id)?.host;
  await until(async () => (await hostOf("hosted-1")) !== undefined && (await hostOf("hosted-2")) !== undefined, 10_000);
  assert.equal(await hostOf("hosted-1"), hostname());
  assert.equal(await hostOf("hosted-2"), "box-7");
  await Promise.all([named.stop(0), told.stop(0)]);
});

test("a progress or checkpoint the server refuses is dropped: later heartbeats keep the lease and the job completes", async () => {
  const job = await client.enqueue("refused-progress", {});
  const refusals = [];
  const worker = work("refused-progress", async (_job, ctx) => {
    await ctx.progress(150).catch((err) => refusals.push(err.status));
    await ctx.checkpoint("x".repeat(1_100_000)).catch((err) => refusals.push(err.status));
    // Longer than the lease: only heartbeats the server accepts keep it.
    await sleep(4000);
    return "done";
  }, { leaseMs: 1500 });
  assert.equal(await client.waitForResult(job.id, { timeoutMs: 15_000 }), "done");
  assert.deepEqual(refusals, [400, 413]);
  assert.equal((await client.getJob(job.id)).attempts, 1);
  await worker.stop();
});

test("cancelling a running job aborts the handler's signal (heartbeat answer), and a timeout aborts it too", async () => {
  const started = deferred();
  const job = await client.enqueue("cancel", {});
  const timed = await client.enqueue("cancel", { slow: true }, { timeoutMs: 400, maxAttempts: 1 });
  const reasons = {};
  const worker = work("cancel", async (job, ctx) => {
    if (!job.payload.slow) started.resolve();
    await new Promise((resolve) => ctx.signal.addEventListener("abort", resolve));
    reasons[job.id] = ctx.signal.reason.type;
    throw ctx.signal.reason;
  }, { concurrency: 2, leaseMs: 1500 });
  await started.promise;
  assert.equal((await client.cancel(job.id)).state, "active");
  const cancelled = await client.waitForJob(job.id, { timeoutMs: 5000 });
  assert.equal(cancelled.state, "cancelled");
  const timedOut = await client.waitForJob(timed.id, { timeoutMs: 5000 });
  assert.deepEqual({ state: timedOut.state, type: timedOut.errors[0].type }, { state: "failed", type: "timeout" });
  assert.deepEqual(reasons, { [job.id]: "cancelled", [timed.id]: "timeout" });
  await worker.stop();
});

test("a handler that first looks at its signal after its timeout passed finds it aborted, with the reason", async () => {
  const job = await client.enqueue("late-signal", {}, { timeoutMs: 200, maxAttempts: 1 });
  const seen = deferred();
  const worker = work("late-signal", async (_job, ctx) => {
    await sleep(500);
    seen.resolve({ aborted: ctx.signal.aborted, type: ctx.signal.reason?.type });
  });
  assert.deepEqual(await seen.promise, { aborted: true, type: "timeout" });
  assert.equal((await client.waitForJob(job.id, { timeoutMs: 5000 })).state, "failed");
  await worker.stop();
});

test("a busy worker reports finished jobs inside its next claim, and resends an outcome whose answer was lost", async () => {
  const calls = { claimsCarrying: 0, carried: 0, completes: 0 };
  let dropNextComplete = true;
  const counting = async (url, init) => {
    const path = new URL(url).pathname;
    const body = init?.body ? JSON.parse(init.body) : {};
    if (path.endsWith("/claim") && body.finished) (calls.claimsCarrying++, (calls.carried += body.finished.length));
    const res = await fetch(url, init);
    if (path.endsWith("/complete")) {
      calls.completes++;
      // The server completed the job but its answer never arrives: the worker must send it again.
      if (dropNextComplete) {
        dropNextComplete = false;
        await res.text();
        throw new TypeError("fetch failed: socket closed");
      }
    }
    return res;
  };
  const counted = new SpoolClient({ url: server.url, fetch: counting });
  const jobs = await client.enqueueBatch("batched", Array.from({ length: 200 }, (_, i) => ({ payload: i })));
  // A result larger than a claim carries is completed on its own: the answer of that call is dropped once.
  const big = await client.enqueue("batched", "big");
  const worker = counted.work("batched", (job) => (job.payload === "big" ? "x".repeat(20_000) : job.payload * 2), { concurrency: 10, handleSignals: false, leaseMs: 3000 });
  workers.push(worker);
  for (const job of jobs) assert.equal(await client.waitForResult(job.id, { timeoutMs: 10_000 }), job.payload * 2);
  assert.equal((await client.waitForResult(big.id, { timeoutMs: 10_000 })).length, 20_000);
  await worker.stop();
  assert.equal(calls.completes, 2);
  assert.ok(calls.carried >= 150, `only ${calls.carried} of 200 outcomes rode with a claim`);
  assert.ok(calls.claimsCarrying < 100, `${calls.claimsCarrying} claims for 200 jobs`);
  assert.equal((await client.getJob(big.id)).attempts, 1);
});

const here = dirname(fileURLToPath(import.meta.url));

/** Starts test/worker-process.mjs; `started` resolves with the first job id it prints. */
function spawnWorker(queue, mode) {
  const proc = spawn(process.execPath, [join(here, "worker-process.mjs"), server.url, queue, mode], { stdio: ["ignore", "pipe", "inherit"] });
  let output = "";
  const started = new Promise((resolve) => proc.stdout.on("data", (d) => {
    output += d;
    const match = output.match(/started (\S+)/);
    if (match) resolve(match[1]);
  }));
  const exited = new Promise((resolve) => proc.on("exit", (code, signal) => resolve({ code, signal, output })));
  return { proc, started, exited };
}

test("the lease of a job whose worker process was killed (SIGKILL) is recovered and the job runs again elsewhere", async () => {
  const job = await client.enqueue("killed", { n: 1 });
  const child = spawnWorker("killed", "hang");
  assert.equal(await child.started, job.id);
  child.proc.kill("SIGKILL");
  await child.exited;
  const worker = work("killed", (job) => ({ attempt: job.attempts }));
  assert.deepEqual(await client.waitForResult(job.id, { timeoutMs: 15_000 }), { attempt: 2 });
  assert.equal((await client.getJob(job.id)).errors[0].type, "lease_expired");
  await worker.stop();
});

test("SIGTERM stops a worker process gracefully: the running job completes, nothing new is claimed", async () => {
  const first = await client.enqueue("sigterm", 1);
  const child = spawnWorker("sigterm", "slow");
  assert.equal(await child.started, first.id);
  const second = await client.enqueue("sigterm", 2, { delayMs: 1500 });
  child.proc.kill("SIGTERM");
  const { code, output } = await child.exited;
  assert.equal(code, 0);
  assert.match(output, /stopped/);
  const done = await client.getJob(first.id);
  assert.deepEqual({ state: done.state, attempts: done.attempts, errors: done.errors }, { state: "completed", attempts: 1, errors: [] });
  assert.equal((await client.getJob(second.id)).attempts, 0);
});

test("stop lets running handlers finish and loses nothing; past the grace period a job is given back and runs again", async () => {
  const jobs = await client.enqueueBatch("graceful", Array.from({ length: 30 }, (_, i) => ({ payload: i })));
  let ran = 0;
  const first = work("graceful", async (job) => (await sleep(30), ran++, job.payload), { concurrency: 5 });
  await until(() => ran >= 8, 10_000, "some jobs to run");
  await first.stop(10_000);
  assert.equal(first.active, 0);
  const second = work("graceful", (job) => job.payload, { concurrency: 5 });
  for (const job of jobs) {
    const done = await client.waitForJob(job.id, { timeoutMs: 10_000 });
    assert.deepEqual({ state: done.state, attempts: done.attempts, errors: done.errors.length }, { state: "completed", attempts: 1, errors: 0 });
  }
  await second.stop();

  const long = await client.enqueue("graceful-release", {});
  const started = deferred();
  let aborted = null;
  const third = work("graceful-release", async (job, ctx) => {
    if (job.attempts > 1) return "second attempt";
    started.resolve();
    await new Promise((resolve) => ctx.signal.addEventListener("abort", resolve));
    aborted = ctx.signal.reason.type;
    await sleep(5_000);
  });
  await started.promise;
  await third.stop(100);
  assert.equal(aborted, "shutdown");
  const given = await client.getJob(long.id);
  assert.deepEqual({ state: given.state, type: given.errors[0].type }, { state: "waiting", type: "shutdown" });
  const fourth = work("graceful-release", (job) => (job.attempts > 1 ? "second attempt" : "first"));
  assert.equal(await client.waitForResult(long.id, { timeoutMs: 10_000 }), "second attempt");
  await fourth.stop();
});

test("an operator's shutdown reaches the worker in its claim answer and stops it", async () => {
  const worker = work("operated", () => null, { waitMs: 200 });
  await until(async () => (await fetch(`${server.url}/v1/workers`).then((r) => r.json())).workers.some((w) => w.id === worker.id), 5000, "the worker to be seen");
  const res = await fetch(`${server.url}/v1/workers/${encodeURIComponent(worker.id)}/shutdown`, { method: "POST" });
  assert.equal(res.status, 200);
  await worker.done;
});
