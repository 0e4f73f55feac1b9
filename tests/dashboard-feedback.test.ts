/**
 * What the dashboard tells an operator after an action and at a glance, over plain HTTP: messages
 * that survive a redirect, sign-in after a lapsed session, every form error at once, how far a
 * search looked, paused queues and the workers an operator runs.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { TestClock } from "../src/core/clock.ts";
import { SEARCH_WINDOW } from "../src/core/store.ts";
import { bearer, tokenFor } from "./helpers/api.ts";
import { DashboardSession, type WebAnswer } from "./helpers/dashboard.ts";
import { startTestServer, type TestServer } from "./helpers/server.ts";
import { waitFor } from "./helpers/wait.ts";

let server: TestServer;
afterEach(() => server?.close());

async function start() {
  server = await startTestServer({}, new TestClock("2026-03-01T08:00:00Z"));
}

async function signedIn(role: "admin" | "producer" | "viewer") {
  const web = new DashboardSession(server);
  expect((await web.signIn(await tokenFor(server, role))).status).toBe(303);
  expect((await web.get("/")).status).toBe(200);
  return web;
}

/** The flash cookie an answer sets (`spool_flash=…`), to send with the next request as a browser would. */
function flashCookieOf(res: WebAnswer): string {
  const cookie = res.headers.get("set-cookie")?.match(/spool_flash=[^;]+/)?.[0];
  expect(cookie).toBeDefined();
  return cookie!;
}

/** The flash messages a page opens with, as `ok|bad: text`. */
const flashesOf = (res: WebAnswer) =>
  [...res.text.matchAll(/<div class="flash (ok|bad)"[^>]*><div class="flash-text">([^<]*)</g)].map((m) => `${m[1]}: ${m[2]}`);

/** The overview's count of online workers. */
const onlineOf = (res: WebAnswer) => res.text.match(/data-workers-online="true">(\d+)</)?.[1];

/** A job failed for good (no checkpoint), its id. */
async function failedJob(queue: string): Promise<string> {
  const { job } = await server.service.enqueue(queue, { maxAttempts: 1 });
  const [claimed] = await server.service.claim({ queue, workerId: "w" });
  await server.service.fail({ id: claimed!.id, token: claimed!.leaseToken!, error: { message: "boom" }, retry: false });
  return job.id;
}

describe("messages after an action", () => {
  test("a retry says 'from its checkpoint' only for a job that has one", async () => {
    await start();
    const web = await signedIn("admin");
    const id = await failedJob("imports");
    const res = await web.post(`/jobs/${id}/retry`, { mode: "resume" });
    expect(res.status).toBe(200);
    expect(res.text).toContain(`Job ${id} runs again (waiting).`);
    expect(res.text).not.toContain("checkpoint");
  });

  test("a deleted job's message goes with the redirect to its queue, is shown there once, and the gone page is not re-read", async () => {
    await start();
    const web = await signedIn("admin");
    const id = await failedJob("imports");
    const deleted = await web.post(`/jobs/${id}/delete`);
    expect(deleted.status).toBe(200);
    expect(deleted.headers.get("hx-redirect")).toBe("/queues/imports");
    // Re-reading the page would ask for the deleted job: 404.
    expect(deleted.headers.get("hx-trigger")).toBeNull();
    const carried = flashCookieOf(deleted);
    const shown = await web.get("/queues/imports", { cookie: `${web.cookie}; ${carried}` });
    expect(flashesOf(shown)).toEqual([`ok: Deleted job ${id}.`]);
    expect(shown.headers.get("set-cookie")).toContain("spool_flash=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0");
    expect(flashesOf(await web.get("/queues/imports"))).toEqual([]);
  });

  test("a form posted without JavaScript is sent back to its page, which shows what happened or why not", async () => {
    await start();
    const web = await signedIn("admin");
    await server.service.enqueue("reports", {});
    const referer = { referer: `${server.url}/queues/reports?state=waiting` };
    const paused = await web.post("/queues/reports/pause", {}, { htmx: false, headers: referer });
    expect(paused.status).toBe(303);
    expect(paused.headers.get("location")).toBe("/queues/reports?state=waiting");
    expect((await server.service.getQueue("reports")).paused).toBe(true);
    const page = await web.get("/queues/reports?state=waiting", { cookie: `${web.cookie}; ${flashCookieOf(paused)}` });
    expect(flashesOf(page)).toEqual(["ok: Paused reports: workers get no jobs from it until it is resumed."]);
    // A refusal comes back the same way, as a refusal.
    const { job } = await server.service.enqueue("reports", {});
    await server.service.cancel(job.id);
    const refused = await web.post(`/jobs/${job.id}/cancel`, {}, { htmx: false, headers: { referer: `${server.url}/jobs/${job.id}` } });
    expect(refused.status).toBe(303);
    const again = await web.get(`/jobs/${job.id}`, { cookie: `${web.cookie}; ${flashCookieOf(refused)}` });
    expect(flashesOf(again)).toEqual([expect.stringMatching(/^bad: .*cancelled/)]);
  });

  test("an action after the session lapsed leads to sign-in and back to the page it was sent from, not to the action's address", async () => {
    await start();
    const web = await signedIn("admin");
    await server.service.enqueue("reports", {});
    await web.post("/logout", {}, { htmx: false });
    const page = `${server.url}/queues/reports?state=waiting`;
    const htmx = await web.post("/queues/reports/pause", {}, { headers: { "hx-current-url": page } });
    expect(htmx.status).toBe(401);
    expect(htmx.headers.get("hx-redirect")).toBe(`/login?next=${encodeURIComponent("/queues/reports?state=waiting")}`);
    const plain = await web.post("/queues/reports/pause", {}, { htmx: false, headers: { referer: page } });
    expect(plain.status).toBe(303);
    expect(plain.headers.get("location")).toBe(`/login?next=${encodeURIComponent("/queues/reports?state=waiting")}`);
    // Another site's page is not a place to come back to.
    const foreign = await web.post("/queues/reports/pause", {}, { htmx: false, headers: { referer: "https://elsewhere.example/queues" } });
    expect(foreign.headers.get("location")).toBe("/login");
    expect((await server.service.getQueue("reports")).paused).toBe(false);
  });
});

