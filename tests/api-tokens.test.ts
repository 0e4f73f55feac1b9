/** HTTP API, tokens: admins list, create and revoke tokens; the token is shown once, revoking is immediate, last use is recorded once a minute. */
import { afterEach, describe, expect, test } from "bun:test";
import { hashToken } from "../src/api/auth.ts";
import { TestClock } from "../src/core/clock.ts";
import type { TokenRole } from "../src/core/store.ts";
import { bearer, expectError, tokenFor } from "./helpers/api.ts";
import { startTestServer, type TestServer } from "./helpers/server.ts";

const ADMIN_SECRET = "env-admin-secret-tokens-0123456789";
const admin = bearer(ADMIN_SECRET);

let server: TestServer;
afterEach(() => server?.close());

async function created(role: TokenRole, name?: string) {
  const res = await server.call("POST", "/v1/tokens", { role, ...(name === undefined ? {} : { name }) }, admin);
  expect(res.status).toBe(201);
  return res.body as { token: string; id: string; role: TokenRole; name: string | null; createdAt: string };
}

async function listed() {
  const res = await server.call("GET", "/v1/tokens", undefined, admin);
  expect(res.status).toBe(200);
  return res.body.tokens as { id: string; name: string | null; role: TokenRole; createdAt: string; lastUsedAt: string | null }[];
}

describe("token routes", () => {
  test("viewer, producer and worker tokens are refused every token route with 403; no token gets 401", async () => {
    server = await startTestServer({ adminToken: ADMIN_SECRET });
    const target = await created("viewer", "target");
    for (const role of ["viewer", "producer", "worker"] as const) {
      const h = bearer(await tokenFor(server, role));
      expectError(await server.call("GET", "/v1/tokens", undefined, h), 403, "forbidden");
      expectError(await server.call("POST", "/v1/tokens", { role: "admin" }, h), 403, "forbidden");
      expectError(await server.call("DELETE", `/v1/tokens/${target.id}`, undefined, h), 403, "forbidden");
    }
    expectError(await server.call("GET", "/v1/tokens"), 401, "unauthorized");
    expectError(await server.call("POST", "/v1/tokens", { role: "admin" }), 401, "unauthorized");
    expectError(await server.call("DELETE", `/v1/tokens/${target.id}`), 401, "unauthorized");
    // Nothing was created and the target still works.
    expect((await listed()).map((t) => t.role).sort()).toEqual(["producer", "viewer", "viewer", "worker"]);
    expect((await server.call("GET", "/v1/jobs", undefined, bearer(target.token))).status).toBe(200);
  });

  test("creating shows the token once; the list shows name, role and times but never the token or its hash", async () => {
    server = await startTestServer({ adminToken: ADMIN_SECRET });
    const res = await server.call("POST", "/v1/tokens", { role: "worker", name: "billing worker" }, admin);
    expect(res.status).toBe(201);
    expect(Object.keys(res.body).sort()).toEqual(["createdAt", "id", "name", "role", "token"]);
    const { token, id } = res.body;
    expect(token).toMatch(/^spool_[A-Za-z0-9_-]{20,}$/);
    expect(res.body).toMatchObject({ role: "worker", name: "billing worker" });
    const unnamed = await created("viewer");
    expect(unnamed.name).toBeNull();

    const list = await server.call("GET", "/v1/tokens", undefined, admin);
    expect(list.body.tokens).toEqual([
      { id, name: "billing worker", role: "worker", createdAt: res.body.createdAt, lastUsedAt: null },
      { id: unnamed.id, name: null, role: "viewer", createdAt: unnamed.createdAt, lastUsedAt: null },
    ]);
    for (const secret of [token, hashToken(token), unnamed.token, hashToken(unnamed.token)]) {
      expect(JSON.stringify(list.body)).not.toContain(secret);
    }

    // The new token works with its role.
    expect((await server.call("POST", "/v1/queues/t/claim", { workerId: "w" }, bearer(token))).status).toBe(200);
    expectError(await server.call("POST", "/v1/queues/t/pause", undefined, bearer(token)), 403, "forbidden");
  });

  test("an admin token created over the API may manage tokens too", async () => {
    server = await startTestServer({ adminToken: ADMIN_SECRET });
    const second = await created("admin", "second admin");
    const h = bearer(second.token);
    const made = await server.call("POST", "/v1/tokens", { role: "producer" }, h);
    expect(made.status).toBe(201);
    expect((await server.call("GET", "/v1/tokens", undefined, h)).body.tokens.map((t: any) => t.id)).toEqual([second.id, made.body.id]);
    expect((await server.call("DELETE", `/v1/tokens/${made.body.id}`, undefined, h)).status).toBe(204);
  });

  test("a revoked token is refused with 401 from the very next request; revoking again or an unknown id is 404", async () => {
    server = await startTestServer({ adminToken: ADMIN_SECRET });
    const victim = await created("producer", "leaked");
    const kept = await created("producer", "kept");
    expect((await server.call("GET", "/v1/jobs", undefined, bearer(victim.token))).status).toBe(200);
    const revoked = await server.call("DELETE", `/v1/tokens/${victim.id}`, undefined, admin);
    expect(revoked.status).toBe(204);
    expect(revoked.body).toBeNull();
    expectError(await server.call("GET", "/v1/jobs", undefined, bearer(victim.token)), 401, "unauthorized");
    expectError(await server.call("POST", "/v1/queues/q/jobs", {}, bearer(victim.token)), 401, "unauthorized");
    expect((await server.call("GET", "/v1/jobs", undefined, bearer(kept.token))).status).toBe(200);
    expect((await listed()).map((t) => t.id)).toEqual([kept.id]);
    expectError(await server.call("DELETE", `/v1/tokens/${victim.id}`, undefined, admin), 404, "not_found");
    expectError(await server.call("DELETE", "/v1/tokens/no-such-token", undefined, admin), 404, "not_found");
  });

  test("last use is recorded on the first request and then at most once a minute", async () => {
    const clock = new TestClock("2026-01-05T12:00:00Z");
    server = await startTestServer({ adminToken: ADMIN_SECRET }, clock);
    const viewer = await created("viewer");
    const lastUsed = async () => (await listed()).find((t) => t.id === viewer.id)!.lastUsedAt;
    expect(await lastUsed()).toBeNull();
    const first = new Date(clock.now()).toISOString();
    expect((await server.call("GET", "/v1/jobs", undefined, bearer(viewer.token))).status).toBe(200);
    expect(await lastUsed()).toBe(first);
    clock.advance(59_999);
    expect((await server.call("GET", "/v1/queues", undefined, bearer(viewer.token))).status).toBe(200);
    expect(await lastUsed()).toBe(first);
    clock.advance(1);
    expect((await server.call("GET", "/v1/queues", undefined, bearer(viewer.token))).status).toBe(200);
    expect(await lastUsed()).toBe(new Date(clock.now()).toISOString());
  });

  test("a bad role, an unknown field, an empty name or a missing body is refused with 400", async () => {
    server = await startTestServer({ adminToken: ADMIN_SECRET });
    expectError(await server.call("POST", "/v1/tokens", { role: "root" }, admin), 400, "validation_failed");
    expectError(await server.call("POST", "/v1/tokens", { role: "viewer", scope: "all" }, admin), 400, "validation_failed");
    expectError(await server.call("POST", "/v1/tokens", { role: "viewer", name: "" }, admin), 400, "validation_failed");
    expectError(await server.call("POST", "/v1/tokens", {}, admin), 400, "validation_failed");
    expect(await listed()).toEqual([]);
  });
});
