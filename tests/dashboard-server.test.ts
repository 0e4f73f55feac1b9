/** The Server page and GET /v1/server: what the server is and how large its files are, and token management for admins only. */
import { afterEach, expect, test } from "bun:test";
import { statSync } from "node:fs";
import { join } from "node:path";
import type { SqliteStore } from "../src/store/sqlite/sqlite-store.ts";
import { bearer, tokenFor } from "./helpers/api.ts";
import { DashboardSession } from "./helpers/dashboard.ts";
import { startTestServer, type TestServer } from "./helpers/server.ts";

let server: TestServer;
afterEach(() => server?.close());

test("the server page tells version, store, durability and limits; only admins see tokens", async () => {
  server = await startTestServer();
  const admin = await tokenFor(server, "admin");
  const viewer = await tokenFor(server, "viewer");
  const web = new DashboardSession(server);
  await web.signIn(admin);
  const page = (await web.get("/server")).text;
  expect(page).toContain("sqlite");
  expect(page).toContain("normal (survives a crash)");
  expect(page).toContain(server.dataDir);
  expect(page).toContain("1 MiB");
  expect(page).toMatch(/database \d+(\.\d)? (KiB|MiB) · WAL (\d+(\.\d)? (KiB|MiB)|empty)/);
  expect(page).toContain("test viewer");
  expect(page).not.toContain(admin);

  const seen = new DashboardSession(server);
  await seen.signIn(viewer);
  const viewed = (await seen.get("/server")).text;
  expect(viewed).toContain("Only admins see and manage tokens");
  expect(viewed).not.toContain("test admin");
  expect((await seen.post("/server/tokens", { role: "admin" })).status).toBe(403);
});

test("an admin creates a token (shown once, then working) and revokes it (refused at once)", async () => {
  server = await startTestServer();
  const admin = await tokenFor(server, "admin");
  const web = new DashboardSession(server);
  await web.signIn(admin);
  await web.get("/server");
  const created = await web.post("/server/tokens", { role: "worker", name: "billing <workers>" });
  expect(created.status).toBe(201);
  const token = created.text.match(/data-new-token[^>]*>(spool_[A-Za-z0-9_-]+)</)?.[1]!;
  expect(token).toBeDefined();
  expect(created.text).toContain("billing &lt;workers&gt;");
  expect((await server.call("GET", "/v1/queues", undefined, bearer(token))).status).toBe(200);

  expect((await web.get("/server")).text).not.toContain(token);
  const listed = (await server.call("GET", "/v1/tokens", undefined, bearer(admin))).body.tokens;
  const id = listed.find((t: any) => t.name === "billing <workers>").id;
  const revoked = await web.post(`/server/tokens/${id}/revoke`);
  expect(revoked.status).toBe(200);
  expect(revoked.text).toContain("Revoked");
  expect((await server.call("GET", "/v1/queues", undefined, bearer(token))).status).toBe(401);
});

test("in open mode the first admin token turns sign-in on, and its creator stays signed in", async () => {
  server = await startTestServer();
  const web = new DashboardSession(server);
  expect((await web.get("/server")).text).toContain("The first token turns sign-in on");
  const created = await web.post("/server/tokens", { role: "admin", name: "first" });
  expect(created.status).toBe(201);
  const cookie = created.headers.get("set-cookie")!.match(/spool_session=([^;]+)/)![1];
  expect((await new DashboardSession(server).get("/")).status).toBe(303);
  web.cookie = `spool_session=${cookie}`;
  expect((await web.get("/")).status).toBe(200);
});

