/** The Queues pages over plain HTTP: roles and CSRF, bulk actions in bounded batches, the enqueue form, settings, filters and keyset paging. */
import { afterEach, describe, expect, test } from "bun:test";
import { TestClock } from "../src/core/clock.ts";
import type { Job } from "../src/core/job.ts";
import { bearer, tokenFor } from "./helpers/api.ts";
import { DashboardSession } from "./helpers/dashboard.ts";
import { startTestServer, type TestServer } from "./helpers/server.ts";

let server: TestServer;
let clock: TestClock;
afterEach(() => server?.close());

async function start() {
  server = await startTestServer({}, new TestClock("2026-03-01T08:00:00Z"));
}

async function signedIn(role: "admin" | "producer" | "worker" | "viewer") {
  const web = new DashboardSession(server);
  expect((await web.signIn(await tokenFor(server, role))).status).toBe(303);
  return web;
}

/** Enqueues `n` jobs into a queue and fails them for good, each with the error type `typeOf(i)`. */
async function failedJobs(queue: string, n: number, typeOf: (i: number) => string): Promise<Job[]> {
  const { service } = server;
  const jobs: Job[] = [];
  for (let from = 0; from < n; from += 1000) {
    const batch = Array.from({ length: Math.min(1000, n - from) }, (_, i) => ({ payload: { i: from + i }, maxAttempts: 1 }));
    jobs.push(...(await service.enqueueMany(queue, batch)).map((o) => o.job));
    const claimed = await service.claim({ queue, workerId: "w", max: 1000 });
    for (const [i, job] of claimed.entries()) {
      await service.fail({ id: job.id, token: job.leaseToken!, error: { type: typeOf(from + i), message: `failure ${from + i}` }, retry: false });
    }
  }
  return jobs;
}

/** Follows a bulk action's batches as the browser would: posts again while the answer asks for the next batch. */
async function runBulk(web: DashboardSession, path: string, first: Record<string, string>) {
  const answers: string[] = [];
  let fields = first;
  for (let i = 0; i < 20; i++) {
    const res = await web.post(path, fields);
    expect(res.status).toBe(200);
    answers.push(res.text);
    const next = res.text.match(/hx-vals="([^"]*)"/)?.[1];
    if (!next) return answers;
    fields = JSON.parse(next.replace(/&quot;/g, '"').replace(/&amp;/g, "&"));
  }
  throw new Error("the bulk action never finished");
}

describe("roles", () => {
  test("every role sees the three pages; only admins get controls; a viewer's forged posts are refused", async () => {
    await start();
    await server.service.enqueue("emails", { payload: { to: "ada@example.com" }, key: "acct-1" });
    for (const role of ["admin", "producer", "worker", "viewer"] as const) {
      const web = await signedIn(role);
      for (const path of ["/queues", "/queues/emails", "/queues/emails/settings"]) {
        const res = await web.get(path);
        expect([role, path, res.status]).toEqual([role, path, 200]);
      }
      const list = (await web.get("/queues")).text;
      const queue = (await web.get("/queues/emails")).text;
      const settings = (await web.get("/queues/emails/settings")).text;
      const admin = role === "admin";
      expect([role, list.includes('hx-post="/queues/emails/pause"')]).toEqual([role, admin]);
      expect([role, queue.includes("data-bulk-picker")]).toEqual([role, admin]);
      expect([role, queue.includes("data-enqueue-form")]).toEqual([role, role !== "viewer"]);
      expect([role, settings.includes("data-settings-form")]).toEqual([role, admin]);
      expect(queue).toContain("curl -sS");
    }
    const viewer = await signedIn("viewer");
    await viewer.get("/queues/emails");
    expect(viewer.csrf).not.toBeNull();
    for (const path of ["pause", "resume", "purge", "retry-failed", "cancel-waiting", "clean-completed", "settings", "jobs"]) {
      expect([path, (await viewer.post(`/queues/emails/${path}`, { state: "waiting", payload: "{}" })).status]).toEqual([path, 403]);
    }
    expect((await server.service.getQueue("emails")).counts.waiting).toBe(1);
    expect((await server.service.getQueue("emails")).paused).toBe(false);
  });

  test("a post without the CSRF token is refused, and one with it is confirmed", async () => {
    await start();
    const web = await signedIn("admin");
    await web.get("/queues");
    expect((await web.post("/queues/emails/pause", {}, { csrf: null })).status).toBe(403);
    expect((await server.service.getQueue("emails")).paused).toBe(false);
    const res = await web.post("/queues/emails/pause");
    expect(res.status).toBe(200);
    expect(res.text).toContain("Paused emails");
    expect(res.headers.get("hx-trigger")).toBe("spool:changed");
    expect((await server.service.getQueue("emails")).paused).toBe(true);
    expect((await web.get("/queues")).text).toContain('hx-post="/queues/emails/resume"');
  });
});

