/** The job, lanes and workers pages over plain HTTP: what each role sees, the actions and their refusals, under a test clock. */
import { afterEach, describe, expect, test } from "bun:test";
import { TestClock } from "../src/core/clock.ts";
import type { TokenRole } from "../src/core/store.ts";
import { bearer, tokenFor } from "./helpers/api.ts";
import { DashboardSession } from "./helpers/dashboard.ts";
import { startTestServer, type TestServer } from "./helpers/server.ts";

let server: TestServer;
let clock: TestClock;
let admin: string;
afterEach(() => server?.close());

async function start() {
  clock = new TestClock("2026-03-01T08:00:00Z");
  server = await startTestServer({}, clock);
  admin = await tokenFor(server, "admin");
}

async function signedIn(role: TokenRole) {
  const web = new DashboardSession(server);
  expect((await web.signIn(await tokenFor(server, role))).status).toBe(303);
  expect((await web.get("/")).status).toBe(200);
  return web;
}

async function api(method: string, path: string, body?: unknown) {
  const res = await server.call(method, path, body, bearer(admin));
  expect({ path, status: res.status, body: res.status < 300 ? "" : res.body }).toEqual({ path, status: res.status < 300 ? res.status : 200, body: "" });
  return res.body;
}

async function enqueue(queue: string, body: Record<string, unknown> = {}) {
  return api("POST", `/v1/queues/${queue}/jobs`, body);
}

/** Claims the next job of a queue for a worker: the job with its lease token. */
async function claim(queue: string, workerId = "w1", extra: Record<string, unknown> = {}) {
  const { jobs } = await api("POST", `/v1/queues/${queue}/claim`, { workerId, leaseMs: 600_000, ...extra });
  expect(jobs).toHaveLength(1);
  return jobs[0] as { id: string; lease: { token: string } };
}

/** A job that saved a checkpoint and then failed for good. */
async function failedWithCheckpoint(queue = "imports") {
  const job = await enqueue(queue, { payload: { file: "big.csv" } });
  const claimed = await claim(queue);
  expect(claimed.id).toBe(job.id);
  await api("POST", `/v1/jobs/${job.id}/heartbeat`, { token: claimed.lease.token, checkpoint: { row: 5000 } });
  await api("POST", `/v1/jobs/${job.id}/fail`, { token: claimed.lease.token, error: { type: "io", message: "disk full", stack: "Error: disk full\n    at write (io.ts:12)" }, retry: false });
  return job.id as string;
}

/** A blocked lane: queue with laneOnFailure "block", two jobs with one key, the head failed for good. */
async function blockedLane(queue = "orders", key = "order-17") {
  await api("PUT", `/v1/queues/${queue}`, { laneOnFailure: "block" });
  const head = await enqueue(queue, { key });
  const next = await enqueue(queue, { key });
  const claimed = await claim(queue);
  expect(claimed.id).toBe(head.id);
  await api("POST", `/v1/jobs/${head.id}/fail`, { token: claimed.lease.token, error: { type: "validation", message: "bad quantity" }, retry: false });
  return { head: head.id as string, next: next.id as string };
}

const job = async (id: string) => api("GET", `/v1/jobs/${id}`);

