/** GET /v1/errors on a real server: failures of real jobs grouped by queue and error type, with counts, times, a series and a sample. */
import { afterEach, describe, expect, test } from "bun:test";
import { TestClock } from "../src/core/clock.ts";
import { bearer, claim, enqueue, expectError, tokenFor } from "./helpers/api.ts";
import { startTestServer, type TestServer } from "./helpers/server.ts";

const HOUR = 3_600_000;
const MINUTE = 60_000;
const T0 = "2026-01-05T00:00:10Z";

let server: TestServer;
let clock: TestClock;
afterEach(() => server?.close());

/** A server under a test clock that serves GET /v1/errors. */
async function start(adminToken: string | null = null) {
  clock = new TestClock(T0);
  server = await startTestServer({ adminToken }, clock);
}

/** Runs one job whose attempts fail with the given error types, the last one for good; returns the job's id. */
async function failingJob(queue: string, types: string[]): Promise<string> {
  const job = await enqueue(server, queue, { maxAttempts: types.length, backoff: { type: "fixed", delayMs: 0 } });
  for (const [i, type] of types.entries()) {
    const [leased] = await claim(server, queue);
    expect(leased.id).toBe(job.id);
    const res = await server.call("POST", `/v1/jobs/${job.id}/fail`, { token: leased.lease.token, error: { type, message: `${type} on ${job.id} #${i + 1}` } });
    expect(res.status).toBe(200);
  }
  return job.id;
}

const at = (ms: number) => new Date(ms).toISOString();

async function errors(query = "", headers?: Record<string, string>) {
  const res = await server.call("GET", `/v1/errors${query}`, undefined, headers);
  expect(res.status).toBe(200);
  return res.body;
}

/** Failures of every test below: mail smtp ×5 (one job retried once), mail dns ×1, pay card_declined ×1, over six hours. */
async function sixHoursOfFailures() {
  const t0 = clock.now();
  await failingJob("mail", ["smtp"]);
  await failingJob("mail", ["smtp", "smtp"]);
  clock.advance(3 * HOUR);
  await failingJob("mail", ["smtp"]);
  const newestSmtp = await failingJob("mail", ["dns", "smtp"]);
  clock.advance(2 * HOUR);
  const declined = await failingJob("pay", ["card_declined"]);
  clock.advance(HOUR);
  return { t0, newestSmtp, declined };
}

describe("GET /v1/errors", () => {
  test("groups the last day's failures by queue and error type, most first, with first/last seen, a sample and a 24-point series", async () => {
    await start();
    const { t0, newestSmtp, declined } = await sixHoursOfFailures();
    const body = await errors();
    const end = clock.now() - (clock.now() % MINUTE) + MINUTE;
    expect(body).toMatchObject({ since: at(end - 24 * HOUR), until: at(clock.now()), stepMs: HOUR });
    const minute0 = t0 - (t0 % MINUTE);
    expect(body.groups.map((g: any) => [g.queue, g.type, g.count, g.firstSeen, g.lastSeen])).toEqual([
      ["mail", "smtp", 5, at(minute0), at(minute0 + 3 * HOUR)],
      ["pay", "card_declined", 1, at(minute0 + 5 * HOUR), at(minute0 + 5 * HOUR)],
      ["mail", "dns", 1, at(minute0 + 3 * HOUR), at(minute0 + 3 * HOUR)],
    ]);
    const [smtp, card] = body.groups;
    expect(smtp.sample).toEqual({ jobId: newestSmtp, message: `smtp on ${newestSmtp} #2` });
    expect(card.sample).toEqual({ jobId: declined, message: `card_declined on ${declined} #1` });

    // Every group has 24 hourly points from `since`; the counts land in the hours they happened.
    const since = Date.parse(body.since);
    for (const g of body.groups) {
      expect(g.series.map((p: any) => p.at)).toEqual(Array.from({ length: 24 }, (_, i) => at(since + i * HOUR)));
      expect(g.series.reduce((sum: number, p: any) => sum + p.n, 0)).toBe(g.count);
    }
    const hourOf = (ms: number) => at(since + Math.floor((ms - since) / HOUR) * HOUR);
    expect(smtp.series.filter((p: any) => p.n > 0)).toEqual([{ at: hourOf(t0), n: 3 }, { at: hourOf(t0 + 3 * HOUR), n: 2 }]);

    // The groups add up to every failed attempt the aggregates counted.
    const stats = (await server.call("GET", "/v1/stats")).body;
    const total = body.groups.reduce((sum: number, g: any) => sum + g.count, 0);
    expect(total).toBe(7);
    expect(total).toBe(stats.lastDay.failed + stats.lastDay.retried);
  });

  test("since narrows the window to whole minutes from the one holding it; queue keeps one queue", async () => {
    await start();
    const { t0 } = await sixHoursOfFailures();
    const since = t0 + 2 * HOUR;
    const body = await errors(`?since=${encodeURIComponent(at(since))}`);
    expect(body.since).toBe(at(since - (since % MINUTE)));
    expect(body.groups.map((g: any) => [g.queue, g.type, g.count])).toEqual([["mail", "smtp", 2], ["pay", "card_declined", 1], ["mail", "dns", 1]]);
    // 241 minutes (02:00 to 06:00 inclusive) in at most 24 points: 22 steps of 11 minutes.
    expect(body.stepMs).toBe(11 * MINUTE);
    expect(body.groups[0].series).toHaveLength(22);

    const pay = await errors("?queue=pay");
    expect(pay.groups.map((g: any) => [g.queue, g.type, g.count])).toEqual([["pay", "card_declined", 1]]);
    expect((await errors("?queue=nothing-failed-here")).groups).toEqual([]);
  });

  test("counts outlive the failed jobs; the sample goes with its job", async () => {
    await start();
    const { declined } = await sixHoursOfFailures();
    expect((await server.call("DELETE", `/v1/jobs/${declined}`)).status).toBe(204);
    const card = (await errors("?queue=pay")).groups[0];
    expect(card).toMatchObject({ type: "card_declined", count: 1, sample: null });
  });

  test("a since in the future, more than 7 days back or not a time, and a bad queue name, are refused with 400", async () => {
    await start();
    clock.advance(30 * 24 * HOUR);
    const now = clock.now();
    expect((await errors(`?since=${at(now - 7 * 24 * HOUR)}`)).stepMs).toBe(421 * MINUTE);
    expectError(await server.call("GET", `/v1/errors?since=${at(now - 7 * 24 * HOUR - 60_001)}`), 400, "validation_failed");
    expectError(await server.call("GET", `/v1/errors?since=${at(now + MINUTE)}`), 400, "validation_failed");
    const notATime = expectError(await server.call("GET", "/v1/errors?since=yesterday"), 400, "validation_failed");
    expect(notATime.details.map((d) => d.path)).toEqual(["query.since"]);
    expectError(await server.call("GET", "/v1/errors?queue=no%20spaces"), 400, "validation_failed");
  });

  test("any role may read errors; without a token the answer is 401", async () => {
    await start("env-admin-secret-errors-0123456789");
    for (const role of ["viewer", "producer", "worker", "admin"] as const) {
      expect((await server.call("GET", "/v1/errors", undefined, bearer(await tokenFor(server, role)))).status).toBe(200);
    }
    expectError(await server.call("GET", "/v1/errors"), 401, "unauthorized");
  });
});
