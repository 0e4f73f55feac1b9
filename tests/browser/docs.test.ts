/** The API reference in Chromium: it renders from this server alone, asking nothing of the outside world. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Browser } from "playwright-core";
import { hasChromium, launchBrowser, openTab } from "../helpers/browser.ts";
import { startTestServer, type TestServer } from "../helpers/server.ts";

let browser: Browser;
let server: TestServer;

describe.skipIf(!hasChromium)("/docs in a browser", () => {
  beforeAll(async () => {
    server = await startTestServer();
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  test("renders every tag's operations with no request outside this server and no console error", async () => {
    const { page, problems } = await openTab(browser);
    const outside: string[] = [];
    page.on("request", (r) => !r.url().startsWith(server.url) && !r.url().startsWith("data:") && outside.push(r.url()));
    await page.goto(server.url + "/docs", { waitUntil: "load" });
    await page.getByText("Enqueue a job").first().waitFor({ timeout: 15_000 });
    await page.waitForLoadState("networkidle", { timeout: 15_000 }).catch(() => {});
    expect(outside).toEqual([]);
    expect(problems).toEqual([]);
  }, 60_000);
});