describe("what each role sees", () => {
  test("the three pages render for every role; only admins get controls, and forged posts from the others are refused", async () => {
    await start();
    const failed = await failedWithCheckpoint();
    await blockedLane();
    const active = await enqueue("mail");
    await claim("mail", "mailer-1", { name: "mailer", host: "mail-01", concurrency: 4 });
    for (const role of ["admin", "producer", "worker", "viewer"] as const) {
      const web = await signedIn(role);
      const pages = { job: await web.get(`/jobs/${failed}`), active: await web.get(`/jobs/${active.id}`), lanes: await web.get("/lanes"), workers: await web.get("/workers") };
      for (const page of Object.values(pages)) expect(page.status).toBe(200);
      expect(pages.job.text).toContain("disk full");
      expect(pages.lanes.text).toContain("order-17");
      expect(pages.workers.text).toContain('id="worker-mailer-1"');
      const controls = [
        `action="/jobs/${failed}/retry"`, `action="/jobs/${failed}/delete"`, `action="/jobs/${active.id}/cancel"`, 'action="/lanes/skip"', 'action="/lanes/retry"', 'action="/workers/mailer-1/shutdown"',
      ];
      const html = Object.values(pages).map((p) => p.text).join("");
      for (const control of controls) expect({ role, control, shown: html.includes(control) }).toEqual({ role, control, shown: role === "admin" });
      // The curl behind every list and action is there for everyone.
      expect(html).toContain(`/v1/jobs/${failed}/retry`);
      expect(html).toContain("/v1/lanes/skip");
      expect(html).toContain("/v1/workers/ID/shutdown");
      if (role === "admin") continue;
      const forged: [string, Record<string, string>][] = [
        [`/jobs/${failed}/retry`, { mode: "resume" }], [`/jobs/${active.id}/cancel`, { force: "true" }], [`/jobs/${failed}/delete`, {}],
        ["/lanes/retry", { queue: "orders", key: "order-17" }], ["/lanes/skip", { queue: "orders", key: "order-17" }], ["/workers/mailer-1/shutdown", {}],
      ];
      for (const [path, fields] of forged) expect({ role, path, status: (await web.post(path, fields)).status }).toEqual({ role, path, status: 403 });
    }
    expect((await job(failed)).state).toBe("failed");
    expect((await job(active.id)).state).toBe("active");
  });

  test("an admin's post without the CSRF token is refused", async () => {
    await start();
    const failed = await failedWithCheckpoint();
    const web = await signedIn("admin");
    expect((await web.post(`/jobs/${failed}/retry`, { mode: "resume" }, { csrf: null })).status).toBe(403);
    expect((await web.post("/workers/w1/shutdown", {}, { csrf: null })).status).toBe(403);
    expect((await job(failed)).state).toBe("failed");
  });

  test("an unknown job is the problem page with 404", async () => {
    await start();
    const web = await signedIn("viewer");
    const res = await web.get("/jobs/424242");
    expect(res.status).toBe(404);
    expect(res.text).toContain("Not found");
    expect(res.text).toContain("job 424242");
  });
});

