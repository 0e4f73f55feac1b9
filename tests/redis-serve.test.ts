/**
 * `spool serve --redis` as a real process: ready on Redis with nothing of the queue in the data
 * folder, the persistence warning at start, backup answered 409, tokens made by the CLI on
 * Redis; and a Redis that dies under a running server (503 with a clear message, /readyz not
 * ready, the process stays up, ready again by itself) or is not there yet at start.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { Redis } from "ioredis";
import { isStackTrace, runCli } from "./helpers/cli.ts";
import { postJson, spawnServe, type ServeProcess } from "./helpers/process.ts";
import { dropPrefix, freshPrefix, REDIS_URL, redisAvailable } from "./helpers/redis.ts";
import { startRedis, type RedisServer } from "./helpers/redis-servers.ts";
import { tempDir } from "./helpers/server.ts";
import { EventFeed } from "../src/monitor/event-feed.ts";
import { eventStream } from "../src/monitor/event-stream.ts";
import { openStore } from "../src/store/open-store.ts";
import { waitFor } from "./helpers/wait.ts";

const MAIN = join(import.meta.dir, "../src/main.ts");

type Served = ServeProcess & { dataDir: string; stderr: () => string };

const servers: Served[] = [];

/** `spool serve --redis URL` from source; its stderr is collected as it comes. */
async function serveOnRedis(url: string, prefix: string, extra: string[] = []): Promise<Served> {
  const dataDir = tempDir("spool-redis-serve-");
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("SPOOL_"))) as Record<string, string>;
  const served = await spawnServe([process.execPath, MAIN], ["--data", dataDir, "--redis", url, "--redis-prefix", prefix, ...extra], { env });
  let err = "";
  void (async () => {
    const decoder = new TextDecoder();
    for await (const chunk of served.proc.stderr as unknown as AsyncIterable<Uint8Array>) err += decoder.decode(chunk);
  })();
  const s = { ...served, dataDir, stderr: () => err };
  servers.push(s);
  return s;
}

async function get(s: Served, path: string, headers: Record<string, string> = {}) {
  const res = await fetch(s.url + path, { headers });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null, headers: res.headers };
}

afterAll(async () => {
  for (const s of servers) {
    s.proc.kill("SIGKILL");
    await s.proc.exited;
    rmSync(s.dataDir, { recursive: true, force: true });
  }
});

