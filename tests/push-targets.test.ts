/** Push targets against a real receiver on loopback: signed deliveries, 2xx/4xx/5xx/slow answers, per-target concurrency. */
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import type { Server } from "bun";
import { join } from "node:path";
import { TestClock } from "../src/core/clock.ts";
import { defaultQueueConfig } from "../src/core/queue-config.ts";
import { SqliteStore } from "../src/store/sqlite/sqlite-store.ts";
import { verifySignature } from "../src/workers/push-signature.ts";
import { startTestServer, tempDir, type TestServer } from "./helpers/server.ts";
import { waitFor } from "./helpers/wait.ts";

type Delivery = { queue: string; jobId: string; attempt: string | null; signed: boolean; body: any; headers: Headers };

let server: TestServer | null;
let clock: TestClock;
let receiver: Server<undefined>;
let deliveries: Delivery[];
/** What the receiver answers; each test sets it. */
let answer: (d: Delivery) => Response | Promise<Response>;
const secrets = new Map<string, string>();

beforeEach(async () => {
  clock = new TestClock(Date.now());
  server = null;
  deliveries = [];
  answer = () => Response.json({ ok: true });
  receiver = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    async fetch(req) {
      const queue = new URL(req.url).pathname.slice(1);
      const raw = await req.text();
      const secret = secrets.get(queue) ?? "";
      const signed = verifySignature({ header: req.headers.get("spool-signature"), body: raw, secret, nowS: Math.floor(clock.now() / 1000) });
      const d = { queue, jobId: req.headers.get("spool-job-id")!, attempt: req.headers.get("spool-attempt"), signed, body: JSON.parse(raw), headers: req.headers };
      deliveries.push(d);
      return signed ? answer(d) : new Response("bad signature", { status: 401 });
    },
  });
});

afterEach(async () => {
  await server?.close();
  receiver.stop(true);
  secrets.clear();
});

/** Starts spool with these queues' targets already set at the receiver (delivered from the first scan on). */
async function startWith(targets: Record<string, Record<string, unknown>>) {
  const dataDir = tempDir();
  const store = new SqliteStore({ path: join(dataDir, "spool.db") });
  for (const [queue, extra] of Object.entries(targets)) {
    const { name: _n, paused: _p, ...settings } = defaultQueueConfig(queue);
    await store.queuePut({ queue, settings: { ...settings, target: { url: `${receiver.url}${queue}`, ...extra } }, now: clock.now() });
  }
  await store.close();
  server = await startTestServer({ dataDir }, clock);
  for (const queue of Object.keys(targets)) secrets.set(queue, (await api("GET", `/v1/queues/${queue}/target/secret`)).body.secret);
}

/** Sets a queue's target through the API on a running spool and waits until it delivers it (its push worker is registered). */
async function target(queue: string, extra: Record<string, unknown> = {}) {
  server ??= await startTestServer({}, clock);
  const put = await api("PUT", `/v1/queues/${queue}`, { target: { url: `${receiver.url}${queue}`, ...extra } });
  expect(put.status).toBe(200);
  const secret = await api("GET", `/v1/queues/${queue}/target/secret`);
  expect(secret.status).toBe(200);
  secrets.set(queue, secret.body.secret);
  await waitFor(async () => {
    const workers = (await api("GET", "/v1/workers")).body.workers;
    return workers.some((w: any) => w.kind === "push" && w.queues.includes(queue));
  }, 5000, `the push worker of ${queue}`);
}

async function enqueue(queue: string, body: Record<string, unknown> = {}) {
  return (await api("POST", `/v1/queues/${queue}/jobs`, { payload: { n: 1 }, ...body })).body as { id: string };
}

const api = (...args: Parameters<TestServer["call"]>) => server!.call(...args);

const job = async (id: string) => (await api("GET", `/v1/jobs/${id}`)).body;

async function jobIn(id: string, states: string[]) {
  await waitFor(async () => states.includes((await job(id)).state), 5000, `job ${id} to be ${states.join("/")}`);
  return job(id);
}

