/** The Queues pages in Chromium: pause and resume (by keyboard too), filters, enqueue, a bulk action's batches, phone width, no console errors. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Browser, Page } from "playwright-core";
import { hasChromium, horizontalOverflow, openTab, openBrowserWorld, signIn, type BrowserWorld } from "../helpers/browser.ts";
import type { TestServer } from "../helpers/server.ts";

let world: BrowserWorld;
let browser: Browser;
let server: TestServer;
let admin: string;

const WAIT = { timeout: 15_000 };
/** A whole case, page loads and live refreshes included, on a busy machine. */
const TEST_MS = 60_000;

/** Ids of the jobs the list shows. */
const listed = (page: Page) => page.$$eval("[data-job]", (rows) => rows.map((r) => r.getAttribute("data-job")));

describe.skipIf(!hasChromium)("queues in a browser", () => {
  beforeAll(async () => {
    ({ server, admin, browser } = world = await openBrowserWorld());
    const { service } = server;
    await service.enqueueMany("emails", Array.from({ length: 12 }, (_, i) => ({ payload: { to: `user${i}@example.com`, city: i % 4 === 0 ? "Lyon" : "Oslo" }, key: `acct-${i % 3}` })));
    await service.enqueueMany("invoices", Array.from({ length: 5 }, (_, i) => ({ payload: { n: i }, maxAttempts: 1 })));
    for (const job of await service.claim({ queue: "invoices", workerId: "w", max: 5 })) {
      await service.fail({ id: job.id, token: job.leaseToken!, error: { type: "timeout", message: "upstream took too long" }, retry: false });
    }
  });
  afterAll(() => world?.close());

  test("pause a queue from the list and see it confirmed, then resume it", async () => {
    const { page, problems } = await openTab(browser);
    await signIn(page, server.url, admin);
    await page.goto(server.url + "/queues");
    await page.click('[data-queue="emails"] button:has-text("Pause")');
    await page.locator("#flash [data-flash]", { hasText: "Paused emails" }).waitFor(WAIT);
    await page.locator('[data-queue="emails"] .badge', { hasText: "paused" }).waitFor(WAIT);
    expect((await server.service.getQueue("emails")).paused).toBe(true);
    await page.click('[data-queue="emails"] button:has-text("Resume")');
    await page.locator("#flash [data-flash]", { hasText: "Resumed emails" }).waitFor(WAIT);
    await page.locator('[data-queue="emails"] .badge', { hasText: "running" }).waitFor(WAIT);
    expect(problems).toEqual([]);
  }, TEST_MS);

  test("filter a queue's jobs by key and by search; the filters stay in the URL", async () => {
    const { page, problems } = await openTab(browser);
    await signIn(page, server.url, admin);
    await page.goto(server.url + "/queues/emails");
    await page.locator("[data-job]").first().waitFor(WAIT);
    expect(await listed(page)).toHaveLength(12);
    await page.fill("#filter-key", "acct-1");
    await Promise.all([page.waitForURL((url) => url.searchParams.get("key") === "acct-1"), page.press("#filter-key", "Enter")]);
    const keyed = await page.$$eval("[data-job] td:nth-child(3)", (cells) => cells.map((c) => c.textContent));
    expect(keyed).toEqual(Array(4).fill("acct-1"));
    await page.fill("#filter-key", "");
    await page.fill("#filter-q", "Lyon");
    await Promise.all([page.waitForURL((url) => url.searchParams.get("q") === "Lyon"), page.press("#filter-q", "Enter")]);
    expect(await listed(page)).toHaveLength(3);
    await page.click('[data-tab="blocked"]');
    await page.waitForURL((url) => url.searchParams.get("state") === "blocked" && url.searchParams.get("q") === "Lyon");
    expect(problems).toEqual([]);
  }, TEST_MS);

  test("enqueue from the form: a refused field is marked, then the job is enqueued and appears in the list", async () => {
    const { page, problems } = await openTab(browser);
    await signIn(page, server.url, admin);
    await page.goto(server.url + "/queues/emails");
    await page.fill("#f-payload", '{"to": "grace@example.com"}');
    await page.fill("#f-key", "acct-9");
    await page.fill("#f-priority", "12");
    await page.click("[data-enqueue-form] button[type=submit]");
    await page.locator("#f-priority-error").waitFor(WAIT);
    expect(await page.inputValue("#f-key")).toBe("acct-9");
    await page.fill("#f-priority", "8");
    await page.click("[data-enqueue-form] button[type=submit]");
    const flash = page.locator("#flash [data-enqueued]");
    await flash.waitFor(WAIT);
    const id = await flash.getAttribute("data-enqueued");
    expect(await flash.locator("a").getAttribute("href")).toBe(`/jobs/${id}`);
    await page.locator(`[data-job="${id}"]`).waitFor(WAIT);
    expect(await page.inputValue("#f-key")).toBe("");
    expect((await server.service.getJob(id!)).priority).toBe(8);
    // The refused form answered 400 on purpose; Chromium logs every 4xx answer.
    expect(problems.filter((p) => !p.includes("status of 400"))).toEqual([]);
  }, TEST_MS);

  test("keyboard only: Tab to Pause, Enter, the confirmation shows and focus stays visible; then Resume", async () => {
    const { page, problems } = await openTab(browser);
    await signIn(page, server.url, admin);
    await page.goto(server.url + "/queues/invoices");
    const focusedText = () => page.evaluate(() => (document.activeElement as HTMLElement | null)?.textContent?.trim() ?? "");
    for (let i = 0; i < 40 && (await focusedText()) !== "Pause"; i++) await page.keyboard.press("Tab");
    expect(await focusedText()).toBe("Pause");
    await page.keyboard.press("Enter");
    await page.locator("#flash [data-flash]", { hasText: "Paused invoices" }).waitFor(WAIT);
    await page.waitForFunction(() => document.activeElement?.textContent?.trim() === "Resume", undefined, WAIT);
    const outline = await page.evaluate(() => getComputedStyle(document.activeElement!).outlineStyle);
    expect(outline).not.toBe("none");
    await page.keyboard.press("Enter");
    await page.locator("#flash [data-flash]", { hasText: "Resumed invoices" }).waitFor(WAIT);
    expect((await server.service.getQueue("invoices")).paused).toBe(false);
    expect(problems).toEqual([]);
  }, TEST_MS);

  test("a bulk retry previews its count, then runs to done", async () => {
    const { page, problems } = await openTab(browser);
    await signIn(page, server.url, admin);
    await page.goto(server.url + "/queues/invoices");
    await page.click('[data-bulk-picker="retry-failed"] button');
    const preview = page.locator('[data-bulk-preview="retry-failed"]');
    await preview.waitFor(WAIT);
    expect(await preview.locator("[data-bulk-total]").textContent()).toBe("5");
    await preview.locator("button.danger").click();
    await page.locator("#bulk-work [data-bulk-done]", { hasText: "Retried 5 jobs" }).waitFor(WAIT);
    expect((await server.service.getQueue("invoices")).counts).toMatchObject({ failed: 0, waiting: 5 });
    expect(problems).toEqual([]);
  }, TEST_MS);

  test("no horizontal overflow at 390 px on the three pages, and no console errors", async () => {
    const { page, problems } = await openTab(browser, { width: 390, height: 844 });
    await signIn(page, server.url, admin);
    for (const path of ["/queues", "/queues/emails", "/queues/emails/settings"]) {
      await page.goto(server.url + path);
      expect([path, await horizontalOverflow(page)]).toEqual([path, 0]);
    }
    expect(problems).toEqual([]);
  }, TEST_MS);
});
