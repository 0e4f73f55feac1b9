/** The job, lanes and workers pages in Chromium: retry, cancel, shut down and skip as an operator does, at desktop and phone width. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Browser, Page } from "playwright-core";
import { bearer } from "../helpers/api.ts";
import { hasChromium, horizontalOverflow, openTab, openBrowserWorld, signIn, type BrowserWorld } from "../helpers/browser.ts";
import type { TestServer } from "../helpers/server.ts";

let world: BrowserWorld;
let browser: Browser;
let server: TestServer;
let admin: string;

const WAIT = { timeout: 15_000 };
/** Each test drives a real browser through several round trips: room for a loaded machine. */
const TEST_MS = 60_000;

async function api(method: string, path: string, body?: unknown) {
  const res = await server.call(method, path, body, bearer(admin));
  expect({ path, status: res.status < 300 ? "ok" : res.status }).toEqual({ path, status: "ok" });
  return res.body;
}

async function claim(queue: string, workerId = "w1", extra: Record<string, unknown> = {}) {
  const { jobs } = await api("POST", `/v1/queues/${queue}/claim`, { workerId, leaseMs: 600_000, ...extra });
  expect(jobs).toHaveLength(1);
  return jobs[0] as { id: string; lease: { token: string } };
}

/** Claims the job and fails it for good, after it saved a checkpoint. */
async function runAndFail(queue: string, id: string) {
  const claimed = await claim(queue);
  expect(claimed.id).toBe(id);
  await api("POST", `/v1/jobs/${id}/heartbeat`, { token: claimed.lease.token, checkpoint: { row: 5000 } });
  await api("POST", `/v1/jobs/${id}/fail`, { token: claimed.lease.token, error: { type: "io", message: "disk full" }, retry: false });
}

/** A signed-in admin tab that accepts every confirmation. */
async function adminTab(width = 1280) {
  const tab = await openTab(browser, { width, height: 900 });
  tab.page.on("dialog", (dialog) => void dialog.accept());
  await signIn(tab.page, server.url, admin);
  return tab;
}

/** Waits for the flash that answers an action and returns its text. */
async function flash(page: Page, contains: string): Promise<string> {
  const message = page.locator("#flash .flash", { hasText: contains }).last();
  await message.waitFor(WAIT);
  return (await message.textContent()) ?? "";
}

const stateOf = (page: Page) => page.locator(".page-head .sub .badge").first().textContent();