describe("deliveries", () => {
  test("a 2xx completes: the job is POSTed as JSON, signed, with the target's headers; the JSON answer becomes the result", async () => {
    await startWith({ hooks: { headers: { "x-api-key": "k-123" } } });
    answer = (d) => Response.json({ received: d.body.payload });
    const { id } = await enqueue("hooks", { payload: { order: 7 } });
    expect(await jobIn(id, ["completed"])).toMatchObject({ result: { received: { order: 7 } } });
    expect(deliveries).toHaveLength(1);
    const d = deliveries[0]!;
    expect(d).toMatchObject({ signed: true, jobId: id, attempt: "1" });
    expect(d.body).toMatchObject({ id, queue: "hooks", payload: { order: 7 }, state: "active", attempts: 1 });
    expect(d.body).not.toHaveProperty("leaseToken");
    expect(d.headers.get("x-api-key")).toBe("k-123");
    expect(d.headers.get("content-type")).toBe("application/json");
  });

  test("a 2xx whose JSON spool cannot store (1e309, nesting past the bound) completes with the answer as text", async () => {
    await startWith({ hooks: {} });
    const body = '{"total":1e309}';
    answer = () => new Response(body, { headers: { "content-type": "application/json" } });
    const { id } = await enqueue("hooks");
    expect(await jobIn(id, ["completed"])).toMatchObject({ result: body });
  });

  test("spool's own headers replace a stored target's of any case, never sit beside them; a target's User-Agent is kept", async () => {
    // Stored straight into the store, as an older spool could have: the API now refuses these names.
    await startWith({ hooks: { headers: { "Content-Type": "text/plain", "Spool-Job-Id": "x", "User-Agent": "my-app/1.0" } } });
    const { id } = await enqueue("hooks");
    await jobIn(id, ["completed"]);
    const h = deliveries[0]!.headers;
    expect([h.get("content-type"), h.get("spool-job-id"), h.get("user-agent")]).toEqual(["application/json", id, "my-app/1.0"]);
  });

  test("a target's headers must be header names that spool does not set itself, with values of one line of Latin-1", async () => {
    server = await startTestServer({}, clock);
    const put = (headers: Record<string, string>) => api("PUT", "/v1/queues/hooks", { target: { url: `${receiver.url}hooks`, headers } });
    const refused: Record<string, string>[] = [
      { "bad header": "v" }, { "x-ok": "a\r\nInjected: yes" }, { "content-type": "text/plain" }, { "Spool-Signature": "x" }, { Host: "elsewhere" },
      // Header values go out as bytes, one per character: past U+00FF there is no byte to send (every delivery would fail).
      { "X-Api-Key": "…" }, { "X-Note": "✓" }, { "X-Bell": "\u0007" },
    ];
    for (const headers of refused) {
      const res = await put(headers);
      expect({ headers, status: res.status, code: res.body.error?.code }).toEqual({ headers, status: 400, code: "validation_failed" });
    }
    // Each refusal says why, not only that a key was refused.
    expect((await put({ "bad header": "v" })).body.error.details[0].message).toMatch(/^key must be a header name/);
    expect((await put({ "Content-Type": "text/plain" })).body.error.details[0].message).toBe("key is set by spool on every delivery");
    expect((await api("GET", "/v1/queues/hooks")).body.target).toBeNull();
    expect((await put({ "X-Api-Key": "k", "User-Agent": "mine/2", "X-Latin": "café\tß" })).status).toBe(200);
  });

  test("an answer is read up to 1 MiB: a longer one is cut and kept as clipped text, JSON or not", async () => {
    await startWith({ hooks: {} });
    const huge = JSON.stringify({ blob: "x".repeat(3 * 1024 * 1024) });
    answer = () => new Response(huge, { headers: { "content-type": "application/json" } });
    const { id } = await enqueue("hooks");
    const done = await jobIn(id, ["completed"]);
    expect(typeof done.result).toBe("string");
    expect(done.result.length).toBe(64 * 1024);
    expect(done.result).toStartWith('{"blob":"xxx');
  });

  test("a 4xx other than 408/429 fails for good, whatever the attempts left", async () => {
    await startWith({ hooks: {} });
    answer = () => new Response("unknown customer", { status: 422 });
    const { id } = await enqueue("hooks", { maxAttempts: 5 });
    const failed = await jobIn(id, ["failed"]);
    expect(failed.attempts).toBe(1);
    expect(failed.errors[0]).toMatchObject({ type: "http_422" });
    expect(failed.errors[0].message).toContain("unknown customer");
  });

  test("a 5xx fails under the retry policy and Retry-After sets when it runs again", async () => {
    await startWith({ hooks: {} });
    answer = () => new Response("busy", { status: 503, headers: { "retry-after": "7" } });
    const { id } = await enqueue("hooks", { maxAttempts: 5 });
    const delayed = await jobIn(id, ["delayed"]);
    expect(delayed.errors[0]).toMatchObject({ type: "http_503", attempt: 1 });
    expect(Date.parse(delayed.runAt)).toBe(clock.now() + 7000);
    // Once due, it is delivered again and this time completes.
    answer = () => new Response(null, { status: 204 });
    clock.advance(7000);
    expect(await jobIn(id, ["completed"])).toMatchObject({ attempts: 2, result: null });
  });

  test("408 and 429 are retried like server errors", async () => {
    await startWith({ hooks: {} });
    answer = (d) => new Response("slow down", { status: d.body.payload.n === 1 ? 429 : 408 });
    const a = await enqueue("hooks", { payload: { n: 1 } });
    const b = await enqueue("hooks", { payload: { n: 2 } });
    expect((await jobIn(a.id, ["delayed"])).errors[0].type).toBe("http_429");
    expect((await jobIn(b.id, ["delayed"])).errors[0].type).toBe("http_408");
  });

  test("a target slower than its timeoutMs fails the attempt as timeout", async () => {
    await startWith({ hooks: { timeoutMs: 200 } });
    answer = () => new Promise((resolve) => setTimeout(() => resolve(Response.json({ late: true })), 3000));
    const { id } = await enqueue("hooks", { maxAttempts: 3 });
    const delayed = await jobIn(id, ["delayed"]);
    expect(delayed.errors[0]).toMatchObject({ type: "timeout" });
    expect(delayed.result).toBeNull();
  });

  test("cancelling a job while its target has not answered ends the delivery: the job is cancelled, not completed later", async () => {
    await startWith({ hooks: { timeoutMs: 60_000 } });
    let answered = false;
    answer = () => new Promise((resolve) => setTimeout(() => ((answered = true), resolve(Response.json({ late: true }))), 8000));
    const { id } = await enqueue("hooks", { maxAttempts: 3 });
    await waitFor(() => deliveries.length === 1, 5000, "the delivery to start");
    expect((await api("POST", `/v1/jobs/${id}/cancel`)).body).toMatchObject({ state: "active", cancelRequested: true });
    const done = await jobIn(id, ["cancelled", "completed"]);
    expect(done).toMatchObject({ state: "cancelled", result: null });
    expect(done.errors.at(-1)).toMatchObject({ type: "cancelled" });
    expect(answered).toBe(false);
  }, 20_000);

  test("a job cancelled with force while its target has not answered closes the request, freeing the target's slot within seconds", async () => {
    await startWith({ forced: { timeoutMs: 60_000, concurrency: 1 } });
    answer = (d) => (d.body.payload.slow ? new Promise((resolve) => setTimeout(() => resolve(Response.json({ late: true })), 15_000)) : Response.json({ ok: true }));
    const { id } = await enqueue("forced", { payload: { slow: true } });
    await waitFor(() => deliveries.length === 1, 5000, "the delivery to start");
    expect((await api("POST", `/v1/jobs/${id}/cancel?force=true`)).body).toMatchObject({ state: "cancelled" });
    const quick = await enqueue("forced", { payload: { slow: false } });
    // The one slot comes free once the forced cancel is noticed (looked at once a second), long before the slow answer.
    expect(await jobIn(quick.id, ["completed"])).toMatchObject({ state: "completed", result: { ok: true } });
    expect((await job(id)).state).toBe("cancelled");
  }, 20_000);

  test("an unreachable target fails the attempt under the retry policy", async () => {
    const closed = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response() });
    const url = `${closed.url}gone`;
    closed.stop(true);
    await startWith({ gone: { url } });
    const { id } = await enqueue("gone");
    expect((await jobIn(id, ["delayed"])).errors[0]).toMatchObject({ type: "connection_failed" });
  });
});

