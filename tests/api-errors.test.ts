/** HTTP API, bad input and bad conditions: every refusal has the one error shape and leaves the data as it was. */
import { Database } from "bun:sqlite";
import { afterEach, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { counts, detailPaths, enqueue, expectError, type Answer } from "./helpers/api.ts";
import { startTestServer, type TestServer } from "./helpers/server.ts";

let server: TestServer;
afterEach(() => server?.close());

const empty = { waiting: 0, delayed: 0, blocked: 0, active: 0, completed: 0, failed: 0, cancelled: 0 };

/** A raw request, for bodies and headers the JSON helper would not send. */
async function raw(path: string, init: RequestInit): Promise<Answer> {
  const res = await fetch(server.url + path, init);
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null, headers: res.headers };
}

describe("malformed and unsupported bodies", () => {
  test("malformed JSON is 400 malformed_request and stores nothing", async () => {
    server = await startTestServer();
    const res = await raw("/v1/queues/e/jobs", { method: "POST", headers: { "content-type": "application/json" }, body: '{"payload": ' });
    expectError(res, 400, "malformed_request");
    expect(await counts(server, "e")).toEqual(empty);
  });

  test("a body without Content-Type, or with a non-JSON one, is 415", async () => {
    server = await startTestServer();
    const body = new TextEncoder().encode('{"payload": 1}');
    expectError(await raw("/v1/queues/e/jobs", { method: "POST", body }), 415, "unsupported_media_type");
    const text = { method: "POST", headers: { "content-type": "text/plain" }, body: '{"payload": 1}' };
    expectError(await raw("/v1/queues/e/jobs", text), 415, "unsupported_media_type");
    const form = { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: "payload=1" };
    expectError(await raw("/v1/queues/e/jobs", form), 415, "unsupported_media_type");
    expect(await counts(server, "e")).toEqual(empty);
  });

  test("a body that is not UTF-8 is 400 and stores nothing, whatever charset it names, on the worker calls too", async () => {
    server = await startTestServer();
    const bytes = (...parts: (string | number[])[]) => Buffer.concat(parts.map((p) => (typeof p === "string" ? Buffer.from(p) : Buffer.from(p))));
    const latin1 = bytes('{"payload": "caf', [0xe9], '"}');
    for (const type of ["application/json", "application/json; charset=latin1"]) {
      const res = await raw("/v1/queues/e/jobs", { method: "POST", headers: { "content-type": type }, body: latin1 });
      expect(expectError(res, 400, "validation_failed").message).toContain("not valid UTF-8");
    }
    expectError(await raw("/v1/queues/e/jobs/batch", { method: "POST", headers: { "content-type": "application/json" }, body: bytes('{"jobs": [{"payload": "', [0xff, 0xfe], '"}]}') }), 400, "validation_failed");
    expect(await counts(server, "e")).toEqual(empty);
    // The claim and completion worker calls are answered apart from the app's routes: the same rule holds.
    const job = (await server.call("POST", "/v1/queues/e/jobs", { payload: "café ✓" })).body;
    expect(job.payload).toBe("café ✓");
    const [claimed] = (await server.call("POST", "/v1/queues/e/claim", { workerId: "w" })).body.jobs;
    const complete = bytes(`{"token": "${claimed.lease.token}", "result": "`, [0xc3], '"}');
    expectError(await raw(`/v1/jobs/${job.id}/complete`, { method: "POST", headers: { "content-type": "application/json" }, body: complete }), 400, "validation_failed");
    expectError(await raw("/v1/queues/e/claim", { method: "POST", headers: { "content-type": "application/json" }, body: bytes('{"workerId": "w', [0xe9], '"}') }), 400, "validation_failed");
    expect((await server.call("GET", `/v1/jobs/${job.id}`)).body.state).toBe("active");
  });

  test("a route that needs a JSON body refuses a request with none (415)", async () => {
    server = await startTestServer();
    expectError(await raw("/v1/queues/e/jobs", { method: "POST" }), 415, "unsupported_media_type");
    expectError(await raw("/v1/queues/e/claim", { method: "POST" }), 415, "unsupported_media_type");
    expect(await counts(server, "e")).toEqual(empty);
  });

  test("validation failures list every wrong field in details", async () => {
    server = await startTestServer();
    const res = await server.call("POST", "/v1/queues/e/jobs", { priority: "high", maxAttempts: 0, backoff: { type: "linear" }, extra: 1 });
    const error = expectError(res, 400, "validation_failed");
    expect(detailPaths(error).sort()).toEqual(["backoff.type", "extra", "maxAttempts", "priority"]);
    for (const detail of error.details) expect(typeof detail.message).toBe("string");
    expect(await counts(server, "e")).toEqual(empty);
  });
});