describe.skipIf(!hasChromium)("job, lanes and workers pages in a browser", () => {
  beforeAll(async () => {
    ({ server, admin, browser } = world = await openBrowserWorld());
  });
  afterAll(() => world?.close());

  test("retry a failed job from its page: resume keeps the checkpoint, restart drops it", async () => {
    const { page, problems } = await adminTab();
    const { id } = await api("POST", "/v1/queues/imports/jobs", { payload: { file: "big.csv" } });
    await runAndFail("imports", id);
    await page.goto(`${server.url}/jobs/${id}`);
    expect(await stateOf(page)).toContain("failed");
    await page.click("text=Retry from checkpoint");
    expect(await flash(page, "from its checkpoint")).toContain(`Job ${id}`);
    await page.waitForFunction(() => document.querySelector(".page-head .sub .badge")?.textContent?.includes("waiting"), undefined, WAIT);
    expect((await api("GET", `/v1/jobs/${id}`)).checkpoint).toEqual({ row: 5000 });

    await runAndFail("imports", id);
    await page.reload();
    await page.click("text=Restart from scratch");
    await flash(page, "from scratch");
    await page.waitForFunction(() => document.querySelector(".page-head .sub .badge")?.textContent?.includes("waiting"), undefined, WAIT);
    expect(await api("GET", `/v1/jobs/${id}`)).toMatchObject({ state: "waiting", checkpoint: null });
    expect(problems).toEqual([]);
  }, TEST_MS);

  test("cancel an active job: ask, then force", async () => {
    const { page, problems } = await adminTab();
    const { id } = await api("POST", "/v1/queues/mail/jobs", {});
    await claim("mail", "mailer-1");
    await page.goto(`${server.url}/jobs/${id}`);
    await page.click("text=Ask to cancel");
    await flash(page, "asked to stop");
    await page.locator('[data-cancel-requested="true"]').waitFor(WAIT);
    await page.click("text=Force cancel");
    await flash(page, "is cancelled");
    await page.waitForFunction(() => document.querySelector(".page-head .sub .badge")?.textContent?.includes("cancelled"), undefined, WAIT);
    expect((await api("GET", `/v1/jobs/${id}`)).state).toBe("cancelled");
    expect(problems).toEqual([]);
  }, TEST_MS);

  test("a running worker's card appears; shutting it down shows on the card and reaches the worker", async () => {
    const { page, problems } = await adminTab();
    await api("POST", "/v1/queues/thumbs/jobs", {});
    await claim("thumbs", "thumbs-1", { name: "thumbnailer", host: "img-02", concurrency: 4 });
    await page.goto(`${server.url}/workers?queue=thumbs`);
    const card = page.locator("#worker-thumbs-1");
    await card.waitFor(WAIT);
    expect(await card.textContent()).toContain("1 of 4 slots busy · 25 %");
    await card.locator("button", { hasText: "Shut down" }).click();
    await flash(page, "Asked thumbnailer to shut down");
    await card.locator("[data-shutting-down]").waitFor(WAIT);
    const next = await api("POST", "/v1/queues/thumbs/claim", { workerId: "thumbs-1" });
    expect(next.control).toEqual({ shutdown: true });
    expect(problems).toEqual([]);
  }, TEST_MS);

  test("skip a blocked lane's head: the lane moves on to the next job", async () => {
    const { page, problems } = await adminTab();
    await api("PUT", "/v1/queues/orders", { laneOnFailure: "block" });
    const head = await api("POST", "/v1/queues/orders/jobs", { key: "order-17" });
    const next = await api("POST", "/v1/queues/orders/jobs", { key: "order-17" });
    const claimed = await claim("orders");
    expect(claimed.id).toBe(head.id);
    await api("POST", `/v1/jobs/${head.id}/fail`, { token: claimed.lease.token, error: { type: "validation", message: "bad quantity" }, retry: false });
    await page.goto(`${server.url}/lanes?queue=orders`);
    const lane = page.locator('[data-lane="orders/order-17"]');
    expect(await lane.getAttribute("data-status")).toBe("blocked");
    await lane.locator("button", { hasText: "Skip head" }).click();
    await flash(page, "Skipped the failed head");
    await page.locator('[data-lane="orders/order-17"][data-status="busy"]').waitFor(WAIT);
    expect(await page.locator('[data-lane="orders/order-17"]').textContent()).toContain(next.id);
    expect((await api("GET", `/v1/jobs/${head.id}`)).state).toBe("failed");
    expect((await api("GET", `/v1/jobs/${next.id}`)).state).toBe("waiting");
    expect(problems).toEqual([]);
  }, TEST_MS);

  test("no horizontal overflow at 390 px on the three pages, and no console errors", async () => {
    const { page, problems } = await adminTab(390);
    const { id } = await api("POST", "/v1/queues/wide/jobs", { key: "k".repeat(200), payload: { text: "x".repeat(5000) } });
    await claim("wide", "a-worker-with-a-rather-long-identifier-that-must-wrap-somewhere-0123456789", { host: "a-very-long-host-name.eu-west-1.compute.internal" });
    for (const path of [`/jobs/${id}`, "/lanes", "/workers"]) {
      await page.goto(server.url + path);
      await page.locator("h1").waitFor(WAIT);
      expect({ path, overflow: await horizontalOverflow(page) }).toEqual({ path, overflow: 0 });
    }
    expect(problems).toEqual([]);
  }, TEST_MS);
});
