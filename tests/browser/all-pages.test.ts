/**
 * Every dashboard page in Chromium, at desktop and phone width, on a server with real data:
 * it renders, logs no console error, fails no request, and never scrolls sideways.
 * The same on a server whose queue lives in Redis, when one answers. With SPOOL_SCREENSHOTS=DIR
 * it also saves a screenshot of each (for the README; SQLite run only).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Browser } from "playwright-core";
import { bearer } from "../helpers/api.ts";
import { hasChromium, horizontalOverflow, openTab, openBrowserWorld, signIn, type BrowserWorld } from "../helpers/browser.ts";
import { freshPrefix, REDIS_URL, redisAvailable } from "../helpers/redis.ts";
import type { TestServer } from "../helpers/server.ts";
import type { ServeConfig } from "../../src/server.ts";
import { waitFor } from "../helpers/wait.ts";

let world: BrowserWorld;
let browser: Browser;
let server: TestServer;
let admin: string;
let pages: [string, string][] = [];
const shots = process.env.SPOOL_SCREENSHOTS;

/** A little of everything: keyed and plain jobs, failures of two kinds, a blocked lane, a worker, a schedule, a report. */
async function seed(): Promise<void> {
  const auth = bearer(admin);
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await server.call(method, path, body, auth);
    if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  };
  await call("PUT", "/v1/queues/orders", { laneOnFailure: "block", concurrency: 20, target: null });
  const jobs = Array.from({ length: 40 }, (_, i) => ({ key: `shop-${i % 6}`, payload: { order: 1000 + i, sku: `SKU-${i}` }, maxAttempts: 1 }));
  await call("POST", "/v1/queues/orders/jobs/batch", { jobs });
  await call("POST", "/v1/queues/emails/jobs/batch", { jobs: Array.from({ length: 25 }, (_, i) => ({ payload: { to: `user${i}@example.com` } })) });
  const claimed = (await call("POST", "/v1/queues/orders/claim", { workerId: "enricher-1", max: 6, leaseMs: 60_000 })).jobs;
  for (const [i, job] of claimed.entries()) {
    if (i < 3) await call("POST", `/v1/jobs/${job.id}/complete`, { token: job.lease.token, result: { enriched: true } });
    else await call("POST", `/v1/jobs/${job.id}/fail`, { token: job.lease.token, error: { message: i % 2 ? "shop API timed out" : "card declined", type: i % 2 ? "Timeout" : "PaymentError", stack: "Error: card declined\n    at enrich (enrich.js:42:7)" } });
  }
  const [running] = (await call("POST", "/v1/queues/emails/claim", { workerId: "mailer-1", max: 1, leaseMs: 60_000 })).jobs;
  await call("POST", `/v1/jobs/${running.id}/heartbeat`, { token: running.lease.token, progress: { current: 3, total: 10, message: "sending" } });
  // Enough finished jobs, a third of them failed, for the failure_rate alert to fire.
  await call("POST", "/v1/queues/enrich/jobs/batch", { jobs: Array.from({ length: 30 }, (_, i) => ({ payload: { product: i }, maxAttempts: 1 })) });
  const enriching = (await call("POST", "/v1/queues/enrich/claim", { workerId: "enricher-2", max: 30, leaseMs: 60_000 })).jobs;
  for (const [i, job] of enriching.entries()) {
    if (i % 3) await call("POST", `/v1/jobs/${job.id}/complete`, { token: job.lease.token, result: { ok: true } });
    else await call("POST", `/v1/jobs/${job.id}/fail`, { token: job.lease.token, error: { message: "upstream 502", type: "BadGateway" } });
  }
  await call("POST", "/v1/schedules/spool:health/trigger");
  await waitFor(async () => (await call("GET", "/v1/alerts?state=firing")).alerts.length > 0, 15_000, "an alert to fire");
  await call("POST", "/v1/schedules", { name: "nightly-sync", cron: "0 3 * * *", timezone: "Europe/Berlin", queue: "orders", payload: { full: true } });
  await call("POST", "/v1/schedules/spool:daily-report/trigger");
  // The report is built by spool's own maintenance worker; wait until it is stored.
  let date = "";
  await waitFor(async () => {
    const [latest] = (await call("GET", "/v1/reports/daily")).reports;
    date = latest?.date ?? "";
    return date !== "";
  }, 15_000, "the daily report");
  pages = [
    ["overview", "/"], ["queues", "/queues"], ["queue", "/queues/orders"], ["queue-failed", "/queues/orders?state=failed"],
    ["queue-settings", "/queues/orders/settings"], ["job", `/jobs/${claimed[3].id}`], ["job-running", `/jobs/${running.id}`],
    ["workers", "/workers"], ["schedules", "/schedules"], ["schedule", "/schedules/nightly-sync"], ["lanes", "/lanes"],
    ["errors", "/errors"], ["alerts", "/alerts?state=all"], ["reports", "/reports"], ["report", `/reports/${date}`], ["server", "/server"],
  ];
}

const stores: [string, () => Partial<ServeConfig>][] = [["SQLite", () => ({})]];
if (hasChromium && (await redisAvailable())) stores.push(["Redis", () => ({ redis: { url: REDIS_URL, prefix: freshPrefix() } })]);

for (const [store, config] of stores) {
  describe.skipIf(!hasChromium)(`every page in a browser, queue on ${store}`, () => {
    beforeAll(async () => {
      ({ server, admin, browser } = world = await openBrowserWorld(config()));
      await seed();
      if (shots) mkdirSync(shots, { recursive: true });
    }, 60_000);
    afterAll(() => world?.close());

    for (const [width, label] of [[1280, "desktop"], [390, "phone"]] as const) {
      test(`each page renders at ${label} width with no console error and no sideways scroll`, async () => {
        const { page, problems } = await openTab(browser, { width, height: label === "phone" ? 844 : 900 });
        await signIn(page, server.url, admin);
        const overflowing: string[] = [];
        for (const [name, path] of pages) {
          const res = await page.goto(server.url + path);
          expect({ path, status: res?.status() }).toEqual({ path, status: 200 });
          await page.locator("h1").first().waitFor({ timeout: 15_000 });
          if ((await horizontalOverflow(page)) > 0) overflowing.push(path);
          if (shots && store === "SQLite") await page.screenshot({ path: join(shots, `${name}-${label}.png`), fullPage: true });
        }
        expect(overflowing).toEqual([]);
        expect(problems).toEqual([]);
      }, 120_000);
    }

    test("metrics, health, stats, errors and lanes answer from the same data", async () => {
      const auth = bearer(admin);
      const metrics = await fetch(`${server.url}/metrics`, { headers: auth });
      expect(metrics.status).toBe(200);
      expect(await metrics.text()).toMatch(/spool_jobs\{[^}]*queue="orders"/);
      const health = await server.call("GET", "/v1/health", undefined, auth);
      expect(health.body.alerts.length).toBeGreaterThan(0);
      const stats = await server.call("GET", "/v1/stats", undefined, auth);
      expect(stats.status).toBe(200);
      const errors = await server.call("GET", "/v1/errors", undefined, auth);
      expect(errors.body.groups.map((g: { type: string }) => g.type)).toEqual(expect.arrayContaining(["PaymentError", "Timeout", "BadGateway"]));
      const lanes = await server.call("GET", "/v1/lanes?queue=orders", undefined, auth);
      expect(lanes.body.lanes.some((l: { status: string }) => l.status === "blocked")).toBe(true);
    });
  });
}