describe("forms name every problem at once", () => {
  test("the enqueue form: bad JSON and a priority out of range together", async () => {
    await start();
    const web = await signedIn("producer");
    await web.get("/queues/emails");
    const res = await web.post("/queues/emails/jobs", { payload: "{bad", priority: "11", maxAttempts: "0", delay: "", key: "", idempotencyKey: "" });
    expect(res.status).toBe(400);
    expect(res.text).toMatch(/id="f-payload-error"[^>]*>not valid JSON/);
    expect(res.text).toMatch(/id="f-priority-error"[^>]*>must be an integer from 0 to 10/);
    expect(res.text).toMatch(/id="f-maxAttempts-error"/);
  });

  test("the settings form: a word for a number, a priority out of range and incomplete rate limit together", async () => {
    await start();
    const web = await signedIn("admin");
    await web.get("/queues/hooks/settings");
    const res = await web.post("/queues/hooks/settings", { concurrency: "abc", defaultPriority: "99", rateLimitMax: "5", rateLimitInterval: "", laneOnFailure: "continue" });
    expect(res.status).toBe(400);
    for (const field of ["concurrency", "defaultPriority", "rateLimitInterval"]) expect({ field, shown: res.text.includes(`id="f-${field}-error"`) }).toEqual({ field, shown: true });
    const negative = await web.post("/queues/hooks/settings", { concurrency: "-3", rateLimitMax: "5", rateLimitInterval: "", laneOnFailure: "continue" });
    expect(negative.text).toContain('id="f-concurrency-error"');
    expect(negative.text).toContain('id="f-rateLimitInterval-error"');
    expect((await server.service.getQueue("hooks")).concurrency).toBeNull();
  });
});

describe("at a glance", () => {
  test("a search that found nothing in its window says how far it looked and offers to look further", async () => {
    await start();
    const web = await signedIn("viewer");
    const jobs = Array.from({ length: SEARCH_WINDOW + 10 }, (_, i) => ({ payload: { n: i, tag: i === 3 ? "needle" : "hay" } }));
    for (let i = 0; i < jobs.length; i += 1000) await server.service.enqueueMany("bulk", jobs.slice(i, i + 1000));
    const first = await web.get("/queues/bulk?q=needle");
    expect(first.text).toContain(`No match in the newest ${SEARCH_WINDOW.toLocaleString("en-US")} jobs`);
    const older = first.text.match(/<a href="([^"]+)" rel="next" data-older="true">Search older jobs<\/a>/)?.[1];
    expect(older).toBeDefined();
    const next = await web.get(older!.replaceAll("&amp;", "&"));
    expect(next.text).toContain('data-job="4"');
  });

  test("a queue that does not exist says so, where a mistyped name read as a real, empty queue", async () => {
    await start();
    const web = await signedIn("viewer");
    await server.service.enqueue("emails", {});
    expect((await web.get("/queues/emials")).text).toContain("No queue is named <code>emials</code> yet");
    expect((await web.get("/queues/emails")).text).not.toContain("data-unknown-queue");
  });

  test("the overview lists paused queues with what waits on them, and counts only the workers an operator runs", async () => {
    await start();
    const web = await signedIn("viewer");
    await server.service.enqueueMany("reports", [{}, {}, { delayMs: 60_000 }]);
    await server.service.pauseQueue("reports", true);
    await server.service.pauseQueue("idle", true);
    const overview = await web.get("/");
    expect(overview.text).toContain('<a href="/queues/reports"><code>reports</code></a>: 3 jobs wait for it to resume');
    expect(overview.text).toContain('<a href="/queues/idle"><code>idle</code></a>: nothing waits for it to resume');
    // The server's own maintenance worker is online, but it is not one of the operator's.
    const admin = bearer(await tokenFor(server, "admin"));
    const own = async () => ((await server.call("GET", "/v1/workers", undefined, admin)).body.workers as { online: boolean; queues: string[] }[]);
    await waitFor(async () => (await own()).some((w) => w.online && w.queues.includes("spool:maintenance")));
    expect(onlineOf(overview)).toBe("0");
    expect((await server.call("POST", "/v1/queues/mail/claim", { workerId: "mailer-1" }, admin)).status).toBe(200);
    expect(onlineOf(await web.get("/"))).toBe("1");
  });
});
