/** Alerts and roles in Chromium: acknowledge a firing alert and follow it to its jobs; a viewer sees no control and is refused. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Browser } from "playwright-core";
import { bearer, tokenFor } from "../helpers/api.ts";
import { hasChromium, openTab, openBrowserWorld, signIn, type BrowserWorld } from "../helpers/browser.ts";
import type { TestServer } from "../helpers/server.ts";
import { waitFor } from "../helpers/wait.ts";

let world: BrowserWorld;
let browser: Browser;
let server: TestServer;
let admin: string;
let viewer: string;
const WAIT = { timeout: 15_000 };

describe.skipIf(!hasChromium)("alerts and roles in a browser", () => {
  beforeAll(async () => {
    ({ server, admin, browser } = world = await openBrowserWorld());
    viewer = await tokenFor(server, "viewer");
    // Twenty-four finished jobs of "billing", half failed: failure_rate fires on billing.
    const auth = bearer(admin);
    await server.call("POST", "/v1/queues/billing/jobs/batch", { jobs: Array.from({ length: 24 }, (_, i) => ({ payload: { i }, maxAttempts: 1 })) }, auth);
    const { jobs } = (await server.call("POST", "/v1/queues/billing/claim", { workerId: "b", max: 24 }, auth)).body;
    for (const [i, job] of jobs.entries()) {
      if (i % 2) await server.call("POST", `/v1/jobs/${job.id}/complete`, { token: job.lease.token }, auth);
      else await server.call("POST", `/v1/jobs/${job.id}/fail`, { token: job.lease.token, error: { message: "card declined", type: "PaymentError" } }, auth);
    }
    await server.monitor.healthTick();
    await waitFor(async () => (await server.call("GET", "/v1/alerts?state=firing", undefined, auth)).body.alerts.length > 0, 15_000, "failure_rate to fire");
  }, 60_000);
  afterAll(() => world?.close());

  test("acknowledge a firing alert, then follow its link to the failed jobs grouped by error type", async () => {
    const { page, problems } = await openTab(browser);
    page.on("dialog", (d) => void d.accept());
    await signIn(page, server.url, admin);
    await page.goto(server.url + "/alerts");
    const row = page.locator('tr[data-alert="failure_rate"]');
    await row.waitFor(WAIT);
    await row.getByRole("button", { name: "Acknowledge" }).click();
    await page.locator("#flash .flash", { hasText: "Acknowledged failure_rate on billing" }).waitFor(WAIT);
    await row.getByText("acknowledged").waitFor(WAIT);
    await row.getByRole("link", { name: /See failed jobs/ }).click();
    await page.waitForURL((url) => url.pathname === "/errors" && url.searchParams.get("queue") === "billing", WAIT);
    expect(await page.locator("main").textContent()).toContain("PaymentError");
    expect(problems).toEqual([]);
  }, 60_000);

  test("a viewer sees no control on any page, and a post it forges from the page is refused", async () => {
    const { page, problems } = await openTab(browser);
    await signIn(page, server.url, viewer);
    for (const path of ["/", "/queues", "/queues/billing", "/alerts", "/schedules", "/server"]) {
      await page.goto(server.url + path);
      await page.locator("h1").first().waitFor(WAIT);
      expect({ path, controls: await page.locator("main form[method=post] button, main [hx-post]").count() }).toEqual({ path, controls: 0 });
    }
    // The page's own CSRF token and cookie, a real request from the browser: still 403.
    const status = await page.evaluate(async () => {
      const csrf = JSON.parse(document.body.getAttribute("hx-headers:inherited") ?? "{}")["X-CSRF-Token"];
      const res = await fetch("/queues/billing/pause", { method: "POST", headers: { "X-CSRF-Token": csrf, "HX-Request": "true" } });
      return res.status;
    });
    expect(status).toBe(403);
    expect((await server.call("GET", "/v1/queues/billing", undefined, bearer(admin))).body.paused).toBe(false);
    expect(problems.filter((p) => !p.includes("403"))).toEqual([]);
  }, 60_000);
});
