/** In Chromium: flash messages that go away or can be closed, and the live switch saying when the server cannot be reached. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Browser } from "playwright-core";
import { tokenFor } from "../helpers/api.ts";
import { hasChromium, launchBrowser, openTab, signIn } from "../helpers/browser.ts";
import { startTestServer, type TestServer } from "../helpers/server.ts";

const WAIT = { timeout: 15_000 };
const TEST_MS = 60_000;

let browser: Browser;
let server: TestServer;
let admin: string;

describe.skipIf(!hasChromium)("the dashboard's state in a browser", () => {
  beforeAll(async () => {
    browser = await launchBrowser();
    server = await startTestServer();
    admin = await tokenFor(server, "admin");
    await server.service.enqueue("reports", {});
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  test("flash messages: the newest four are kept, one closes with its button, and a confirmation goes by itself", async () => {
    const { page, problems } = await openTab(browser);
    await signIn(page, server.url, admin);
    await page.goto(server.url + "/queues/reports");
    await page.click('.page-head button:has-text("Pause")');
    await page.locator('.page-head button:has-text("Resume")').waitFor(WAIT);
    await page.click('.page-head button:has-text("Resume")');
    await page.locator("#flash [data-flash]", { hasText: "Resumed reports" }).waitFor(WAIT);
    // Four more at once, as a burst of actions brings them (real actions would take longer than a
    // confirmation stays on a loaded machine): only the newest four are kept.
    await page.evaluate(() => {
      for (let i = 1; i <= 4; i++) {
        document.getElementById("flash")!.insertAdjacentHTML("beforeend", `<div class="flash ok" data-flash><div class="flash-text">burst ${i}</div><button type="button" data-dismiss>×</button></div>`);
      }
    });
    await page.waitForFunction(() => document.querySelectorAll("#flash [data-flash]").length === 4, undefined, WAIT);
    expect(await page.locator("#flash [data-flash]").allTextContents()).toEqual(["burst 1×", "burst 2×", "burst 3×", "burst 4×"]);
    const first = await page.locator("#flash [data-flash]").first().elementHandle();
    await page.locator("#flash [data-flash]").first().locator("[data-dismiss]").click();
    expect(await first!.evaluate((box) => box.isConnected)).toBe(false);
    // Confirmations leave by themselves (after 8 s): the page is clear again.
    await page.waitForFunction(() => document.querySelectorAll("#flash [data-flash]").length === 0, undefined, { timeout: 20_000 });
    expect(problems).toEqual([]);
  }, TEST_MS);

  test("the live switch reads Offline while the server is down, an action then says it may not have been done, and Live once it is back", async () => {
    const { page } = await openTab(browser);
    await signIn(page, server.url, admin);
    await page.goto(server.url + "/queues/reports");
    const live = page.locator("[data-live-switch]");
    await page.waitForFunction(() => (window as any).htmx !== undefined, undefined, WAIT);
    expect(await live.textContent()).toBe("Live");
    const { dataDir, port } = server;
    await server.stop();
    await page.locator("[data-live-switch].offline", { hasText: "Offline" }).waitFor(WAIT);
    await page.click('.page-head button:has-text("Pause")');
    await page.locator("#flash .flash.bad", { hasText: "spool did not answer" }).waitFor(WAIT);
    server = await startTestServer({ dataDir, port });
    await page.locator("[data-live-switch]:not(.offline)", { hasText: "Live" }).waitFor({ timeout: 30_000 });
    expect((await server.service.getQueue("reports")).paused).toBe(false);
  }, TEST_MS);
});