describe("bulk actions", () => {
  test("retry failed previews the count, then runs in batches of 500 reporting progress, touching exactly the failed jobs", async () => {
    await start();
    const failed = await failedJobs("bulk", 1100, () => "timeout");
    const waiting = (await server.service.enqueue("bulk", { payload: "untouched" })).job;
    const web = await signedIn("admin");
    await web.get("/queues/bulk");
    const preview = await web.get("/queues/bulk/bulk/retry-failed", { "hx-request": "true" });
    expect(preview.text).toContain("1,100");
    expect(preview.text).toContain("in batches of 500");
    expect(preview.text).toContain("/v1/queues/bulk/retry-failed");
    expect((await server.service.getQueue("bulk")).counts.failed).toBe(1100);
    const answers = await runBulk(web, "/queues/bulk/retry-failed", { total: "1100", done: "0" });
    expect(answers).toHaveLength(3);
    expect(answers[0]).toContain("Retried 500 of 1,100");
    expect(answers[1]).toContain("Retried 1,000 of 1,100");
    expect(answers[2]).toContain("Retried 1,100 jobs of <code>bulk</code>. Done.");
    expect((await server.service.getQueue("bulk")).counts).toMatchObject({ waiting: 1101, failed: 0 });
    expect((await server.service.getJob(failed[0]!.id)).attempts).toBe(0);
    expect((await server.service.getJob(waiting.id)).attempts).toBe(0);
  });

  test("retry failed of one error type touches only the failed jobs whose last error has that type", async () => {
    await start();
    const jobs = await failedJobs("typed", 12, (i) => (i % 3 === 0 ? "timeout" : "BadInput"));
    const web = await signedIn("admin");
    await web.get("/queues/typed");
    const preview = await web.get("/queues/typed/bulk/retry-failed?errorType=timeout", { "hx-request": "true" });
    expect(preview.text).toContain("whose last error is timeout");
    expect(preview.text).toContain("at most 12");
    const answers = await runBulk(web, "/queues/typed/retry-failed", { errorType: "timeout", total: "12", done: "0" });
    expect(answers.at(-1)).toContain("Retried 4 jobs");
    const states = await Promise.all(jobs.map(async (j) => (await server.service.getJob(j.id)).state));
    expect(states).toEqual(jobs.map((_, i) => (i % 3 === 0 ? "waiting" : "failed")));
  });

  test("cancel waiting, clean completed and purge preview their counts and stop at the previewed number", async () => {
    await start();
    const { service } = server;
    await service.enqueueMany("mixed", Array.from({ length: 6 }, (_, i) => ({ payload: i, ...(i < 2 ? { delayMs: 60_000 } : {}) })));
    for (const job of await service.claim({ queue: "mixed", workerId: "w", max: 2 })) await service.complete({ id: job.id, token: job.leaseToken! });
    const web = await signedIn("admin");
    await web.get("/queues/mixed");
    expect((await web.get("/queues/mixed/bulk/cancel-waiting", { "hx-request": "true" })).text).toContain(">4</strong> jobs");
    expect((await web.get("/queues/mixed/bulk/clean-completed", { "hx-request": "true" })).text).toContain(">2</strong> jobs");
    expect((await web.get("/queues/mixed/bulk/purge?state=active", { "hx-request": "true" })).status).toBe(400);
    // A preview of 3 cancels 3, even though 4 are waiting or delayed by now.
    expect((await runBulk(web, "/queues/mixed/cancel-waiting", { total: "3", done: "0" })).at(-1)).toContain("Cancelled 3 jobs");
    expect((await runBulk(web, "/queues/mixed/clean-completed", { total: "2", done: "0" })).at(-1)).toContain("Deleted 2 jobs");
    expect((await runBulk(web, "/queues/mixed/purge", { state: "cancelled", total: "3", done: "0" })).at(-1)).toContain("Deleted 3 jobs");
    expect((await service.getQueue("mixed")).counts).toMatchObject({ waiting: 1, delayed: 0, completed: 0, cancelled: 0 });
    const refused = await web.post("/queues/mixed/purge", { state: "active", total: "1", done: "0" });
    expect(refused.status).toBe(400);
    expect(refused.text).toContain("pick a state to purge");
  });
});

