/** Monitoring over HTTP on a real server: stats, health and alerts from the spool:health schedule, daily reports, lanes, /metrics. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { TestClock } from "../src/core/clock.ts";
import { logFileOf } from "../src/monitor/channels/log-channel.ts";
import { bearer, claim, enqueue, expectError, tokenFor } from "./helpers/api.ts";
import { parseExposition, sampleValue } from "./helpers/prometheus.ts";
import { startTestServer, type TestServer } from "./helpers/server.ts";
import { waitFor } from "./helpers/wait.ts";

let server: TestServer;
const clock = new TestClock("2026-01-05T12:00:00Z");

beforeAll(async () => {
  server = await startTestServer({}, clock);
});
afterAll(() => server.close());

/** Runs a built-in maintenance schedule now and waits for its job to finish. */
async function runMaintenance(name: string) {
  // A fire is once per fire time: a second run needs the clock to have moved.
  clock.advance(1);
  const fired = await server.call("POST", `/v1/schedules/${name}/trigger`);
  expect(fired.status).toBe(201);
  let job: any;
  await waitFor(async () => {
    job = (await server.call("GET", `/v1/jobs/${fired.body.id}`)).body;
    return job.state === "completed" || job.state === "failed";
  }, 5000, `${name} to run`);
  expect(job).toMatchObject({ state: "completed" });
  return job;
}

async function failHead(queue: string) {
  const [job] = await claim(server, queue);
  const res = await server.call("POST", `/v1/jobs/${job.id}/fail`, { token: job.lease.token, error: { message: "qty mismatch", type: "conflict" } });
  expect(res.status).toBe(200);
  return job;
}