test("GET /v1/server says how large the database file and its WAL are on disk", async () => {
  server = await startTestServer();
  const db = join(server.dataDir, "spool.db");
  const files = async () => (await server.call("GET", "/v1/server")).body.store.files;
  // The server's own tasks may write meanwhile, and files only grow until a checkpoint cuts the
  // WAL: each answer is at most what is on disk just after it.
  await server.service.enqueueMany("mail", Array.from({ length: 200 }, () => ({ payload: { text: "x".repeat(500) } })));
  const written = await files();
  expect(written.walBytes).toBeGreaterThan(100 * 500);
  expect(written.walBytes).toBeLessThanOrEqual(statSync(`${db}-wal`).size);
  expect(written.databaseBytes % 4096).toBe(0);
  expect(written.databaseBytes).toBeGreaterThan(0);
  expect(written.databaseBytes).toBeLessThanOrEqual(statSync(db).size);
  (server.store as SqliteStore).db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
  const checkpointed = await files();
  expect(checkpointed.walBytes).toBeLessThan(100 * 500);
  // Copied back, the rows are in the database file.
  expect(checkpointed.databaseBytes).toBeGreaterThan(200 * 500);
});

test("the overview lists firing alerts worst first, the newest first within a severity", async () => {
  server = await startTestServer();
  const store = server.store;
  const now = Date.now();
  const fire = (rule: string, severity: "warning" | "error" | "critical", at: number) =>
    store.alertUpsert({ rule, subject: "q", severity, message: `${rule} fired`, value: 1, threshold: 1, now: at });
  await fire("error_concentration", "warning", now - 3000);
  await fire("failure_rate", "critical", now - 2000);
  await fire("queue_backlog", "warning", now - 1000);
  await fire("worker_down", "error", now - 500);
  const html = (await new DashboardSession(server).get("/")).text;
  const firing = html.slice(html.indexOf('id="alerts"'));
  expect([...firing.matchAll(/data-alert="([a-z_]+)"/g)].map((m) => m[1])).toEqual(["failure_rate", "worker_down", "queue_backlog", "error_concentration"]);
  // The health card's deductions: the most points first.
  const card = html.slice(html.indexOf('class="deductions"'), html.indexOf("</ul>", html.indexOf('class="deductions"')));
  expect([...card.matchAll(/<strong>−(\d+)<\/strong>/g)].map((m) => Number(m[1]))).toEqual([30, 20, 20]);
});

test("the workers page counts the operator's workers as the overview does, names spool's own apart and offers no shut-down for it", async () => {
  server = await startTestServer();
  await server.call("POST", "/v1/queues/mail/claim", { workerId: "m1" });
  const html = (await new DashboardSession(server).get("/workers")).text;
  expect(html).toContain('data-worker-summary="true">1 online, 0 offline, and spool&#39;s own maintenance worker.</p>');
  expect([...html.matchAll(/data-worker="([^"]+)"/g)].map((m) => m[1]!.split("@")[0])).toEqual(["m1", "spool:maintenance"]);
  expect(html).toContain("/workers/m1/shutdown");
  expect(html).not.toMatch(/\/workers\/spool[^"]*\/shutdown/);
});

test("the overview says when API requests are refused for want of a token (a worker started before tokens were needed)", async () => {
  server = await startTestServer();
  const admin = await tokenFor(server, "admin");
  const web = new DashboardSession(server);
  await web.signIn(admin);
  expect((await web.get("/")).text).not.toContain("data-refused");
  // Tokens exist now: a worker without one is refused (noticed within a second of the token's creation).
  let status = 0;
  for (let i = 0; i < 40 && status !== 401; i++) {
    status = (await fetch(`${server.url}/v1/queues/q/claim`, { method: "POST", headers: { "content-type": "application/json" }, body: '{"workerId":"old"}' })).status;
    if (status !== 401) await Bun.sleep(100);
  }
  expect(status).toBe(401);
  await fetch(`${server.url}/v1/queues/q/jobs`, { method: "POST", headers: { "content-type": "application/json", authorization: "Bearer wrong" }, body: "{}" });
  const html = (await web.get("/")).text;
  expect(html).toMatch(/data-refused="true"><span>\s*2 API requests were refused in the last 5 min for want of a valid\s+token/);
});