describe("enqueue form", () => {
  test("invalid input comes back with the errors beside the fields and the typed values kept", async () => {
    await start();
    const web = await signedIn("producer");
    await web.get("/queues/emails");
    const typed = { payload: '{"to": "ada@', key: "acct-7", priority: "11", delay: "soon", maxAttempts: "3", idempotencyKey: "order-9" };
    const res = await web.post("/queues/emails/jobs", typed);
    expect(res.status).toBe(400);
    expect(res.text).toContain("not valid JSON");
    expect(res.text).toContain("must be a duration like 10s");
    expect(res.text).toContain('value="acct-7"');
    expect(res.text).toContain('value="order-9"');
    expect(res.text).toContain('value="soon"');
    expect(res.text).toContain("{&quot;to&quot;: &quot;ada@</textarea>");
    // The service's own checks come back beside their fields too.
    const range = await web.post("/queues/emails/jobs", { ...typed, payload: '{"to": "ada@example.com"}', delay: "10s" });
    expect(range.status).toBe(400);
    expect(range.text).toMatch(/id="f-priority-error"[^>]*>must be an integer from 0 to 10/);
    expect((await server.service.getQueue("emails")).counts).toMatchObject({ waiting: 0, delayed: 0 });
    // Without htmx, the whole page comes back with the form filled in.
    const plain = await web.post("/queues/emails/jobs", typed, { htmx: false });
    expect(plain.status).toBe(400);
    expect(plain.text).toStartWith("<!doctype html>");
    expect(plain.text).toContain('value="acct-7"');
  });

  test("a valid job is enqueued with a flash linking it, and an empty form comes back", async () => {
    await start();
    const web = await signedIn("producer");
    await web.get("/queues/emails");
    const res = await web.post("/queues/emails/jobs", { payload: '{"to": "ada@example.com"}', key: "acct-7", priority: "8", delay: "10s", maxAttempts: "5", idempotencyKey: "" });
    expect(res.status).toBe(200);
    const id = res.text.match(/data-enqueued="(\d+)"/)![1]!;
    expect(res.text).toContain(`href="/jobs/${id}"`);
    expect(res.text).toContain('hx-swap-oob="beforeend:#flash"');
    expect(res.text).not.toContain('value="acct-7"');
    const job = await server.service.getJob(id);
    expect(job).toMatchObject({ payload: { to: "ada@example.com" }, key: "acct-7", priority: 8, maxAttempts: 5, state: "delayed" });
    expect(job.runAt - job.createdAt).toBe(10_000);
  });
});