describe("concurrency", () => {
  /**
   * The receiver holds the answers to `queue` until release(): `open` is how many it holds now,
   * `most` the most it held at once; other queues are answered at once.
   */
  function holdAnswers(queue: string) {
    const held = { open: 0, most: 0, release: () => {} };
    const released = new Promise<void>((resolve) => (held.release = resolve));
    answer = async (d) => {
      if (d.queue !== queue) return Response.json({ [d.queue]: true });
      held.most = Math.max(held.most, ++held.open);
      await released;
      held.open--;
      return Response.json({ [queue]: true });
    };
    return held;
  }

  test("at most target.concurrency deliveries at once, and a slow target never holds up another queue", async () => {
    await startWith({ slow: { concurrency: 2 }, fast: {} });
    const held = holdAnswers("slow");
    const slow = await Promise.all(Array.from({ length: 5 }, () => enqueue("slow")));
    await waitFor(() => held.open === 2, 5000, "two slow deliveries in flight");
    const fast = await Promise.all(Array.from({ length: 5 }, () => enqueue("fast")));
    for (const { id } of fast) await jobIn(id, ["completed"]);
    expect(held.open).toBe(2);
    held.release();
    for (const { id } of slow) await jobIn(id, ["completed"]);
    expect(held.most).toBe(2);
  });

  test("a target's concurrency raised while its every slot is busy takes effect at once, not when a delivery ends", async () => {
    await target("raise", { concurrency: 1, timeoutMs: 30_000 });
    answer = (d) => (d.body.payload.slow ? new Promise((resolve) => setTimeout(() => resolve(Response.json({ late: true })), 10_000)) : Response.json({ ok: true }));
    const slow = await enqueue("raise", { payload: { slow: true } });
    await waitFor(() => deliveries.length === 1, 5000, "the slow delivery to start");
    expect((await api("PUT", "/v1/queues/raise", { target: { url: `${receiver.url}raise`, concurrency: 5, timeoutMs: 30_000 } })).status).toBe(200);
    const quick = await enqueue("raise", { payload: { slow: false } });
    expect((await jobIn(quick.id, ["completed"])).state).toBe("completed");
    expect((await job(slow.id)).state).toBe("active");
  }, 20_000);

  test("a target removed and set again while deliveries are in flight still never has more than its concurrency at once", async () => {
    await target("slow", { concurrency: 2 });
    const held = holdAnswers("slow");
    const jobs = await Promise.all(Array.from({ length: 6 }, () => enqueue("slow")));
    await waitFor(() => held.open === 2, 5000, "two deliveries in flight");
    expect((await api("PUT", "/v1/queues/slow", { target: null })).status).toBe(200);
    // A scan (one a second) sees the target gone before it is set again.
    await Bun.sleep(1500);
    expect((await api("PUT", "/v1/queues/slow", { target: { url: `${receiver.url}slow`, concurrency: 2 } })).status).toBe(200);
    // Several scans of the targets (one a second) pass while the first two are held.
    await Bun.sleep(2500);
    expect(held.open).toBe(2);
    held.release();
    for (const { id } of jobs) await jobIn(id, ["completed"]);
    expect(held.most).toBe(2);
  }, 30_000);
});

