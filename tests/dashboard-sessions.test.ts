/** Dashboard sign-in, sessions and CSRF over plain HTTP against a real server under a test clock. */
import { afterEach, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { TestClock } from "../src/core/clock.ts";
import { bearer, tokenFor } from "./helpers/api.ts";
import { DashboardSession } from "./helpers/dashboard.ts";
import { startTestServer, type TestServer } from "./helpers/server.ts";

let server: TestServer;
let clock: TestClock;
afterEach(() => server?.close());

async function withTokens() {
  clock = new TestClock("2026-03-01T08:00:00Z");
  server = await startTestServer({}, clock);
  return { admin: await tokenFor(server, "admin"), viewer: await tokenFor(server, "viewer") };
}

async function signedIn(token: string) {
  const web = new DashboardSession(server);
  expect((await web.signIn(token)).status).toBe(303);
  expect((await web.get("/")).status).toBe(200);
  return web;
}

describe("open mode (no tokens, loopback)", () => {
  test("pages answer without sign-in, /login leads home, and a form post still needs this site's CSRF token", async () => {
    server = await startTestServer();
    const web = new DashboardSession(server);
    const home = await web.get("/");
    expect(home.status).toBe(200);
    expect(home.text).toStartWith("<!doctype html>");
    expect(home.text).toContain("Overview");
    expect((await web.get("/login")).status).toBe(303);
    expect((await web.post("/alerts/1/ack", {}, { csrf: null })).status).toBe(403);
    expect((await web.post("/alerts/1/ack", {}, { headers: { origin: "http://evil.example" } })).status).toBe(403);
    expect((await web.post("/alerts/1/ack")).status).toBe(404);
  });
});

describe("sessions", () => {
  test("a page asked for while signed out leads to /login and back to it after signing in", async () => {
    const { admin } = await withTokens();
    const web = new DashboardSession(server);
    const away = await web.get("/queues/emails?state=failed");
    expect(away.status).toBe(303);
    expect(away.headers.get("location")).toBe("/login?next=%2Fqueues%2Femails%3Fstate%3Dfailed");
    const back = await web.signIn(admin, "/queues/emails?state=failed");
    expect(back.status).toBe(303);
    expect(back.headers.get("location")).toBe("/queues/emails?state=failed");
    // An htmx request is told where to go rather than given the sign-in page to swap in.
    const fresh = new DashboardSession(server);
    const partial = await fresh.get("/", { "hx-request": "true" });
    expect(partial.status).toBe(401);
    expect(partial.headers.get("hx-redirect")).toBe("/login");
  });

  test("an action's address opened as a page (an old sign-in link) leads to its page, not a 405", async () => {
    const { admin } = await withTokens();
    const web = new DashboardSession(server);
    const back = await web.signIn(admin, "/queues/emails/pause");
    expect(back.headers.get("location")).toBe("/queues/emails/pause");
    for (const [action, page] of [["/queues/emails/pause", "/queues/emails"], ["/jobs/42/retry", "/jobs/42"]]) {
      const res = await web.get(action!);
      expect({ action, status: res.status, location: res.headers.get("location") }).toEqual({ action, status: 303, location: page });
    }
    // The API keeps its 405 with Allow.
    const api = await fetch(`${server.url}/v1/queues/emails/pause`, { headers: { authorization: `Bearer ${admin}` } });
    expect([api.status, api.headers.get("allow")]).toEqual([405, "POST"]);
  });

  test("the cookie is HttpOnly and SameSite=Strict, holds a session id (not the token), and only the id's hash is stored", async () => {
    const { admin } = await withTokens();
    const web = new DashboardSession(server);
    const res = await web.signIn(admin);
    const cookie = res.headers.get("set-cookie")!;
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    expect(cookie).toMatch(/Max-Age=43200/);
    const id = web.cookie!.split("=")[1]!;
    expect(id).not.toContain(admin);
    await server.store.close();
    for (const file of ["spool.db", "spool.db-wal"]) {
      expect(readFileSync(join(server.dataDir, file)).includes(Buffer.from(id))).toBe(false);
    }
  });

  test("a wrong token is refused with the form again and no cookie; next never leaves the site", async () => {
    const { admin } = await withTokens();
    const web = new DashboardSession(server);
    const wrong = await web.signIn("spool_not-a-token");
    expect(wrong.status).toBe(401);
    expect(wrong.text).toContain("unknown or has been revoked");
    expect(wrong.headers.get("set-cookie")).toBeNull();
    // Written plainly, or with what browsers drop or turn into a slash (tab, newline, backslash): never off the site, never a 500.
    for (const next of ["//evil.example/x", "https://evil.example/", "/\\evil.example", "/\t/evil.example/phish", "/\n/evil.example", "/x\r\nSet-Cookie: a=b"]) {
      const res = await new DashboardSession(server).signIn(admin, next);
      expect({ next, status: res.status, location: res.headers.get("location") }).toEqual({ next, status: 303, location: "/" });
    }
    expect((await new DashboardSession(server).signIn(admin, "/queues/x?state=failed")).headers.get("location")).toBe("/queues/x?state=failed");
  });

  test("a session reads the API too; state changes through it need the CSRF token and this site as origin", async () => {
    const { admin } = await withTokens();
    const web = await signedIn(admin);
    expect((await web.request("GET", "/v1/queues")).status).toBe(200);
    expect((await web.request("POST", "/v1/queues/q/pause")).status).toBe(403);
    expect((await web.request("POST", "/v1/queues/q/pause", undefined, { "x-csrf-token": web.csrf! })).status).toBe(200);
    const crossSite = { "x-csrf-token": web.csrf!, "sec-fetch-site": "cross-site" };
    expect((await web.request("POST", "/v1/queues/q/resume", undefined, crossSite)).status).toBe(403);
    expect((await web.request("POST", "/v1/queues/q/resume", undefined, { "x-csrf-token": "0".repeat(40) })).status).toBe(403);
  });

  test("signing out ends the session at once", async () => {
    const { admin } = await withTokens();
    const web = await signedIn(admin);
    const out = await web.post("/logout", {}, { htmx: false });
    expect(out.status).toBe(303);
    expect(out.headers.get("set-cookie")).toMatch(/spool_session=;.*Max-Age=0/);
    expect((await web.get("/")).status).toBe(303);
    expect((await web.request("GET", "/v1/queues")).status).toBe(401);
  });

  test("revoking the token ends its sessions at once", async () => {
    const { admin, viewer } = await withTokens();
    const web = await signedIn(viewer);
    const tokens = (await server.call("GET", "/v1/tokens", undefined, bearer(admin))).body.tokens;
    const viewerId = tokens.find((t: any) => t.role === "viewer").id;
    expect((await server.call("DELETE", `/v1/tokens/${viewerId}`, undefined, bearer(admin))).status).toBe(204);
    expect((await web.get("/")).status).toBe(303);
  });

  test("a session opened with SPOOL_ADMIN_TOKEN ends when the server runs with another one, or none; the same one keeps it", async () => {
    clock = new TestClock("2026-03-01T08:00:00Z");
    const first = "bootstrap-admin-secret-one-0123456789";
    server = await startTestServer({ adminToken: first }, clock);
    const { dataDir, port } = server;
    const web = await signedIn(first);
    const restart = async (adminToken: string | null) => {
      await server.stop();
      server = await startTestServer({ dataDir, port, adminToken }, clock);
    };
    await restart(first);
    expect((await web.get("/")).status).toBe(200);
    await restart("bootstrap-admin-secret-two-0123456789");
    expect((await web.get("/")).status).toBe(303);
    expect((await web.request("GET", "/v1/tokens")).status).toBe(401);
    // Gone for good: the first token back does not bring it back.
    await restart(first);
    expect((await web.get("/")).status).toBe(303);
  });

  test("a session expires after 12 hours", async () => {
    const { admin } = await withTokens();
    const web = await signedIn(admin);
    clock.advance(12 * 3_600_000 - 1);
    expect((await web.get("/")).status).toBe(200);
    clock.advance(1);
    expect((await web.get("/")).status).toBe(303);
  });

  test("a viewer's session shows no controls, and its forged posts are refused", async () => {
    const { viewer } = await withTokens();
    const web = await signedIn(viewer);
    const home = await web.get("/");
    expect(home.text).not.toMatch(/hx-post=/);
    expect((await web.post("/alerts/1/ack")).status).toBe(403);
    expect((await web.request("POST", "/v1/queues/q/pause", undefined, { "x-csrf-token": web.csrf! })).status).toBe(403);
  });
});