describe("settings", () => {
  test("saving round-trips every field; errors are shown beside their field; non-admins read it with the target's secrets hidden", async () => {
    await start();
    const admin = await signedIn("admin");
    await admin.get("/queues/hooks/settings");
    const form = {
      concurrency: "4", rateLimitMax: "100", rateLimitInterval: "1m", defaultPriority: "7", defaultMaxAttempts: "9",
      backoffType: "fixed", backoffDelay: "3s", defaultTimeout: "2m", noRetry: "BadInput\nNotFound", byType: '{"Throttled": {"maxAttempts": 20}}',
      laneOnFailure: "block", retentionCompleted: "30d", retentionFailed: "7d", retentionCancelled: "",
      targetUrl: "https://user:pw@hooks.example.com/in?key=s3cret", targetHeaders: "Authorization: Bearer abc123\nX-Team: ops", targetTimeout: "10s",
    };
    const saved = await admin.post("/queues/hooks/settings", form);
    expect(saved.status).toBe(200);
    expect(saved.text).toContain("Settings of hooks saved");
    const config = await server.service.getQueue("hooks");
    expect(config).toMatchObject({
      concurrency: 4,
      rateLimit: { max: 100, intervalMs: 60_000 },
      defaults: { priority: 7, maxAttempts: 9, backoff: { type: "fixed", delayMs: 3000 }, timeoutMs: 120_000 },
      retryPolicy: { noRetry: ["BadInput", "NotFound"], byType: { Throttled: { maxAttempts: 20 } } },
      laneOnFailure: "block",
      retention: { completedMs: 30 * 86_400_000, failedMs: 7 * 86_400_000 },
      target: { url: "https://user:pw@hooks.example.com/in?key=s3cret", headers: { Authorization: "Bearer abc123", "X-Team": "ops" }, timeoutMs: 10_000 },
    });
    const page = (await admin.get("/queues/hooks/settings")).text;
    const inputs = ["concurrency", "rateLimitMax", "rateLimitInterval", "defaultPriority", "defaultMaxAttempts", "backoffDelay", "defaultTimeout", "retentionCompleted", "retentionFailed", "targetUrl", "targetTimeout"] as const;
    for (const name of inputs) expect([name, page.match(new RegExp(`name="${name}"[^>]*value="([^"]*)"`))?.[1]]).toEqual([name, form[name]]);
    expect(page).toContain('name="noRetry" aria-describedby="f-noRetry-hint" type="text" value="BadInput, NotFound"');
    expect(page).toContain('<option value="fixed" selected="">');
    expect(page).toContain('<option value="block" selected="">');

    const bad = await admin.post("/queues/hooks/settings", { ...form, concurrency: "0", rateLimitInterval: "often", byType: "{nope" });
    expect(bad.status).toBe(400);
    expect(bad.text).toMatch(/id="f-rateLimitInterval-error"[^>]*>must be a duration/);
    expect(bad.text).toMatch(/id="f-byType-error"[^>]*>must be JSON/);
    expect(bad.text).toContain('value="often"');
    const tooSmall = await admin.post("/queues/hooks/settings", { ...form, concurrency: "0" });
    expect(tooSmall.text).toMatch(/id="f-concurrency-error"/);
    expect((await server.service.getQueue("hooks")).concurrency).toBe(4);

    for (const role of ["viewer", "producer"] as const) {
      const text = (await (await signedIn(role)).get("/queues/hooks/settings")).text;
      expect(text).not.toContain("s3cret");
      expect(text).not.toContain("abc123");
      expect(text).not.toContain("pw@");
      expect(text).toContain("Authorization: ***");
      expect(text).not.toContain("data-settings-form");
    }
    expect((await server.call("GET", "/v1/queues/hooks", undefined, bearer(await tokenFor(server, "admin")))).body.target.headers.Authorization).toBe("Bearer abc123");
  });
});