describe("body size", () => {
  test("a body over 1 MiB is 413 and stores nothing", async () => {
    server = await startTestServer();
    const justOver = JSON.stringify({ payload: "x".repeat(1024 * 1024) });
    expectError(await server.call("POST", "/v1/queues/e/jobs", justOver), 413, "payload_too_large");
    const farOver = JSON.stringify({ payload: "x".repeat(3 * 1024 * 1024) });
    expectError(await server.call("POST", "/v1/queues/e/jobs", farOver), 413, "payload_too_large");
    expect(await counts(server, "e")).toEqual(empty);
    expect((await server.call("POST", "/v1/queues/e/jobs", { payload: "x".repeat(1000 * 1000) })).status).toBe(201);
  });

  test("a streamed body (no Content-Length) over the limit is 413 too", async () => {
    server = await startTestServer({ bodyLimitBytes: 4096 });
    const chunks = ['{"payload": "', "x".repeat(3000), "x".repeat(3000), '"}'];
    const body = new ReadableStream({
      pull(controller) {
        const next = chunks.shift();
        if (next === undefined) controller.close();
        else controller.enqueue(new TextEncoder().encode(next));
      },
    });
    const init = { method: "POST", headers: { "content-type": "application/json" }, body, duplex: "half" } as RequestInit;
    expectError(await raw("/v1/queues/e/jobs", init), 413, "payload_too_large");
    expect(await counts(server, "e")).toEqual(empty);
  });

  test("a smaller --max-body is enforced", async () => {
    server = await startTestServer({ bodyLimitBytes: 2048 });
    expectError(await server.call("POST", "/v1/queues/e/jobs", { payload: "x".repeat(2100) }), 413, "payload_too_large");
    expect(await counts(server, "e")).toEqual(empty);
    expect((await server.call("POST", "/v1/queues/e/jobs", { payload: "x".repeat(1900) })).status).toBe(201);
  });
});

describe("unknown routes", () => {
  test("an unknown path is 404 not_found; a known one with another method is 405", async () => {
    server = await startTestServer();
    expectError(await server.call("GET", "/nope"), 404, "not_found");
    expectError(await server.call("GET", "/v1/nope"), 404, "not_found");
    expectError(await server.call("PATCH", "/v1/jobs/1", {}), 405, "method_not_allowed");
    expectError(await server.call("GET", "/v1/queues/q/claim"), 405, "method_not_allowed");
  });
});

describe("rate limit", () => {
  test("over the limit, requests are 429 with Retry-After and refused enqueues store nothing", async () => {
    server = await startTestServer({ rateLimitPerSecond: 5 });
    const started = performance.now();
    const answers = await Promise.all(Array.from({ length: 12 }, (_, i) => server.call("POST", "/v1/queues/r/jobs", { payload: i })));
    const seconds = (performance.now() - started) / 1000;
    const limited = answers.filter((a) => a.status === 429);
    expect(limited.length).toBeGreaterThan(0);
    // A burst of 5, then 5 more each second.
    expect(12 - limited.length).toBeLessThanOrEqual(5 + Math.ceil(5 * seconds));
    for (const res of limited) {
      expectError(res, 429, "rate_limited");
      expect(Number(res.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    }
    const accepted = answers.filter((a) => a.status === 201).length;
    expect(accepted + limited.length).toBe(12);
    expect((await server.service.getQueue("r")).counts.waiting).toBe(accepted);
  });

  test("signing in is rate limited like the API: tries of a token past the limit are 429", async () => {
    server = await startTestServer({ rateLimitPerSecond: 3, adminToken: "rate-limit-admin-secret-0123456789" });
    const tries = await Promise.all(Array.from({ length: 10 }, () =>
      fetch(`${server.url}/login`, { method: "POST", body: new URLSearchParams({ token: "spool_guess" }), redirect: "manual" }),
    ));
    expect(tries.filter((r) => r.status === 429).length).toBeGreaterThan(0);
    expect(tries.filter((r) => r.status !== 429).every((r) => r.status === 401)).toBe(true);
  });

  test("probes are not rate limited", async () => {
    server = await startTestServer({ rateLimitPerSecond: 1 });
    const answers = await Promise.all(Array.from({ length: 5 }, () => server.call("GET", "/healthz")));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200]);
  });
});