describe("monitoring API", () => {
  test("GET /v1/stats: counts, throughput and timings per queue and in total", async () => {
    await enqueue(server, "stats-q");
    await enqueue(server, "stats-q");
    const [job] = await claim(server, "stats-q");
    clock.advance(250);
    await server.call("POST", `/v1/jobs/${job.id}/complete`, { token: job.lease.token });
    const res = await server.call("GET", "/v1/stats");
    expect(res.status).toBe(200);
    expect(res.body.at).toBe(new Date(clock.now()).toISOString());
    const q = res.body.queues.find((x: any) => x.queue === "stats-q");
    expect(q.counts).toMatchObject({ waiting: 1, completed: 1 });
    expect(q.lastHour).toMatchObject({ enqueued: 2, started: 1, completed: 1, failureRate: 0, runTime: { avgMs: 250 } });
    expect(res.body.lastDay.completed).toBeGreaterThanOrEqual(1);
    // Totals are of the operator's queues: spool's own maintenance jobs are listed, not counted in them.
    await runMaintenance("spool:health");
    const after = (await server.call("GET", "/v1/stats")).body;
    const own = after.queues.find((x: any) => x.queue === "spool:maintenance");
    expect(own.lastHour.completed).toBeGreaterThanOrEqual(1);
    const yours = after.queues.filter((x: any) => !x.queue.startsWith("spool:"));
    expect(after.lastHour.completed).toBe(yours.reduce((n: number, x: any) => n + x.lastHour.completed, 0));
    expect(after.counts.completed).toBe(yours.reduce((n: number, x: any) => n + x.counts.completed, 0));
  });

  test("the spool:health schedule fires alerts; GET /v1/health scores them; alerts are listed, logged and acknowledged", async () => {
    await enqueue(server, "nobody-works-here");
    clock.advance(1000);
    await runMaintenance("spool:health");
    // No worker of it was ever seen: worker_down waits a minute from then.
    clock.advance(60_000);
    await runMaintenance("spool:health");
    const health = await server.call("GET", "/v1/health");
    expect(health.status).toBe(200);
    expect(health.body.checks.map((c: any) => [c.name, c.status === "unknown" ? "unknown" : "measured"])).toEqual([["store", "measured"], ["disk", "measured"], ["alerts", "measured"]]);
    expect(health.body.checks[2]).toMatchObject({ status: "ok", message: "alerts evaluated 0 s ago" });
    expect(health.body.checks[0].status).toBe("ok");
    const down = health.body.alerts.find((a: any) => a.rule === "worker_down" && a.subject === "nobody-works-here");
    expect(down).toMatchObject({ severity: "error", state: "firing" });
    expect(health.body.score).toBeLessThanOrEqual(70);
    expect(["degraded", "unhealthy"]).toContain(health.body.status);

    const firing = await server.call("GET", "/v1/alerts?state=firing");
    expect(firing.body.alerts.map((a: any) => a.id)).toContain(down.id);
    const acked = await server.call("POST", `/v1/alerts/${down.id}/ack`);
    expect(acked.status).toBe(200);
    expect(acked.body).toMatchObject({ id: down.id, ackedAt: new Date(clock.now()).toISOString(), ackedBy: "admin" });
    expectError(await server.call("POST", "/v1/alerts/424242/ack"), 404, "not_found");
    expectError(await server.call("GET", "/v1/alerts?state=sleeping"), 400, "validation_failed");

    await server.monitor.notifier.idle();
    expect(readFileSync(logFileOf(server.dataDir, "error"), "utf8")).toContain("FIRING error worker_down (nobody-works-here)");

    // A worker shows up: the next evaluation resolves the alert.
    const [job] = await claim(server, "nobody-works-here");
    expect(job).toBeDefined();
    await runMaintenance("spool:health");
    const after = await server.call("GET", "/v1/alerts?state=resolved");
    expect(after.body.alerts.find((a: any) => a.id === down.id)).toMatchObject({ state: "resolved", ackedBy: "admin" });
  });

  test("the spool:daily-report schedule stores yesterday's report, served by date and written under reports/daily/", async () => {
    clock.set("2026-01-06T02:00:00Z");
    await runMaintenance("spool:daily-report");
    const list = await server.call("GET", "/v1/reports/daily");
    expect(list.body.reports.map((r: any) => r.date)).toEqual(["2026-01-05"]);
    const report = await server.call("GET", "/v1/reports/daily/2026-01-05");
    expect(report.status).toBe(200);
    expect(report.body).toMatchObject({ date: "2026-01-05", from: "2026-01-05T00:00:00.000Z", to: "2026-01-06T00:00:00.000Z" });
    expect(report.body.queues.find((q: any) => q.queue === "stats-q")).toMatchObject({ enqueued: 2, completed: 1, runTime: { avgMs: 250 } });
    // The day's four health runs (three by the schedule, one by hand above) are spool's own
    // maintenance jobs: listed, not counted in the day's totals.
    expect(report.body.queues.find((q: any) => q.queue === "spool:maintenance")).toMatchObject({ completed: 4 });
    const yours = report.body.queues.filter((q: any) => !q.queue.startsWith("spool:"));
    expect(report.body.totals.completed).toBe(yours.reduce((n: number, q: any) => n + q.completed, 0));
    expect(report.body.hourly.reduce((n: number, h: any) => n + h.completed, 0)).toBe(report.body.totals.completed);
    const file = join(server.dataDir, "reports", "daily", "2026-01-05.json");
    expect(existsSync(file)).toBe(true);
    expect(JSON.parse(readFileSync(file, "utf8"))).toEqual(report.body);
    expectError(await server.call("GET", "/v1/reports/daily/2026-01-04"), 404, "not_found");
    for (const date of ["2026-02-30", "2026-13-01", "2026-00-10", "2026-01-32", "0000-00-00"]) {
      expectError(await server.call("GET", `/v1/reports/daily/${date}`), 400, "validation_failed");
    }
  });

  test("after a downtime, the caught-up daily report is of the day before the missed fire, not before the day it runs", async () => {
    // Down from before 2026-01-07T02:00 until 2026-01-08T01:30: the scheduler catches up that fire once.
    clock.set("2026-01-08T01:30:00Z");
    const dates = async () => (await server.call("GET", "/v1/reports/daily")).body.reports.map((r: any) => r.date);
    await waitFor(async () => (await dates()).includes("2026-01-06"), 10_000, "the report of 2026-01-06");
    expect(await dates()).not.toContain("2026-01-07");
  });

  test("lanes: list blocked and busy lanes, retry or skip a blocked lane's head", async () => {
    expect((await server.call("PUT", "/v1/queues/orders", { laneOnFailure: "block" })).status).toBe(200);
    const head = await enqueue(server, "orders", { key: "wo-1", maxAttempts: 1 });
    const next = await enqueue(server, "orders", { key: "wo-1" });
    await enqueue(server, "orders", { key: "wo-2" });
    await failHead("orders");
    const lanes = await server.call("GET", "/v1/lanes?queue=orders");
    expect(lanes.status).toBe(200);
    expect(lanes.body.lanes).toEqual([
      {
        queue: "orders", key: "wo-1", status: "blocked", headJobId: head.id, headState: "failed", depth: 1,
        lastError: { type: "conflict", message: "qty mismatch", at: new Date(clock.now()).toISOString() }, since: new Date(clock.now()).toISOString(),
      },
      expect.objectContaining({ key: "wo-2", status: "busy", depth: 0 }),
    ]);
    const retried = await server.call("POST", "/v1/lanes/retry", { queue: "orders", key: "wo-1" });
    expect(retried.body).toMatchObject({ id: head.id, state: "waiting" });
    expectError(await server.call("POST", "/v1/lanes/retry", { queue: "orders", key: "wo-1" }), 409, "conflict");
    expect((await claim(server, "orders", { max: 2 })).map((j) => j.key).sort()).toEqual(["wo-1", "wo-2"]);
    const again = (await server.call("GET", `/v1/jobs/${head.id}`)).body;
    expect(again.state).toBe("active");
    await server.call("POST", `/v1/jobs/${head.id}/fail`, { token: (await server.store.jobGet({ id: head.id }))!.leaseToken, error: { message: "still wrong" } });
    const skipped = await server.call("POST", "/v1/lanes/skip", { queue: "orders", key: "wo-1" });
    expect(skipped.body).toEqual({ queue: "orders", key: "wo-1", skipped: true });
    expect((await server.call("GET", `/v1/jobs/${next.id}`)).body.state).toBe("waiting");
    expectError(await server.call("POST", "/v1/lanes/skip", { queue: "orders", key: "wo-1" }), 409, "conflict");
    expectError(await server.call("GET", "/v1/lanes"), 400, "validation_failed");
  });

  test("GET /metrics is valid exposition text with the server's figures, public on loopback", async () => {
    const res = await fetch(`${server.url}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toStartWith("text/plain; version=0.0.4");
    const m = parseExposition(await res.text());
    expect(sampleValue(m, "spool_jobs", { queue: "stats-q", state: "completed" })).toBe(1);
    expect(sampleValue(m, "spool_jobs_finished_total", { queue: "stats-q", outcome: "completed" })).toBe(1);
    expect(sampleValue(m, "spool_job_run_seconds_count", { queue: "stats-q" })).toBe(1);
    expect(sampleValue(m, "spool_workers_online")).toBeGreaterThanOrEqual(1);
    expect(m.get("spool_alerts_firing")!.type).toBe("gauge");
  });
});

describe("/metrics access", () => {
  let secured: TestServer;
  beforeAll(async () => {
    secured = await startTestServer();
  });
  afterAll(() => secured.close());

  test("with tokens, callers off loopback need one that may read", async () => {
    const token = await tokenFor(secured, "viewer");
    expect((await fetch(`${secured.url}/metrics`)).status).toBe(200);
    // In-process requests have no loopback address: they are treated like remote callers.
    expect((await secured.app.request("/metrics")).status).toBe(401);
    const ok = await secured.app.request("/metrics", { headers: bearer(token) });
    expect(ok.status).toBe(200);
    parseExposition(await ok.text());
    expectError(await secured.call("GET", "/v1/stats"), 401, "unauthorized");
    expect((await secured.call("GET", "/v1/stats", undefined, bearer(token))).status).toBe(200);
    expectError(await secured.call("POST", "/v1/alerts/1/ack", undefined, bearer(token)), 403, "forbidden");
  });
});