describe("the job list", () => {
  test("the queues list says who takes each queue's jobs: its workers online, its push target, or nobody while jobs wait", async () => {
    await start();
    const { service } = server;
    await service.enqueueMany("served", [{}, {}]);
    await service.enqueueMany("orphan", [{}]);
    await service.putQueue("hooks", { target: { url: "http://127.0.0.1:9/hook" } });
    await server.call("POST", "/v1/queues/served/claim", { workerId: "w1" });
    const html = (await (await signedIn("viewer")).get("/queues")).text;
    const row = (queue: string) => html.split(`data-queue="${queue}"`)[1]!.split("</tr>")[0]!;
    expect(row("served")).toContain(">1 worker</a>");
    expect(row("orphan")).toMatch(/<span class="badge s-bad">.*no worker online<\/span>/);
    expect(row("hooks")).toContain("push target");
  });

  test("a queue's page and the queues list say how long its longest-waiting job has waited", async () => {
    clock = new TestClock("2026-03-01T08:00:00Z");
    server = await startTestServer({}, clock);
    await server.service.enqueueMany("behind", [{}, { priority: 9 }]);
    clock.advance(180_000);
    await server.service.enqueue("behind", {});
    await server.service.enqueue("caught-up", {});
    await server.service.claim({ queue: "caught-up", workerId: "w" });
    const web = await signedIn("viewer");
    const list = (await web.get("/queues")).text;
    const row = (queue: string) => list.split(`data-queue="${queue}"`)[1]!.split("</tr>")[0]!;
    expect(row("behind")).toContain("oldest 3 min</span>");
    expect(row("caught-up")).not.toContain("data-oldest-waiting");
    expect((await web.get("/queues/behind")).text).toMatch(/data-oldest-waiting="true">3 min</);
    expect((await web.get("/queues/caught-up")).text).toMatch(/data-oldest-waiting="true">—</);
  });

  test("the charts draw jobs enqueued as a line over the finished ones: a backlog growing shows as the line above the bars", async () => {
    await start();
    const { service } = server;
    await service.enqueueMany("growing", Array.from({ length: 5 }, () => ({})));
    for (const job of await service.claim({ queue: "growing", workerId: "w", max: 2 })) await service.complete({ id: job.id, token: job.leaseToken! });
    const html = (await (await signedIn("viewer")).get("/queues/growing")).text;
    const hour = html.slice(html.indexOf('id="chart-hour"'));
    expect(hour).toContain("<desc>2 completed, 0 failed, 5 enqueued from");
    expect(hour).toMatch(/<polyline class="line" data-line="enqueued" points="[\d., ]+"/);
    expect(hour).toContain("enqueued: 5</span>");
  });

  test("a retry storm shows before any job fails for good: the queue page and the overview count the last hour's retried attempts", async () => {
    await start();
    const { service } = server;
    await service.enqueueMany("storm", Array.from({ length: 3 }, () => ({ maxAttempts: 5 })));
    for (const job of await service.claim({ queue: "storm", workerId: "w", max: 3 })) {
      await service.fail({ id: job.id, token: job.leaseToken!, error: { type: "http_500", message: "partner down" } });
    }
    const web = await signedIn("viewer");
    for (const page of ["/queues/storm", "/"]) {
      const html = (await web.get(page)).text;
      expect({ page, retried: html.match(/<div class="stat warn"[^>]*><span class="n" data-retried="true">(\d+)<\/span>/)?.[1] }).toEqual({ page, retried: "3" });
    }
    expect((await web.get("/queues/calm")).text).toMatch(/<div class="stat"[^>]*><span class="n" data-retried="true">0<\/span>/);
  });

  test("filters by state, key and search, and pages by cursor keeping the filters", async () => {
    await start();
    const { service } = server;
    const ids = (await service.enqueueMany("list", Array.from({ length: 60 }, (_, i) => ({ payload: { n: i, city: i % 2 ? "Lyon" : "Oslo" }, key: `k${i % 3}` })))).map((o) => o.job.id);
    const web = await signedIn("viewer");
    const shown = (text: string) => [...text.matchAll(/data-job="(\d+)"/g)].map((m) => m[1]);
    const first = await web.get("/queues/list?key=k1");
    const k1 = ids.filter((_, i) => i % 3 === 1).reverse();
    expect(shown(first.text)).toEqual(k1);
    const all = await web.get("/queues/list");
    expect(shown(all.text)).toEqual(ids.slice(-25).reverse());
    const older = all.text.match(/href="([^"]*cursor=[^"]*)"[^>]*data-older/)![1]!.replace(/&amp;/g, "&");
    const second = await web.get(older);
    expect(shown(second.text)).toEqual(ids.slice(-50, -25).reverse());
    const search = await web.get("/queues/list?q=Lyon&key=k0&state=blocked");
    const expected = ids.filter((_, i) => i % 2 === 1 && i % 3 === 0 && i >= 3).reverse();
    expect(shown(search.text)).toEqual(expected);
    expect(search.text).toContain('href="/queues/list?key=k0&amp;q=Lyon&amp;state=waiting"');
    expect(search.text).toContain("/v1/jobs?queue=list&amp;state=blocked&amp;key=k0&amp;q=Lyon&amp;limit=25");
    // Tabs show the counters' exact counts.
    expect(all.text).toMatch(/data-tab="blocked"[^>]*>blocked <span class="count">57<\/span>/);
  });
});
