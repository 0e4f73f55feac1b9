/** The dashboard's Errors and Reports pages over HTTP: groups from real failures, a group's failures by cursor, group retry in batches, reports. */
import { afterEach, describe, expect, test } from "bun:test";
import { TestClock } from "../src/core/clock.ts";
import { bearer, claim, enqueue, tokenFor } from "./helpers/api.ts";
import { DashboardSession } from "./helpers/dashboard.ts";
import { startTestServer, type TestServer } from "./helpers/server.ts";

const HOUR = 3_600_000;

let server: TestServer;
let clock: TestClock;
let admin: string;
afterEach(() => server?.close());

async function start() {
  clock = new TestClock("2026-01-05T10:00:00Z");
  server = await startTestServer({}, clock);
  admin = await tokenFor(server, "admin");
}

async function session(token: string) {
  const web = new DashboardSession(server);
  expect((await web.signIn(token)).status).toBe(303);
  expect((await web.get("/errors")).status).toBe(200);
  return web;
}

/** One job over HTTP whose attempts fail with these types, the last one for good; returns its id. */
async function failingJob(queue: string, types: string[]): Promise<string> {
  const job = await enqueue(server, queue, { maxAttempts: types.length, backoff: { type: "fixed", delayMs: 0 } }, bearer(admin));
  for (const type of types) {
    const [leased] = await claim(server, queue, {}, bearer(admin));
    const res = await server.call("POST", `/v1/jobs/${job.id}/fail`, { token: leased.lease.token, error: { type, message: `${type} on ${job.id}` } }, bearer(admin));
    expect(res.status).toBe(200);
  }
  return job.id;
}

/** Many jobs failed for good with one type, in process (the HTTP round trips would only slow the test). */
async function failMany(queue: string, type: string, n: number): Promise<string[]> {
  const outcomes = await server.service.enqueueMany(queue, Array.from({ length: n }, () => ({ payload: {}, maxAttempts: 1 })));
  const ids: string[] = [];
  while (ids.length < n) {
    for (const job of await server.service.claim({ queue, workerId: "w", max: 1000 })) {
      await server.service.fail({ id: job.id, token: job.leaseToken!, error: { type, message: `${type} #${job.id}` } });
      ids.push(job.id);
    }
  }
  expect(outcomes).toHaveLength(n);
  return ids;
}

const state = async (id: string) => (await server.call("GET", `/v1/jobs/${id}`, undefined, bearer(admin))).body.state;
const rowIds = (html: string) => [...html.matchAll(/data-failure="(\d+)"/g)].map((m) => m[1]!);

