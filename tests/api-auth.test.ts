/** HTTP API, auth: bearer tokens and roles, open mode on loopback, and the refusals of startServer. */
import { afterEach, describe, expect, test } from "bun:test";
import { rmSync } from "node:fs";
import type { TokenRole } from "../src/core/store.ts";
import { DataFolderInUse } from "../src/store/sqlite/data-lock.ts";
import { RefusedToStart } from "../src/server.ts";
import { bearer, expectError, tokenFor, type Answer } from "./helpers/api.ts";
import { DashboardSession } from "./helpers/dashboard.ts";
import { startTestServer, tempDir, type TestServer } from "./helpers/server.ts";
import { waitFor } from "./helpers/wait.ts";

const ADMIN_SECRET = "env-admin-secret-0123456789";
const admin = bearer(ADMIN_SECRET);

let server: TestServer;
afterEach(() => server?.close());

type Permission = "read" | "enqueue" | "work" | "admin";

/** DESIGN §6: what each role may do. */
const GRANTS: Record<TokenRole, Permission[]> = {
  admin: ["read", "enqueue", "work", "admin"],
  producer: ["read", "enqueue"],
  worker: ["read", "enqueue", "work"],
  viewer: ["read"],
};

async function newJob(queue: string) {
  return (await server.call("POST", `/v1/queues/${queue}/jobs`, {}, admin)).body;
}
async function leased(queue: string) {
  await newJob(queue);
  return (await server.call("POST", `/v1/queues/${queue}/claim`, { workerId: "w" }, admin)).body.jobs[0];
}
async function newToken() {
  return (await server.call("POST", "/v1/tokens", { role: "viewer" }, admin)).body;
}
async function cancelled(queue: string) {
  const job = await newJob(queue);
  await server.call("POST", `/v1/jobs/${job.id}/cancel`, undefined, admin);
  return job;
}

/** One representative call per route: `setup` prepares what it needs as admin, then `call` runs with the role's headers. */
type Operation = {
  name: string;
  needs: Permission;
  ok: number;
  setup?: (q: string) => Promise<any>;
  call: (q: string, h: Record<string, string>, fixture: any) => Promise<Answer>;
};