if (await redisAvailable()) {
  describe("spool serve --redis", () => {
    const prefix = freshPrefix();
    let server: Served;

    beforeAll(async () => {
      server = await serveOnRedis(REDIS_URL, prefix);
    });

    afterAll(async () => {
      const redis = new Redis(REDIS_URL);
      await dropPrefix(redis, prefix);
      redis.disconnect();
    });

    test("is ready on Redis, says where the queue lives, and keeps nothing of it in the data folder", async () => {
      expect(await get(server, "/readyz")).toMatchObject({ status: 200, body: { status: "ready" } });
      expect((await get(server, "/v1/server")).body.store).toEqual({ kind: "redis", reachable: true, files: null });
      expect(server.output()).toContain(`store: Redis at ${REDIS_URL}, prefix ${prefix}`);
      const page = await (await fetch(`${server.url}/server`)).text();
      expect(page).toMatch(/Redis(&#39;|')s own persistence/);
      // No database, and no lock: other servers may share the queue.
      expect(readdirSync(server.dataDir).filter((f) => /spool\.(db|lock|pid)/.test(f))).toEqual([]);
    });

    test("warns once at start, in one line, that Redis runs with appendonly no", async () => {
      const redis = new Redis(REDIS_URL);
      const [, appendonly] = (await redis.config("GET", "appendonly")) as string[];
      redis.disconnect();
      await waitFor(() => server.stderr().includes("spool: warning") || appendonly !== "no", 5000, "the warning");
      const warnings = server.stderr().split("\n").filter((l) => l.includes("appendonly no"));
      expect(warnings).toHaveLength(appendonly === "no" ? 1 : 0);
      if (appendonly === "no") expect(warnings[0]).toMatch(/^spool: warning: Redis at .* has appendonly no: .*set appendonly yes$/);
    });

    test("backup answers 409 and points to Redis's own persistence", async () => {
      const res = await fetch(`${server.url}/v1/admin/backup`, { method: "POST" });
      expect(res.status).toBe(409);
      const body = (await res.json()) as any;
      expect(body.error.code).toBe("conflict");
      expect(body.error.message).toMatch(/Redis's own persistence/);
    });

    test("spool token create --redis writes the token to Redis, where the running server finds it", async () => {
      const tokenPrefix = freshPrefix();
      const other = await serveOnRedis(REDIS_URL, tokenPrefix);
      const created = await runCli(["token", "create", "--role", "viewer", "--name", "ops", "--redis", REDIS_URL, "--redis-prefix", tokenPrefix, "--json"]);
      expect(created.code).toBe(0);
      const { token, id } = JSON.parse(created.stdout);
      // Open mode ends within a second of the first token.
      await waitFor(async () => (await get(other, "/v1/queues")).status === 401, 5000, "the server to require a token");
      expect((await get(other, "/v1/queues", { authorization: `Bearer ${token}` })).status).toBe(200);
      const listed = await runCli(["token", "ls", "--redis", REDIS_URL, "--redis-prefix", tokenPrefix, "--json"]);
      expect(JSON.parse(listed.stdout)).toMatchObject([{ id, name: "ops", role: "viewer" }]);
      // The server of the first test has its own prefix: its queue has no token.
      expect((await get(server, "/v1/queues")).status).toBe(200);
    });
  });

  describe("a Redis that goes away", () => {
    let redis: RedisServer;

    beforeAll(async () => {
      redis = await startRedis(["--appendonly", "no"]);
    });

    afterAll(async () => {
      await redis.stop();
      rmSync(redis.dir, { recursive: true, force: true });
    });

    test("while spool runs: 503 with a clear message, /readyz not ready, the process stays up, and ready again by itself", async () => {
      const url = `redis://127.0.0.1:${redis.port}`;
      const server = await serveOnRedis(url, "spool");
      expect((await get(server, "/readyz")).status).toBe(200);
      expect((await postJson(`${server.url}/v1/queues/outage/jobs`, { payload: { n: 1 } })).status).toBe(201);

      await redis.stop();
      const unavailable = new RegExp(`^storage unavailable: Redis at ${url} is unreachable \\(.+\\); spool reconnects by itself`);
      await waitFor(async () => (await get(server, "/readyz")).status === 503, 5000, "/readyz to say not ready");
      const ready = await get(server, "/readyz");
      expect(ready.body.error).toMatchObject({ code: "storage_unavailable", message: expect.stringMatching(unavailable) });
      expect(ready.headers.get("retry-after")).toBe("5");
      // Reads that pipeline several commands too: never an empty answer that looks like an empty queue.
      const reads = ["/v1/queues", "/v1/jobs?queue=outage", "/v1/jobs?queue=outage&state=waiting", "/v1/jobs?queue=outage&key=k", "/v1/schedules"];
      for (const res of [...(await Promise.all(reads.map((path) => get(server, path)))), await postJson(`${server.url}/v1/queues/outage/jobs`, { payload: { n: 2 } })]) {
        expect(res.status).toBe(503);
        expect(res.body.error.code).toBe("storage_unavailable");
        expect(res.body.error.message).toMatch(unavailable);
      }
      expect((await get(server, "/v1/health")).body).toMatchObject({ status: "unhealthy", score: 0 });
      expect((await get(server, "/healthz")).status).toBe(200);
      await waitFor(() => server.stderr().includes(`lost the connection to Redis at ${url}`), 5000, "the lost-connection line");

      await redis.restart();
      const back = performance.now();
      await waitFor(async () => (await get(server, "/readyz")).status === 200, 10_000, "/readyz to be ready again");
      expect(performance.now() - back).toBeLessThan(10_000);
      expect((await postJson(`${server.url}/v1/queues/outage/jobs`, { payload: { n: 3 } })).status).toBe(201);
      await waitFor(() => server.stderr().includes(`Redis at ${url} answers again`), 5000, "the answers-again line");
      expect(server.proc.exitCode).toBeNull();
      expect(isStackTrace(server.stderr())).toBe(false);
    });

    test("an open event stream ends with a comment saying why, not an error, when Redis goes away under it", async () => {
      const store = await openStore({ kind: "redis", url: `redis://127.0.0.1:${redis.port}`, prefix: freshPrefix() });
      const clock = { now: () => Date.now() };
      try {
        const stream = eventStream({ store, feed: new EventFeed(store, clock, 5), clock, filters: {}, afterId: 0, heartbeatMs: 30 });
        const reader = stream.getReader();
        const text = async () => new TextDecoder().decode((await reader.read()).value);
        expect(await text()).toBe("retry: 1000\n\n");
        expect(await text()).toBe(": keepalive\n\n");
        await redis.stop();
        const chunks: string[] = [];
        for (let i = 0; i < 20; i++) {
          const { done, value } = await reader.read();
          if (done) break;
          chunks.push(new TextDecoder().decode(value));
        }
        expect(chunks.at(-1)).toMatch(/^: storage unavailable: Redis at redis:\/\/127\.0\.0\.1:\d+ is unreachable .*\n\n$/);
        expect((await reader.read()).done).toBe(true);
      } finally {
        await redis.restart();
        await store.close();
      }
    });

    test("at start: spool listens and answers 503 until Redis comes, then is ready by itself", async () => {
      await redis.stop();
      const url = `redis://127.0.0.1:${redis.port}`;
      const server = await serveOnRedis(url, "spool");
      const waiting = new RegExp(`spool: waiting for Redis at ${url} \\(.+\\); until it answers, requests get 503`);
      await waitFor(() => waiting.test(server.stderr()), 5000, "the waiting line");
      expect((await get(server, "/readyz")).status).toBe(503);
      expect((await get(server, "/v1/queues")).status).toBe(503);

      await redis.restart();
      await waitFor(async () => (await get(server, "/readyz")).status === 200, 10_000, "/readyz to be ready");
      expect((await postJson(`${server.url}/v1/queues/late/jobs`, { payload: {} })).status).toBe(201);
      // The scheduler starts once Redis answers: its built-in schedules are there.
      await waitFor(async () => (await get(server, "/v1/schedules")).body.schedules?.length > 0, 5000, "the built-in schedules");
      await waitFor(() => server.stderr().includes("appendonly no"), 5000, "the persistence warning");
    });

    test("SIGTERM while Redis is away: spool shuts down cleanly", async () => {
      await redis.stop();
      await redis.restart();
      const server = await serveOnRedis(`redis://127.0.0.1:${redis.port}`, "spool");
      expect((await get(server, "/readyz")).status).toBe(200);
      await redis.stop();
      await waitFor(async () => (await get(server, "/readyz")).status === 503, 5000, "/readyz to say not ready");
      server.proc.kill("SIGTERM");
      const code = await Promise.race([server.proc.exited, Bun.sleep(15_000).then(() => "still running")]);
      expect(code).toBe(0);
      expect(isStackTrace(server.stderr())).toBe(false);
    });
  });
}