describe("the job page", () => {
  test("retry resume keeps the checkpoint; restart drops it; a retry of a running job says why not", async () => {
    await start();
    const web = await signedIn("admin");
    const first = await failedWithCheckpoint();
    await web.get(`/jobs/${first}`);
    const resumed = await web.post(`/jobs/${first}/retry`, { mode: "resume" });
    expect(resumed.status).toBe(200);
    expect(resumed.headers.get("hx-trigger")).toBe("spool:changed");
    expect(resumed.text).toContain("from its checkpoint");
    expect(await job(first)).toMatchObject({ state: "waiting", checkpoint: { row: 5000 } });

    const second = await failedWithCheckpoint("imports2");
    const restarted = await web.post(`/jobs/${second}/retry`, { mode: "restart" });
    expect(restarted.text).toContain("from scratch");
    expect(await job(second)).toMatchObject({ state: "waiting", checkpoint: null });

    const refused = await web.post(`/jobs/${first}/retry`, { mode: "resume" });
    expect(refused.status).toBe(409);
    expect(refused.text).toContain("only failed or cancelled jobs can be retried");
    expect((await web.post(`/jobs/${first}/retry`, { mode: "sideways" })).status).toBe(400);
  });

  test("cancel of an active job asks its worker; force ends it", async () => {
    await start();
    const web = await signedIn("admin");
    const { id } = await enqueue("mail");
    const claimed = await claim("mail");
    await web.get(`/jobs/${id}`);
    const asked = await web.post(`/jobs/${id}/cancel`);
    expect(asked.text).toContain("asked to stop");
    expect(await job(id)).toMatchObject({ state: "active", cancelRequested: true });
    const page = await web.get(`/jobs/${id}`);
    expect(page.text).toContain('data-cancel-requested="true"');
    expect(page.text).toContain(`action="/jobs/${id}/cancel"`);
    const beat = await server.call("POST", `/v1/jobs/${id}/heartbeat`, { token: claimed.lease.token }, bearer(admin));
    expect(beat.body.cancelRequested).toBe(true);
    const forced = await web.post(`/jobs/${id}/cancel`, { force: "true" });
    expect(forced.text).toContain("is cancelled");
    expect((await job(id)).state).toBe("cancelled");
  });

  test("delete sends htmx to the queue's page, a plain form too; the job is gone", async () => {
    await start();
    const web = await signedIn("admin");
    const first = await failedWithCheckpoint("imports");
    await web.get(`/jobs/${first}`);
    const deleted = await web.post(`/jobs/${first}/delete`);
    expect(deleted.status).toBe(200);
    expect(deleted.headers.get("hx-redirect")).toBe("/queues/imports");
    expect((await server.call("GET", `/v1/jobs/${first}`, undefined, bearer(admin))).status).toBe(404);
    const second = await failedWithCheckpoint("imports");
    const plain = await web.post(`/jobs/${second}/delete`, {}, { htmx: false });
    expect(plain.status).toBe(303);
    expect(plain.headers.get("location")).toBe("/queues/imports");
    const { id } = await enqueue("imports");
    const unfinished = await web.post(`/jobs/${id}/delete`);
    expect(unfinished.status).toBe(409);
    expect(unfinished.headers.get("hx-redirect")).toBeNull();
  });

  test("without JavaScript, a destructive action asks its question on a page first, and runs once confirmed there", async () => {
    await start();
    const web = await signedIn("admin");
    const id = await failedWithCheckpoint("imports");
    const page = (await web.get(`/jobs/${id}`)).text;
    // The form carries the question the dialog asks with JavaScript.
    const question = `Delete job ${id} for good?`;
    expect(page).toContain(`name="_confirm" value="${question}"`);
    const asked = await web.post(`/jobs/${id}/delete`, { _confirm: question }, { htmx: false, headers: { referer: `${server.url}/jobs/${id}` } });
    expect(asked.status).toBe(200);
    expect(asked.text).toContain(question);
    expect(asked.text).toContain(`action="/jobs/${id}/delete"`);
    expect(asked.text).toContain('name="_confirmed" value="1"');
    expect(asked.text).toContain(`href="/jobs/${id}">No, go back`);
    // A page answering a post does not refresh itself from the action's address.
    expect(asked.text).not.toContain(`hx-get="/jobs/${id}/delete"`);
    expect((await server.call("GET", `/v1/jobs/${id}`, undefined, bearer(admin))).status).toBe(200);
    // "Yes, go ahead" posts the same fields again, confirmed: the job goes.
    const done = await web.post(`/jobs/${id}/delete`, { _confirm: question, _confirmed: "1" }, { htmx: false, headers: { referer: `${server.url}/jobs/${id}` } });
    expect(done.status).toBe(303);
    expect((await server.call("GET", `/v1/jobs/${id}`, undefined, bearer(admin))).status).toBe(404);
    // With htmx the browser's dialog asked already: the action runs at once.
    const other = await failedWithCheckpoint("imports");
    expect((await web.post(`/jobs/${other}/delete`, { _confirm: "Delete?" })).headers.get("hx-redirect")).toBe("/queues/imports");
  });

  test("the timeline lists the job's own events in order, with the attempts' errors and their stacks", async () => {
    await start();
    const web = await signedIn("viewer");
    await enqueue("elsewhere");
    const id = await failedWithCheckpoint();
    await enqueue("imports");
    const html = (await web.get(`/jobs/${id}`)).text;
    const events = [...html.matchAll(/data-event="([a-z.]+)"/g)].map((m) => m[1]);
    expect(events).toEqual(["job.enqueued", "job.started", "job.failed"]);
    expect(html).toContain("at write (io.ts:12)");
    expect(html).toContain('data-error="1"');
    expect(html).toContain("&quot;row&quot;: 5000");
  });

  test("progress shows its share, the rate since the attempt started and an ETA; the lease names its worker", async () => {
    await start();
    const web = await signedIn("viewer");
    const { id } = await enqueue("render");
    const claimed = await claim("render", "render-1");
    clock.advance(10_000);
    await api("POST", `/v1/jobs/${id}/heartbeat`, { token: claimed.lease.token, progress: { current: 250, total: 1000, message: "pages" } });
    const html = (await web.get(`/jobs/${id}`)).text;
    expect(html).toContain('aria-valuenow="25"');
    expect(html).toContain("250 of 1,000");
    expect(html).toContain("25 per s since this attempt started");
    expect(html).toContain("about 30 s left");
    expect(html).toContain('href="/workers#worker-render-1"');
  });

  test("attempts read against maxAttempts without those given back at a shutdown, which are noted apart", async () => {
    await start();
    const web = await signedIn("viewer");
    const { id } = await enqueue("deploys", { maxAttempts: 1 });
    const first = await claim("deploys");
    await api("POST", `/v1/jobs/${id}/fail`, { token: first.lease.token, error: { type: "shutdown", message: "worker stopping" } });
    await claim("deploys");
    const page = (await web.get(`/jobs/${id}`)).text;
    expect(page).toContain("1 of 1");
    expect(page).toContain("1 more given back unfinished (a shutdown), not counted");
    expect(page).not.toContain("2 of 1");
    const list = (await web.get("/queues/deploys?state=active")).text;
    expect(list).toMatch(/1\/1<span class="hint" title="1 more given back unfinished \(a shutdown\), not counted"> \+1<\/span>/);
  });

  test("a job of a push target's queue says where it is delivered and how long the target is given, the URL's secrets hidden from viewers", async () => {
    await start();
    // Nothing listens on port 9: the job stays undelivered, which is all this page needs.
    await api("PUT", "/v1/queues/hooks", { target: { url: "http://hook:s3cret@127.0.0.1:9/in?key=abc", timeoutMs: 3000 } });
    const { id } = await enqueue("hooks", { timeoutMs: 60_000 });
    const viewer = (await (await signedIn("viewer")).get(`/jobs/${id}`)).text;
    expect(viewer).toContain("its push target is given 3.0 s to answer");
    expect(viewer).toContain("http://***:***@127.0.0.1:9/***?key=***");
    expect(viewer).not.toContain("s3cret");
    const admin = (await (await signedIn("admin")).get(`/jobs/${id}`)).text;
    expect(admin).toContain("http://hook:s3cret@127.0.0.1:9/in?key=abc");
    // A job of a queue without a target says nothing of one.
    const plain = await enqueue("plain");
    expect((await (await signedIn("viewer")).get(`/jobs/${plain.id}`)).text).not.toContain("Delivered to");
  });

  test("links: its queue, its lane when it has a key, its schedule when a schedule fired it", async () => {
    await start();
    const web = await signedIn("viewer");
    const keyed = await enqueue("orders", { key: "order 9" });
    // Fired by its schedule: a producer may not take a fire's idempotency key (schedule:…).
    const fired = await api("POST", "/v1/schedules/spool:daily-report/trigger");
    const plain = await enqueue("reports", { idempotencyKey: "upload-77" });
    const keyedHtml = (await web.get(`/jobs/${keyed.id}`)).text;
    expect(keyedHtml).toContain('href="/queues/orders"');
    expect(keyedHtml).toContain('href="/lanes?queue=orders&amp;key=order%209"');
    const firedHtml = (await web.get(`/jobs/${fired.id}`)).text;
    expect(firedHtml).toContain('href="/schedules/spool%3Adaily-report"');
    expect(firedHtml).toContain(`datetime="${new Date(clock.now()).toISOString()}"`);
    expect((await web.get(`/jobs/${plain.id}`)).text).not.toContain("data-schedule-link");
  });
});