const OPERATIONS: Operation[] = [
  { name: "list jobs", needs: "read", ok: 200, call: (_q, h) => server.call("GET", "/v1/jobs", undefined, h) },
  { name: "get job", needs: "read", ok: 200, setup: newJob, call: (_q, h, j) => server.call("GET", `/v1/jobs/${j.id}`, undefined, h) },
  { name: "list queues", needs: "read", ok: 200, call: (_q, h) => server.call("GET", "/v1/queues", undefined, h) },
  { name: "get queue", needs: "read", ok: 200, call: (q, h) => server.call("GET", `/v1/queues/${q}`, undefined, h) },
  { name: "server info", needs: "read", ok: 200, call: (_q, h) => server.call("GET", "/v1/server", undefined, h) },
  { name: "enqueue", needs: "enqueue", ok: 201, call: (q, h) => server.call("POST", `/v1/queues/${q}/jobs`, {}, h) },
  { name: "enqueue batch", needs: "enqueue", ok: 201, call: (q, h) => server.call("POST", `/v1/queues/${q}/jobs/batch`, { jobs: [{}] }, h) },
  { name: "claim", needs: "work", ok: 200, setup: newJob, call: (q, h) => server.call("POST", `/v1/queues/${q}/claim`, { workerId: "w" }, h) },
  {
    name: "complete", needs: "work", ok: 200, setup: leased,
    call: (_q, h, j) => server.call("POST", `/v1/jobs/${j.id}/complete`, { token: j.lease.token }, h),
  },
  {
    name: "complete many", needs: "work", ok: 200, setup: leased,
    call: (_q, h, j) => server.call("POST", "/v1/jobs/complete", { items: [{ id: j.id, token: j.lease.token }] }, h),
  },
  {
    name: "fail", needs: "work", ok: 200, setup: leased,
    call: (_q, h, j) => server.call("POST", `/v1/jobs/${j.id}/fail`, { token: j.lease.token, error: { message: "x" } }, h),
  },
  {
    name: "heartbeat", needs: "work", ok: 200, setup: leased,
    call: (_q, h, j) => server.call("POST", `/v1/jobs/${j.id}/heartbeat`, { token: j.lease.token }, h),
  },
  { name: "cancel", needs: "admin", ok: 200, setup: newJob, call: (_q, h, j) => server.call("POST", `/v1/jobs/${j.id}/cancel`, undefined, h) },
  { name: "retry", needs: "admin", ok: 200, setup: cancelled, call: (_q, h, j) => server.call("POST", `/v1/jobs/${j.id}/retry`, undefined, h) },
  { name: "delete", needs: "admin", ok: 204, setup: cancelled, call: (_q, h, j) => server.call("DELETE", `/v1/jobs/${j.id}`, undefined, h) },
  { name: "configure queue", needs: "admin", ok: 200, call: (q, h) => server.call("PUT", `/v1/queues/${q}`, { concurrency: 3 }, h) },
  { name: "pause", needs: "admin", ok: 200, call: (q, h) => server.call("POST", `/v1/queues/${q}/pause`, undefined, h) },
  { name: "resume", needs: "admin", ok: 200, call: (q, h) => server.call("POST", `/v1/queues/${q}/resume`, undefined, h) },
  { name: "purge", needs: "admin", ok: 200, setup: cancelled, call: (q, h) => server.call("POST", `/v1/queues/${q}/purge?state=cancelled`, undefined, h) },
  { name: "retry failed", needs: "admin", ok: 200, call: (q, h) => server.call("POST", `/v1/queues/${q}/retry-failed`, undefined, h) },
  { name: "cancel waiting", needs: "admin", ok: 200, setup: newJob, call: (q, h) => server.call("POST", `/v1/queues/${q}/cancel-waiting`, undefined, h) },
  { name: "backup", needs: "admin", ok: 200, call: (_q, h) => server.call("POST", "/v1/admin/backup", undefined, h) },
  { name: "list tokens", needs: "admin", ok: 200, call: (_q, h) => server.call("GET", "/v1/tokens", undefined, h) },
  { name: "create token", needs: "admin", ok: 201, call: (_q, h) => server.call("POST", "/v1/tokens", { role: "viewer" }, h) },
  { name: "revoke token", needs: "admin", ok: 204, setup: newToken, call: (_q, h, t) => server.call("DELETE", `/v1/tokens/${t.id}`, undefined, h) },
];

/** What a refused call could have changed: the queue's counts, config and pause. */
async function snapshot(queue: string) {
  return (await server.call("GET", `/v1/queues/${queue}`, undefined, admin)).body;
}

