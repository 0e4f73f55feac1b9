/** The dashboard in Chromium: sign in and out, the overview live without reload, phone width, keyboard. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Browser } from "playwright-core";
import { hasChromium, horizontalOverflow, openTab, openBrowserWorld, signIn, type BrowserWorld } from "../helpers/browser.ts";
import type { TestServer } from "../helpers/server.ts";

let world: BrowserWorld;
let browser: Browser;
let server: TestServer;
let admin: string;

describe.skipIf(!hasChromium)("overview in a browser", () => {
  beforeAll(async () => {
    ({ server, admin, browser } = world = await openBrowserWorld());
  });
  afterAll(() => world?.close());

  test("sign in, see the overview without console errors, sign out", async () => {
    const { page, problems } = await openTab(browser);
    await page.goto(server.url + "/");
    expect(new URL(page.url()).pathname).toBe("/login");
    await signIn(page, server.url, admin);
    expect(await page.locator("h1").textContent()).toBe("Overview");
    await page.locator("[data-health-score]").waitFor();
    await page.click("text=Sign out");
    await page.waitForURL((url) => url.pathname === "/login");
    await page.goto(server.url + "/");
    expect(new URL(page.url()).pathname).toBe("/login");
    expect(problems).toEqual([]);
  });

  test("a count changes without reload when jobs arrive", async () => {
    const { page, problems } = await openTab(browser);
    await signIn(page, server.url, admin);
    const waiting = page.locator('[data-count="waiting"] .n');
    const before = Number((await waiting.textContent())!.replace(/,/g, ""));
    await page.evaluate(() => ((window as any).__sameDocument = true));
    const jobs = Array.from({ length: 3 }, () => ({ payload: {} }));
    expect((await server.call("POST", "/v1/queues/arrivals/jobs/batch", { jobs }, { authorization: `Bearer ${admin}` })).status).toBe(201);
    await page.waitForFunction((n) => Number(document.querySelector('[data-count="waiting"] .n')!.textContent!.replace(/,/g, "")) === n, before + 3, { timeout: 15_000 });
    expect(await page.evaluate(() => (window as any).__sameDocument)).toBe(true);
    expect(problems).toEqual([]);
  });

  test("the live switch pauses refreshes and says so", async () => {
    const { page } = await openTab(browser);
    await signIn(page, server.url, admin);
    const toggle = page.locator("[data-live-switch]");
    expect(await toggle.getAttribute("aria-pressed")).toBe("true");
    await toggle.click();
    expect(await toggle.getAttribute("aria-pressed")).toBe("false");
    expect(await toggle.textContent()).toContain("Paused");
    // Paused is remembered across pages and reloads.
    await page.reload();
    expect(await page.locator("[data-live-switch]").textContent()).toContain("Paused");
    await page.locator("[data-live-switch]").click();
    expect(await page.locator("[data-live-switch]").textContent()).toContain("Live");
  });

  test("no horizontal overflow at 390 px, and the navigation is reachable by keyboard with a visible focus", async () => {
    const { page, problems } = await openTab(browser, { width: 390, height: 844 });
    await signIn(page, server.url, admin);
    expect(await horizontalOverflow(page)).toBe(0);
    await page.keyboard.press("Tab");
    await page.keyboard.press("Tab");
    const focused = await page.evaluate(() => {
      const el = document.activeElement as HTMLElement;
      return { tag: el.tagName, outline: getComputedStyle(el).outlineStyle };
    });
    expect(focused.tag).toBe("A");
    expect(focused.outline).not.toBe("none");
    expect(problems).toEqual([]);
  });
});