describe("storage unavailable", () => {
  test("while another connection holds the database, writes are 503 storage_unavailable; afterwards all is well and nothing acknowledged is lost", async () => {
    server = await startTestServer({ busyTimeoutMs: 50 });
    const kept = await enqueue(server, "s", { payload: "before" });
    const blocker = new Database(join(server.dataDir, "spool.db"));
    try {
      blocker.exec("PRAGMA busy_timeout = 0");
      blocker.exec("BEGIN EXCLUSIVE");
      const refused = await server.call("POST", "/v1/queues/s/jobs", { payload: "during" });
      expect(expectError(refused, 503, "storage_unavailable").message).toMatch(/storage unavailable/);
      expectError(await server.call("POST", "/v1/queues/s/claim", { workerId: "w" }), 503, "storage_unavailable");
      expectError(await server.call("POST", "/v1/queues/s/pause"), 503, "storage_unavailable");
      expect((await server.call("GET", `/v1/jobs/${kept.id}`)).status).toBe(200);
    } finally {
      blocker.exec("ROLLBACK");
      blocker.close();
    }
    expect(await counts(server, "s")).toEqual({ ...empty, waiting: 1 });
    const after = await enqueue(server, "s", { payload: "after" });
    const jobs = (await server.call("GET", "/v1/jobs?queue=s")).body.jobs;
    expect(jobs.map((j: any) => [j.id, j.payload])).toEqual([[after.id, "after"], [kept.id, "before"]]);
    expect((await server.call("GET", "/v1/queues/s")).body.paused).toBe(false);
  });

  test("a write waiting for a lock held elsewhere does not hold the server: /healthz and reads answer meanwhile, and the write lands once the lock is free", async () => {
    server = await startTestServer({ busyTimeoutMs: 20_000 });
    const blocker = new Database(join(server.dataDir, "spool.db"));
    blocker.exec("PRAGMA busy_timeout = 0");
    blocker.exec("BEGIN IMMEDIATE");
    let landed = false;
    const waiting = server.call("POST", "/v1/queues/s/jobs", { payload: "waits" }).then((res) => ((landed = true), res));
    try {
      expect((await server.call("GET", "/healthz")).status).toBe(200);
      expect((await server.call("GET", "/v1/queues/s")).status).toBe(200);
      expect((await server.call("GET", "/")).status).toBe(200);
      expect(landed).toBe(false);
    } finally {
      blocker.exec("ROLLBACK");
      blocker.close();
    }
    expect((await waiting).status).toBe(201);
    expect(await counts(server, "s")).toEqual({ ...empty, waiting: 1 });
  });
});

describe("times beyond what a date holds", () => {
  test("a delay, timeout or schedule delay past the date range is 400 and stores nothing, in a batch too", async () => {
    server = await startTestServer();
    const huge = 8.64e15;
    expectError(await server.call("POST", "/v1/queues/t/jobs", { delayMs: huge }), 400, "validation_failed");
    expectError(await server.call("POST", "/v1/queues/t/jobs", { timeoutMs: huge }), 400, "validation_failed");
    const batch = await server.call("POST", "/v1/queues/t/jobs/batch", { jobs: [{ payload: 1 }, { delayMs: Number.MAX_SAFE_INTEGER }] });
    expect(detailPaths(expectError(batch, 400, "validation_failed"))).toEqual(["jobs.1.delayMs"]);
    expect(await counts(server, "t")).toEqual(empty);
    expect((await server.call("GET", "/v1/jobs?queue=t")).body.jobs).toEqual([]);

    const schedule = await server.call("POST", "/v1/schedules", { name: "far", every: "1h", queue: "t", jobOptions: { delayMs: huge } });
    expectError(schedule, 400, "validation_failed");
    expect((await server.call("GET", "/v1/schedules/far")).status).toBe(404);
  });

  test("queue settings past their bounds (durations over 100 years, counts over a billion) are 400 naming each, and change nothing", async () => {
    server = await startTestServer();
    const huge = Number.MAX_SAFE_INTEGER;
    const res = await server.call("PUT", "/v1/queues/bounded", {
      concurrency: huge, rateLimit: { max: huge, intervalMs: huge }, defaults: { timeoutMs: huge, backoff: { maxDelayMs: huge } },
      retention: { completedMs: huge },
    });
    expect(detailPaths(expectError(res, 400, "validation_failed")).sort()).toEqual(
      ["concurrency", "defaults.backoff.maxDelayMs", "defaults.timeoutMs", "rateLimit.intervalMs", "rateLimit.max", "retention.completedMs"].sort(),
    );
    expect((await server.call("GET", "/v1/queues/bounded")).body).toMatchObject({ concurrency: null, rateLimit: null, retention: null, defaults: {} });
    expectError(await server.call("POST", "/v1/queues/t/jobs", { backoff: { maxDelayMs: huge } }), 400, "validation_failed");
    // What the spec says matches: a bound a client generator can check before sending.
    const spec = (await server.call("GET", "/openapi.json")).body;
    expect(spec.components.schemas.EnqueueRequest.properties.delayMs.maximum).toBe(100 * 365.25 * 86_400_000);
    expect(spec.components.schemas.JobDefaults.properties.timeoutMs.maximum).toBe(100 * 365.25 * 86_400_000);
  });

  test("a whole number past what a number holds exactly is told the field's own limit once, not the safe-integer bound as well", async () => {
    server = await startTestServer();
    const job = expectError(await server.call("POST", "/v1/queues/t/jobs", { priority: 1e20, maxAttempts: -1e20 }), 400, "validation_failed");
    expect(job.details).toEqual([
      { path: "priority", message: "Too big: expected number to be <=10" },
      { path: "maxAttempts", message: "Too small: expected number to be >=1" },
    ]);
    const queue = expectError(await server.call("PUT", "/v1/queues/t", { concurrency: 1e300, rateLimit: { max: 1e300, intervalMs: 1000 } }), 400, "validation_failed");
    expect(queue.details.map((d: { path: string }) => d.path)).toEqual(["concurrency", "rateLimit.max"]);
    expect(queue.message).not.toContain("9007199254740991");
    expect(await counts(server, "t")).toEqual(empty);
  });

  test("the longest delay allowed is stored and read back", async () => {
    server = await startTestServer();
    const job = await server.call("POST", "/v1/queues/t/jobs", { delayMs: 100 * 365.25 * 86_400_000 });
    expect(job.status).toBe(201);
    expect((await server.call("GET", `/v1/jobs/${job.body.id}`)).body.state).toBe("delayed");
    expect((await server.call("GET", "/v1/jobs?queue=t")).status).toBe(200);
  });
});