describe("tokens", () => {
  test("without a token, or with an unknown or malformed one, /v1 answers 401", async () => {
    server = await startTestServer({ adminToken: ADMIN_SECRET });
    expectError(await server.call("GET", "/v1/jobs"), 401, "unauthorized");
    expectError(await server.call("GET", "/v1/jobs", undefined, bearer("spool_not-a-real-token")), 401, "unauthorized");
    expectError(await server.call("GET", "/v1/jobs", undefined, { authorization: `Basic ${ADMIN_SECRET}` }), 401, "unauthorized");
    expectError(await server.call("POST", "/v1/queues/q/jobs", {}, bearer(ADMIN_SECRET + "x")), 401, "unauthorized");
    expect((await server.call("GET", "/v1/queues/q", undefined, admin)).body.counts.waiting).toBe(0);
  });

  for (const role of Object.keys(GRANTS) as TokenRole[]) {
    test(`${role === "admin" ? "an" : "a"} ${role} token may ${GRANTS[role].join(", ")} and is refused the rest with 403`, async () => {
      server = await startTestServer({ adminToken: ADMIN_SECRET });
      const h = bearer(await tokenFor(server, role));
      for (const [i, op] of OPERATIONS.entries()) {
        const queue = `q${i}`;
        const allowed = GRANTS[role].includes(op.needs);
        const fixture = await op.setup?.(queue);
        const before = await snapshot(queue);
        const res = await op.call(queue, h, fixture);
        if (allowed) {
          expect({ op: op.name, status: res.status }).toEqual({ op: op.name, status: op.ok });
        } else {
          expect({ op: op.name, status: res.status }).toEqual({ op: op.name, status: 403 });
          expectError(res, 403, "forbidden");
          expect(await snapshot(queue)).toEqual(before);
        }
      }
    });
  }

  test("SPOOL_ADMIN_TOKEN alone gives admin access and is never shown", async () => {
    server = await startTestServer({ adminToken: ADMIN_SECRET });
    expect((await server.call("POST", "/v1/queues/q/pause", undefined, admin)).status).toBe(200);
    const info = await server.call("GET", "/v1/server", undefined, admin);
    expect(info.status).toBe(200);
    expect(JSON.stringify(info.body)).not.toContain(ADMIN_SECRET);
  });

  test("every /v1 operation in /openapi.json answers 401 without a token", async () => {
    server = await startTestServer({ adminToken: ADMIN_SECRET });
    const doc = (await server.call("GET", "/openapi.json")).body;
    const operations = Object.entries<Record<string, unknown>>(doc.paths)
      .filter(([path]) => path.startsWith("/v1/"))
      .flatMap(([path, ops]) => Object.keys(ops).map((method) => ({ method: method.toUpperCase(), path })));
    expect(operations.length).toBeGreaterThanOrEqual(OPERATIONS.length);
    for (const { method, path } of operations) {
      const url = path.replace("{queue}", "q").replace("{id}", "1");
      const res = await server.call(method, url, method === "GET" || method === "DELETE" ? undefined : {});
      expect({ method, path, status: res.status }).toEqual({ method, path, status: 401 });
      expectError(res, 401, "unauthorized");
    }
    // Nothing was created by the refused calls (spool's own maintenance queue aside, which its schedules fill).
    const queues = (await server.call("GET", "/v1/queues", undefined, admin)).body.queues;
    expect(queues.filter((q: { name: string }) => !q.name.startsWith("spool:"))).toEqual([]);
  });

  test("/healthz, /readyz and the API reference are public", async () => {
    server = await startTestServer({ adminToken: ADMIN_SECRET });
    expect((await server.call("GET", "/healthz")).body).toEqual({ status: "ok" });
    expect((await server.call("GET", "/readyz")).body).toEqual({ status: "ready" });
    expect((await server.call("GET", "/openapi.json")).status).toBe(200);
    expect((await server.call("GET", "/docs")).status).toBe(200);
  });
});

describe("open mode", () => {
  test("with no token at all the loopback server is open", async () => {
    server = await startTestServer();
    expect((await server.call("POST", "/v1/queues/q/jobs", {})).status).toBe(201);
    expect((await server.call("POST", "/v1/queues/q/pause")).status).toBe(200);
  });

  test("open mode answers only requests addressed to a loopback name: a page rebinding its own name to 127.0.0.1 gets nothing", async () => {
    server = await startTestServer();
    const asHost = (host: string, method = "GET", path = "/v1/jobs") =>
      fetch(`${server.url}${path}`, { method, headers: { host, origin: `http://${host}`, "sec-fetch-site": "same-origin" } });
    for (const host of ["rebind.attacker.example:7070", "10.0.0.5:7070"]) {
      expect((await asHost(host)).status).toBe(403);
      expect((await asHost(host, "POST", "/v1/queues/q/pause")).status).toBe(403);
      expect((await asHost(host, "GET", "/")).status).toBe(403);
    }
    expect((await server.service.getQueue("q")).paused).toBe(false);
    for (const host of [`localhost:${server.port}`, `127.0.0.1:${server.port}`, `[::1]:${server.port}`]) expect((await asHost(host)).status).toBe(200);
  });

  test("a token created while the server runs closes open mode within seconds", async () => {
    server = await startTestServer();
    expect((await server.call("GET", "/v1/jobs")).status).toBe(200);
    const token = await tokenFor(server, "viewer");
    await waitFor(async () => (await server.call("GET", "/v1/jobs")).status === 401, 3000, "auth to be required");
    expect((await server.call("GET", "/v1/jobs", undefined, bearer(token))).status).toBe(200);
  });
});