describe("errors pages", () => {
  test("groups match the real failures by queue and type, filter by queue and window, and link to each group's jobs", async () => {
    await start();
    await failingJob("mail", ["smtp"]);
    const newest = await failingJob("mail", ["dns", "smtp"]);
    await failingJob("pay", ["card_declined"]);
    const web = await session(admin);
    const page = (await web.get("/errors")).text;
    const api = (await server.call("GET", "/v1/errors", undefined, bearer(admin))).body.groups;
    expect(api.map((g: any) => `${g.queue}/${g.type}`).sort()).toEqual(["mail/dns", "mail/smtp", "pay/card_declined"]);
    for (const g of api) {
      const row = page.split(`data-group="${g.queue}/${g.type}"`)[1]!.split("</tr>")[0]!;
      expect(row).toContain(`<strong>${g.count}</strong>`);
      expect(row).toContain(`href="/errors/${g.queue}/${g.type}?since=`);
      expect(row).toContain(`href="/jobs/${g.sample.jobId}"`);
      expect(row).toContain("<polyline");
    }
    expect(page).toContain(`href="/jobs/${newest}"`);
    const pay = (await web.get("/errors?queue=pay")).text;
    expect(pay).toContain('data-group="pay/card_declined"');
    expect(pay).not.toContain('data-group="mail/smtp"');
    clock.advance(2 * HOUR);
    const lastHour = await web.get(`/errors?since=${new Date(clock.now() - HOUR).toISOString()}`);
    expect(lastHour.text).toContain("No failures in this window.");
    // An alert's old link still answers: the window is brought within the seven days kept.
    expect((await web.get("/errors?queue=mail&since=2025-11-01T00:00:00Z")).status).toBe(200);
    const bad = await web.get("/errors?since=yesterday-ish");
    expect(bad.status).toBe(400);
    expect(bad.text).toContain("since must be an ISO 8601 time");
  });

  test("a group's failed attempts are listed newest first and paged by cursor", async () => {
    await start();
    const ids = await failMany("bulk", "boom", 60);
    await failMany("bulk", "other", 3);
    const web = await session(admin);
    const first = (await web.get("/errors/bulk/boom")).text;
    expect(rowIds(first)).toEqual(ids.slice(-50).reverse());
    const older = first.match(/href="(\/errors\/bulk\/boom\?since=[^"]+&amp;cursor=\d+)"/)?.[1]!.replace(/&amp;/g, "&");
    expect(older).toBeDefined();
    const second = (await web.get(older!)).text;
    expect(rowIds(second)).toEqual(ids.slice(0, 10).reverse());
    expect(second).not.toContain('rel="next"');
    expect((await web.get("/errors/bulk/boom?cursor=abc")).status).toBe(400);
  });

  test("retrying a group retries exactly the still-failed jobs whose last error has its type, in bounded batches with progress", async () => {
    await start();
    const smtp = [await failingJob("mail", ["smtp"]), await failingJob("mail", ["smtp"]), await failingJob("mail", ["dns", "smtp"])];
    const recovered = await failingJob("mail", ["smtp"]);
    expect((await server.call("POST", `/v1/jobs/${recovered}/retry`, {}, bearer(admin))).status).toBe(200);
    const [again] = await claim(server, "mail", {}, bearer(admin));
    expect((await server.call("POST", `/v1/jobs/${recovered}/complete`, { token: again.lease.token }, bearer(admin))).status).toBe(200);
    const dns = await failingJob("mail", ["smtp", "dns"]);
    const elsewhere = await failingJob("pay", ["smtp"]);

    const viewer = await session(await tokenFor(server, "viewer"));
    expect((await viewer.get("/errors/mail/smtp")).text).not.toContain("Retry this group");
    expect((await viewer.post("/errors/mail/smtp/retry")).status).toBe(403);
    const web = await session(admin);
    const group = (await web.get("/errors/mail/smtp")).text;
    expect(group).toContain("Retry this group");
    expect(group).toMatch(/data-retry-bound[^>]*>4</);
    expect((await web.post("/errors/mail/smtp/retry", {}, { csrf: null })).status).toBe(403);

    const done = await web.post("/errors/mail/smtp/retry", { total: "4" });
    expect(done.status).toBe(200);
    expect(done.text).toContain('data-retry-done="3"');
    expect(done.headers.get("hx-trigger")).toBe("spool:changed");
    for (const id of smtp) expect(await state(id)).toBe("waiting");
    expect(await state(recovered)).toBe("completed");
    expect(await state(dns)).toBe("failed");
    expect(await state(elsewhere)).toBe("failed");
  });

  test("a large group is retried 500 at a time, each answer saying how far it got and asking for the next", async () => {
    await start();
    await failMany("bulk", "boom", 520);
    const web = await session(admin);
    const step = await web.post("/errors/bulk/boom/retry", { total: "520" });
    expect(step.text).toContain('hx-trigger="load"');
    expect(step.text).toContain("500 of at most 520 done");
    expect(step.text).toContain('name="done" value="500"');
    expect(step.headers.get("hx-trigger")).toBeNull();
    const last = await web.post("/errors/bulk/boom/retry", { total: "520", done: "500" });
    expect(last.text).toContain('data-retry-done="520"');
    expect((await server.call("GET", "/v1/queues/bulk", undefined, bearer(admin))).body.counts.failed).toBe(0);
  });
});

describe("reports pages", () => {
  test("a report built from real jobs is listed and rendered with its figures, charts and JSON link; viewers cannot build", async () => {
    await start();
    const done = await enqueue(server, "mail", {}, bearer(admin));
    const [leased] = await claim(server, "mail", {}, bearer(admin));
    clock.advance(1500);
    expect((await server.call("POST", `/v1/jobs/${done.id}/complete`, { token: leased.lease.token }, bearer(admin))).status).toBe(200);
    await failingJob("mail", ["smtp"]);
    const web = await session(admin);
    expect((await web.get("/reports")).text).toContain("No report yet");
    const built = await web.post("/reports/build", { day: "today" });
    expect(built.status).toBe(200);
    const date = built.text.match(/href="\/reports\/(\d{4}-\d{2}-\d{2})"/)?.[1];
    expect(built.text).toContain("1 completed, 1 failed");
    expect((await web.get("/reports")).text).toContain(`data-report="${date}"`);
    const report = (await web.get(`/reports/${date}`)).text;
    expect(report).toContain(`href="/v1/reports/daily/${date}"`);
    expect(report).toContain("Download JSON");
    expect(report).toContain(`href="/jobs/${done.id}"`);
    expect(report).toContain("1.5 s");
    expect(report).toContain("50 %");
    expect(report).toContain(">smtp</text>");
    expect(report).toContain("Peak hour");
    expect(report.match(/<svg class="chart"/g)?.length).toBe(3);
    expect(report).toContain('data-queue="mail"');

    const viewer = new DashboardSession(server);
    await viewer.signIn(await tokenFor(server, "viewer"));
    const seen = (await viewer.get("/reports")).text;
    expect(seen).toContain(`data-report="${date}"`);
    expect(seen).not.toContain("/reports/build");
    expect((await viewer.post("/reports/build", { day: "today" })).status).toBe(403);
  });

  test("a date that does not exist is a 400 page, a day without a report a 404 page, never a 500", async () => {
    await start();
    const web = await session(admin);
    for (const bad of ["2026-02-30", "2026-13-01", "yesterday", "99999-01-01"]) {
      const res = await web.get(`/reports/${bad}`);
      expect(res.status).toBe(400);
      expect(res.text).toContain("is not a date");
    }
    const missing = await web.get("/reports/2020-01-01");
    expect(missing.status).toBe(404);
    expect(missing.text).toContain("Not found");
  });
});
