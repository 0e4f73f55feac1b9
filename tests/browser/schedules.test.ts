/** Schedules, Errors and Reports in Chromium: next runs in their zone, the form's live preview, a group's jobs and its retry, phone width. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Browser } from "playwright-core";
import { isoInZone } from "../../src/scheduler/timing.ts";
import { bearer, claim, enqueue } from "../helpers/api.ts";
import { hasChromium, horizontalOverflow, openTab, openBrowserWorld, signIn, type BrowserWorld } from "../helpers/browser.ts";
import type { TestServer } from "../helpers/server.ts";

let world: BrowserWorld;
let browser: Browser;
let server: TestServer;
let admin: string;
let reportDate: string;
let failedJob: string;

describe.skipIf(!hasChromium)("schedules, errors and reports in a browser", () => {
  beforeAll(async () => {
    ({ server, admin, browser } = world = await openBrowserWorld());
    const created = await server.call("POST", "/v1/schedules", { name: "berlin-nightly", cron: "0 3 * * *", timezone: "Europe/Berlin", queue: "exports" }, bearer(admin));
    expect(created.status).toBe(201);
    const job = await enqueue(server, "mail", { maxAttempts: 1 }, bearer(admin));
    const [leased] = await claim(server, "mail", {}, bearer(admin));
    await server.call("POST", `/v1/jobs/${job.id}/fail`, { token: leased.lease.token, error: { type: "smtp", message: "mx did not answer" } }, bearer(admin));
    failedJob = job.id;
    reportDate = (await server.monitor.dailyReport()).report.date;
  });
  afterAll(() => world?.close());

  test("a schedule's next run is shown in its own zone, and the add form previews fires as it is typed", async () => {
    const { page, problems } = await openTab(browser);
    await signIn(page, server.url, admin);
    await page.goto(server.url + "/schedules");
    const next = (await server.call("GET", "/v1/schedules/berlin-nightly", undefined, bearer(admin))).body.nextFireAt;
    const shown = page.locator('[data-schedule="berlin-nightly"] [data-next] time[data-local]');
    expect(await shown.getAttribute("data-local")).toBe(isoInZone(Date.parse(next), "Europe/Berlin"));
    expect(await shown.textContent()).toContain("03:00:00");

    await page.fill("#sf-cron", "30 9 * * *");
    await page.fill("#sf-timezone", "Asia/Tokyo");
    await page.waitForFunction(() => document.querySelectorAll("#schedule-preview [data-fire]").length === 5, undefined, { timeout: 10_000 });
    const locals = await page.locator("#schedule-preview time[data-local]").evaluateAll((els) => els.map((e) => e.getAttribute("data-local")));
    expect(locals.every((l) => /T09:30:00\+09:00$/.test(l!))).toBe(true);
    // A live refresh of the page keeps what was typed and the preview.
    await page.evaluate(() => new Promise<void>((resolve) => {
      document.addEventListener("htmx:after:swap", () => resolve(), { once: true });
      (window as any).htmx.trigger(document.querySelector("#main"), "spool:refresh");
    }));
    expect(await page.inputValue("#sf-timezone")).toBe("Asia/Tokyo");
    expect(await page.locator("#schedule-preview [data-fire]").count()).toBe(5);

    await page.fill("#sf-cron", "99 * * * *");
    await page.locator("#schedule-preview [data-preview-error]").waitFor({ timeout: 10_000 });
    expect(await page.locator("#schedule-preview").textContent()).toContain("cron");

    await page.fill("#sf-cron", "30 9 * * *");
    await page.fill("#sf-name", "tokyo-morning");
    await page.fill("#sf-queue", "reports");
    await page.click("#schedule-form button[type=submit]");
    await page.locator("#flash .flash.ok").waitFor({ timeout: 10_000 });
    expect(await page.locator("#flash .flash.ok").textContent()).toContain("Added schedule tokyo-morning");
    await page.locator('[data-schedule="tokyo-morning"]').waitFor({ timeout: 10_000 });
    expect(await page.inputValue("#sf-name")).toBe("");
    expect(problems).toEqual([]);
  }, 30_000);

  test("the errors page links a group to its failed jobs, and the group can be retried with progress", async () => {
    const { page, problems } = await openTab(browser);
    await signIn(page, server.url, admin);
    await page.goto(server.url + "/errors");
    await Promise.all([page.waitForURL((url) => url.pathname === "/errors/mail/smtp"), page.click('[data-group="mail/smtp"] a:has-text("failed jobs")')]);
    expect(await page.locator(`[data-failure="${failedJob}"] a`).getAttribute("href")).toBe(`/jobs/${failedJob}`);
    page.on("dialog", (dialog) => dialog.accept());
    await page.click("text=Retry this group's failed jobs");
    await page.locator("[data-retry-done]").waitFor({ timeout: 10_000 });
    expect(await page.locator("[data-retry-done]").getAttribute("data-retry-done")).toBe("1");
    expect(problems).toEqual([]);
  }, 30_000);

  test("no horizontal overflow at 390 px on every page of the area", async () => {
    const { page, problems } = await openTab(browser, { width: 390, height: 844 });
    await signIn(page, server.url, admin);
    for (const path of ["/schedules", "/schedules/berlin-nightly", "/errors", "/errors/mail/smtp", "/reports", `/reports/${reportDate}`]) {
      await page.goto(server.url + path);
      await page.locator("h1").waitFor();
      expect({ path, overflow: await horizontalOverflow(page) }).toEqual({ path, overflow: 0 });
    }
    expect(problems).toEqual([]);
  }, 30_000);
});