describe("the lanes page", () => {
  test("lists blocked lanes first across queues, filters by queue and key, and skipping the head moves the lane on", async () => {
    await start();
    const web = await signedIn("admin");
    const { head, next } = await blockedLane();
    await enqueue("orders", { key: "order-22" });
    await enqueue("other", { key: "k1" });
    const all = (await web.get("/lanes")).text;
    const lanes = [...all.matchAll(/data-lane="([^"]+)" data-status="(\w+)"/g)].map((m) => `${m[1]} ${m[2]}`);
    expect(lanes).toEqual(["orders/order-17 blocked", "orders/order-22 busy", "other/k1 busy"]);
    const one = (await web.get("/lanes?queue=orders&key=order-17")).text;
    expect([...one.matchAll(/data-lane="([^"]+)"/g)].map((m) => m[1])).toEqual(["orders/order-17"]);
    expect(one).toContain("bad quantity");
    expect(one).toContain(`href="/jobs/${head}"`);
    expect((await web.get("/lanes?queue=nothing-here")).text).toContain("data-empty");

    const skipped = await web.post("/lanes/skip", { queue: "orders", key: "order-17" });
    expect(skipped.status).toBe(200);
    expect(skipped.text).toContain("Skipped the failed head");
    expect((await job(head)).state).toBe("failed");
    expect((await job(next)).state).toBe("waiting");
    const again = await web.post("/lanes/skip", { queue: "orders", key: "order-17" });
    expect(again.status).toBe(409);
    expect((await web.post("/lanes/skip", { queue: "orders" })).status).toBe(400);
  });

  test("retrying a blocked lane's head runs it again; a lane that is not blocked says so", async () => {
    await start();
    const web = await signedIn("admin");
    const { head, next } = await blockedLane();
    const retried = await web.post("/lanes/retry", { queue: "orders", key: "order-17" });
    expect(retried.status).toBe(200);
    expect((await job(head)).state).toBe("waiting");
    expect((await job(next)).state).toBe("blocked");
    expect((await web.post("/lanes/retry", { queue: "orders", key: "order-17" })).status).toBe(409);
  });
});

describe("the workers page", () => {
  test("a card per worker, online first, filtered by queue; shut down shows on the card and reaches the worker", async () => {
    await start();
    const web = await signedIn("admin");
    await enqueue("mail");
    await claim("mail", "mailer-1", { name: "mailer", host: "mail-01", concurrency: 4 });
    await api("POST", "/v1/queues/thumbs/claim", { workerId: "thumbs-1", concurrency: 2 });
    clock.advance(31_000);
    await api("POST", "/v1/queues/thumbs/claim", { workerId: "thumbs-1", concurrency: 2 });
    const html = (await web.get("/workers")).text;
    const cards = [...html.matchAll(/data-worker="([^"]+)"/g)].map((m) => m[1]);
    expect(cards.indexOf("thumbs-1")).toBeLessThan(cards.indexOf("mailer-1"));
    expect(html).toContain("1 of 4 slots busy · 25 %");
    expect(html).toMatch(/id="worker-mailer-1"[\s\S]*offline/);
    // Counted as the overview counts them: the operator's workers (spool's own, offline here after the clock moved, is not shown).
    expect(html).toContain('data-worker-summary="true">1 online, 1 offline.</p>');
    const filtered = (await web.get("/workers?queue=mail")).text;
    expect([...filtered.matchAll(/data-worker="([^"]+)"/g)].map((m) => m[1])).toEqual(["mailer-1"]);

    const asked = await web.post("/workers/thumbs-1/shutdown");
    expect(asked.status).toBe(200);
    expect(asked.text).toContain("Asked thumbs-1 to shut down");
    const after = (await web.get("/workers?queue=thumbs")).text;
    expect(after).toContain("data-shutting-down");
    expect(after).not.toContain('action="/workers/thumbs-1/shutdown"');
    const next = await api("POST", "/v1/queues/thumbs/claim", { workerId: "thumbs-1" });
    expect(next.control).toEqual({ shutdown: true });
    expect((await web.post("/workers/nobody/shutdown")).status).toBe(404);
  });
});