describe("startServer refusals", () => {
  test("a non-loopback host without any token is refused unless insecure", async () => {
    const dataDir = tempDir();
    try {
      const refused = startTestServer({ host: "0.0.0.0", dataDir });
      await expect(refused).rejects.toBeInstanceOf(RefusedToStart);
      await expect(refused).rejects.toThrow(/without any API token/);
      server = await startTestServer({ host: "0.0.0.0", dataDir, insecure: true });
      expect((await fetch(`http://127.0.0.1:${server.port}/healthz`)).status).toBe(200);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  test("a non-loopback host with SPOOL_ADMIN_TOKEN starts and requires it", async () => {
    server = await startTestServer({ host: "0.0.0.0", adminToken: ADMIN_SECRET });
    expect((await fetch(`http://127.0.0.1:${server.port}/v1/jobs`)).status).toBe(401);
  });

  test("a second server on the same data folder is refused with a clear message", async () => {
    server = await startTestServer();
    const second = startTestServer({ dataDir: server.dataDir });
    await expect(second).rejects.toBeInstanceOf(DataFolderInUse);
    await expect(second).rejects.toThrow(`is using the data folder ${server.dataDir}`);
    expect((await server.call("GET", "/healthz")).status).toBe(200);
  });
});

describe("secrets in push targets", () => {
  test("only admins read a target's header values and URL credentials; other roles see them hidden", async () => {
    server = await startTestServer({ adminToken: ADMIN_SECRET });
    const target = { url: "https://bot:hunter2@hooks.example.com/in?api_key=s3cret&v=2", headers: { authorization: "Bearer very-secret" } };
    expect((await server.call("PUT", "/v1/queues/hooks", { target }, admin)).status).toBe(200);
    expect((await server.call("GET", "/v1/queues/hooks", undefined, admin)).body.target).toMatchObject(target);
    for (const role of ["viewer", "producer", "worker"] as const) {
      const headers = bearer(await tokenFor(server, role));
      const one = (await server.call("GET", "/v1/queues/hooks", undefined, headers)).body;
      const all = (await server.call("GET", "/v1/queues", undefined, headers)).body.queues.find((q: any) => q.name === "hooks");
      for (const seen of [one, all]) {
        expect(JSON.stringify(seen)).not.toMatch(/hunter2|s3cret|very-secret|bot:/);
        expect(seen.target).toMatchObject({ url: "https://***:***@hooks.example.com/***?api_key=***&v=***", headers: { authorization: "***" } });
      }
    }
    // A Slack-style webhook keeps its secret in the path, and a URL may name its scheme in capitals.
    const slack = { url: "HTTPS://hooks.slack.example/services/T0001/B0002/XXXXsecretXXXX#frag" };
    expect((await server.call("PUT", "/v1/queues/slack", { target: slack }, admin)).status).toBe(200);
    const seen = (await server.call("GET", "/v1/queues/slack", undefined, bearer(await tokenFor(server, "viewer")))).body.target;
    expect(seen.url).toBe("https://hooks.slack.example/***#***");
  });
});

describe("spool's own queues", () => {
  test("the dashboard's enqueue form into a spool: queue is for admins only too", async () => {
    server = await startTestServer({ adminToken: ADMIN_SECRET });
    const web = new DashboardSession(server);
    expect((await web.signIn(await tokenFor(server, "producer"))).status).toBe(303);
    await web.get("/queues/spool:maintenance");
    const res = await web.post("/queues/spool:maintenance/jobs", { payload: '{"task": "retention"}' });
    expect(res.status).toBe(403);
    const jobs = (await server.service.listJobs({ queue: "spool:maintenance", limit: 100 })).jobs;
    expect(jobs.filter((j) => (j.payload as { task?: string }).task === "retention")).toEqual([]);
  });

  test("only admins enqueue into or claim from a spool: queue; every role may read it", async () => {
    server = await startTestServer({ adminToken: ADMIN_SECRET });
    for (const role of ["producer", "worker", "viewer"] as const) {
      const headers = bearer(await tokenFor(server, role));
      expect((await server.call("POST", "/v1/queues/spool:maintenance/jobs", {}, headers)).status).toBe(403);
      expect((await server.call("POST", "/v1/queues/spool%3Amaintenance/jobs/batch", { jobs: [{}] }, headers)).status).toBe(403);
      expect((await server.call("POST", "/v1/queues/spool:maintenance/claim", { workerId: "w" }, headers)).status).toBe(403);
      expect((await server.call("GET", "/v1/queues/spool:maintenance", undefined, headers)).status).toBe(200);
    }
    expect((await server.call("POST", "/v1/queues/spool:maintenance/claim", { workerId: "w", max: 0 }, admin)).status).not.toBe(403);
  });
});
