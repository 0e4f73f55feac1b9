/**
 * HTTP API, the worker calls' direct path (src/api/work-fast-path.ts): what it answers is what the
 * app answers, and every request it does not take — refusals above all — gets the app's answer.
 */
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { createToken } from "../src/api/auth.ts";
import { TestClock } from "../src/core/clock.ts";
import { bearer, claim, enqueue, expectError } from "./helpers/api.ts";
import { startTestServer, type TestServer } from "./helpers/server.ts";

let server: TestServer;

beforeEach(async () => {
  server = await startTestServer({ bodyLimitBytes: 4096 }, new TestClock("2026-01-01T00:00:00Z"));
});
afterEach(() => server.close());

/** A raw request, so headers and body are exactly as given. */
async function send(path: string, init: RequestInit) {
  const res = await fetch(server.url + path, { method: "POST", ...init });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null, headers: res.headers };
}

describe("open mode", () => {
  test("claim, heartbeat, fail, claim again and complete answer as documented", async () => {
    const job = await enqueue(server, "direct", { payload: { n: 1 }, maxAttempts: 2, backoff: { type: "fixed", delayMs: 0 } });
    const [claimed] = await claim(server, "direct", { workerId: "w1" });
    const token = claimed.lease.token as string;
    expect(typeof token).toBe("string");
    expect(claimed).toMatchObject({ id: job.id, state: "active", payload: { n: 1 } });
    const beat = await server.call("POST", `/v1/jobs/${job.id}/heartbeat`, { token, progress: 50 });
    expect(beat.status).toBe(200);
    expect(beat.body).toEqual({ leaseExpiresAt: "2026-01-01T00:00:30.000Z", cancelRequested: false });
    const failed = await server.call("POST", `/v1/jobs/${job.id}/fail`, { token, error: { message: "boom" } });
    expect(failed.body).toMatchObject({ id: job.id, state: "waiting", errors: [{ attempt: 1, type: "Error", message: "boom" }] });
    const [again] = await claim(server, "direct", { workerId: "w1" });
    const done = await server.call("POST", `/v1/jobs/${job.id}/complete`, { token: again.lease.token, result: { ok: true } });
    expect(done.status).toBe(200);
    expect(done.headers.get("content-type")).toBe("application/json");
    expect(done.body).toMatchObject({ id: job.id, state: "completed", result: { ok: true } });
  });

  test("a stale token is 409 lease_lost, an unknown job 404, as from the app", async () => {
    const job = await enqueue(server, "direct");
    await claim(server, "direct", { workerId: "w1" });
    expectError(await server.call("POST", `/v1/jobs/${job.id}/complete`, { token: "stale" }), 409, "lease_lost");
    expectError(await server.call("POST", "/v1/jobs/999999/complete", { token: "t" }), 404, "not_found");
  });

  test("bad JSON, a refused field, no content type, a body over the limit and a chunked body get the app's answers", async () => {
    const json = { "content-type": "application/json" };
    expectError(await send("/v1/queues/direct/claim", { headers: json, body: "{nope" }), 400, "malformed_request");
    const refused = expectError(await send("/v1/queues/direct/claim", { headers: json, body: JSON.stringify({ workerId: "w", max: 0 }) }), 400, "validation_failed");
    expect(refused.details.map((d: { path: string }) => d.path)).toEqual(["max"]);
    expectError(await send("/v1/queues/direct/claim", { body: JSON.stringify({ workerId: "w" }) }), 415, "unsupported_media_type");
    const big = JSON.stringify({ workerId: "w", name: "x".repeat(5000) });
    expectError(await send("/v1/queues/direct/claim", { headers: json, body: big }), 413, "payload_too_large");
    const chunked = new ReadableStream({
      start(c) {
        c.enqueue(new TextEncoder().encode(big));
        c.close();
      },
    });
    expectError(await send("/v1/queues/direct/claim", { headers: json, body: chunked }), 413, "payload_too_large");
  });

  test("a cross-site browser request is refused as by the app", async () => {
    const res = await send("/v1/queues/direct/claim", {
      headers: { "content-type": "application/json", origin: "https://evil.example", "sec-fetch-site": "cross-site" },
      body: JSON.stringify({ workerId: "w" }),
    });
    expectError(res, 403, "forbidden");
  });
});

describe("with tokens", () => {
  test("a worker token claims; a producer's is refused 403, a revoked one 401 from the next request; spool: queues stay admin-only", async () => {
    const worker = await createToken(server.store, "worker", "w", Date.now());
    const producer = await createToken(server.store, "producer", "p", Date.now());
    const admin = await createToken(server.store, "admin", "a", Date.now());
    await enqueue(server, "direct", {}, bearer(admin.token));
    expect(await claim(server, "direct", { workerId: "w1" }, bearer(worker.token))).toHaveLength(1);
    expectError(await server.call("POST", "/v1/queues/direct/claim", { workerId: "w1" }, bearer(producer.token)), 403, "forbidden");
    expectError(await server.call("POST", "/v1/queues/spool:x/claim", { workerId: "w1" }, bearer(worker.token)), 403, "forbidden");
    expect((await server.call("DELETE", `/v1/tokens/${worker.id}`, undefined, bearer(admin.token))).status).toBe(204);
    expectError(await server.call("POST", "/v1/queues/direct/claim", { workerId: "w1" }, bearer(worker.token)), 401, "unauthorized");
    expectError(await server.call("POST", "/v1/queues/direct/claim", { workerId: "w1" }), 401, "unauthorized");
  });
});
