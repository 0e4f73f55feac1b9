/**
 * Debian's Chromium driven by playwright-core, for the dashboard tests. Outside CI a machine
 * without /usr/bin/chromium skips them with a printed reason; in CI (CI=true) they must run.
 */
import { existsSync } from "node:fs";
import { chromium, type Browser, type Page } from "playwright-core";
import { tokenFor } from "./api.ts";
import type { ServeConfig } from "../../src/server.ts";
import { startTestServer, type TestServer } from "./server.ts";

const CHROMIUM = "/usr/bin/chromium";
const FLAGS = [
  "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync",
];

export const hasChromium = existsSync(CHROMIUM);

if (!hasChromium) {
  if (process.env.CI === "true") throw new Error(`the dashboard tests need Chromium at ${CHROMIUM} (apt-get install -y chromium)`);
  console.log(`skipping the browser tests: no Chromium at ${CHROMIUM} (apt-get install -y chromium)`);
}

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: FLAGS });
}

export type TabOptions = { width?: number; height?: number };

/** A fresh page (own cookies) that records console errors and failed requests. */
export async function openTab(browser: Browser, o: TabOptions = {}): Promise<{ page: Page; problems: string[] }> {
  const context = await browser.newContext({ viewport: { width: o.width ?? 1280, height: o.height ?? 900 } });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on("console", (m) => m.type() === "error" && problems.push(`console: ${m.text()}`));
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  page.on("requestfailed", (r) => {
    // A live stream or refresh cut by leaving the page is not a problem.
    if (!/\/live$|net::ERR_ABORTED/.test(r.url() + " " + (r.failure()?.errorText ?? ""))) problems.push(`request failed: ${r.url()}`);
  });
  return { page, problems };
}

/** Pixels the page is wider than its viewport (0: no horizontal scrolling). */
export function horizontalOverflow(page: Page): Promise<number> {
  return page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
}

/** Signs in through the form with a token. */
export async function signIn(page: Page, base: string, token: string): Promise<void> {
  await page.goto(`${base}/login`);
  await page.fill("#token", token);
  await Promise.all([page.waitForURL((url) => !url.pathname.startsWith("/login")), page.click("button[type=submit]")]);
}

/** What a file of browser tests works with: a real server, an admin token for it, a browser. */
export type BrowserWorld = { server: TestServer; admin: string; browser: Browser; close(): Promise<void> };

/** A server (SQLite by default; `config` may put it on Redis), an admin token for it, and a browser. */
export async function openBrowserWorld(config: Partial<ServeConfig> = {}): Promise<BrowserWorld> {
  const server = await startTestServer(config);
  const admin = await tokenFor(server, "admin");
  const browser = await launchBrowser();
  return {
    server, admin, browser,
    async close() {
      await browser.close();
      await server.close();
    },
  };
}