describe("odd requests", () => {
  /** Sends raw bytes and returns the status line's code. */
  async function rawStatus(bytes: string): Promise<number> {
    const { promise, resolve, reject } = Promise.withResolvers<number>();
    let text = "";
    const port = Number(new URL(server.url).port);
    const socket = await Bun.connect({
      hostname: "127.0.0.1",
      port,
      socket: {
        data(_s, chunk) {
          text += new TextDecoder().decode(chunk);
          const code = text.match(/^HTTP\/1\.[01] (\d{3})/)?.[1];
          if (code) resolve(Number(code));
        },
        error: (_s, err) => reject(err),
        close: () => reject(new Error(`closed after: ${text}`)),
      },
    });
    socket.write(bytes);
    try {
      return await promise;
    } finally {
      socket.end();
    }
  }

  test("HTTP/1.0 without Host, or a Host that is not a host, is served like any request", async () => {
    server = await startTestServer();
    expect(await rawStatus("GET /healthz HTTP/1.0\r\n\r\n")).toBe(200);
    expect(await rawStatus("GET /v1/queues HTTP/1.1\r\nHost: a b\r\nConnection: close\r\n\r\n")).toBe(200);
    expect(await rawStatus('POST /v1/queues/old/jobs HTTP/1.0\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}')).toBe(201);
  });

  test("a known path with the wrong method is 405 with Allow, not 404", async () => {
    server = await startTestServer();
    const res = await server.call("DELETE", "/v1/queues");
    expectError(res, 405, "method_not_allowed");
    expect(res.headers.get("allow")).toBe("GET, HEAD");
    expect((await server.call("PATCH", "/v1/jobs/1")).headers.get("allow")).toBe("DELETE, GET, HEAD");
    expectError(await server.call("GET", "/v1/nothing-here"), 404, "not_found");
  });

  test("a path a GET route matches but whose handler finds nothing (an unknown asset) is 404, not 405 'answers GET, not GET'", async () => {
    server = await startTestServer();
    expectError(await server.call("GET", "/assets/nope.css"), 404, "not_found");
    expectError(await server.call("GET", "/assets/..%2f..%2fetc%2fpasswd"), 404, "not_found");
    expectError(await server.call("POST", "/assets/style.css"), 405, "method_not_allowed");
  });
});

describe("a client that hangs up", () => {
  test("a request whose connection closed while its body was read is answered quietly, not logged as an unexpected error", async () => {
    const { Hono } = await import("hono");
    const { handleError } = await import("../src/api/errors.ts");
    const app = new Hono();
    app.onError(handleError);
    app.post("/cut", () => {
      throw new DOMException("The connection was closed.", "AbortError");
    });
    const logged: unknown[] = [];
    const original = console.error;
    console.error = (...args: unknown[]) => void logged.push(args);
    try {
      const res = await app.request("/cut", { method: "POST" });
      expect(res.status).toBe(400);
      expect(((await res.json()) as any).error.code).toBe("client_closed_request");
    } finally {
      console.error = original;
    }
    expect(logged).toEqual([]);
  });
});