describe("targets and secrets", () => {
  test("a target set through the API is picked up; the push dispatcher is listed as a worker with its counts", async () => {
    await target("hooks", { concurrency: 4 });
    answer = (d) => (d.body.payload.n === 2 ? new Response("no", { status: 400 }) : Response.json({}));
    const ids = [(await enqueue("hooks", { payload: { n: 1 } })).id, (await enqueue("hooks", { payload: { n: 2 } })).id];
    for (const id of ids) await jobIn(id, ["completed", "failed"]);
    const worker = (await api("GET", "/v1/workers")).body.workers.find((w: any) => w.kind === "push");
    expect(worker).toMatchObject({ queues: ["hooks"], concurrency: 4, processed: 1, failed: 1, online: true });
    expect(worker.name).toContain("hooks");
  });

  test("a push worker cannot be asked to shut down (409 saying how to stop deliveries): its queue would stall until a restart", async () => {
    await target("hooks");
    const push = (await api("GET", "/v1/workers")).body.workers.find((w: any) => w.kind === "push" && w.queues.includes("hooks"));
    const refused = await api("POST", `/v1/workers/${encodeURIComponent(push.id)}/shutdown`);
    expect(refused.status).toBe(409);
    expect(refused.body.error.message).toContain("pause the queue, or remove its target, to stop deliveries");
    // Deliveries go on.
    const { id } = await enqueue("hooks");
    expect((await jobIn(id, ["completed"])).state).toBe("completed");
  });

  test("rotating the secret signs with both secrets for a while; the old one still verifies", async () => {
    await startWith({ hooks: {} });
    const old = secrets.get("hooks")!;
    const rotated = await api("POST", "/v1/queues/hooks/target/secret");
    expect(rotated.status).toBe(200);
    expect(rotated.body).toMatchObject({ queue: "hooks", previousSecret: old });
    expect(rotated.body.secret).not.toBe(old);
    // The dispatcher reads secrets again within its scan interval; wait for a delivery signed with both.
    await waitFor(async () => {
      const { id } = await enqueue("hooks");
      await jobIn(id, ["completed"]);
      return deliveries.at(-1)!.headers.get("spool-signature")!.split(",").length === 3;
    }, 5000, "a delivery signed with both secrets");
    const last = deliveries.at(-1)!;
    const raw = JSON.stringify(last.body);
    const nowS = Math.floor(clock.now() / 1000);
    expect(verifySignature({ header: last.headers.get("spool-signature"), body: raw, secret: rotated.body.secret, nowS })).toBe(true);
    expect(verifySignature({ header: last.headers.get("spool-signature"), body: raw, secret: old, nowS })).toBe(true);
  });

  test("the secret is for admins only, and never appears in the queue's config", async () => {
    await startWith({ hooks: {} });
    const queue = await api("GET", "/v1/queues/hooks");
    expect(JSON.stringify(queue.body)).not.toContain(secrets.get("hooks")!);
    expect(queue.body.target).toEqual({ url: `${receiver.url}hooks` });
  });
});
