/** spool as a library on Redis: `openSpool({ redis })` shares its queue with a `spool serve --redis` on the same prefix, and leaves no data folder. */
import { afterAll, expect, test } from "bun:test";
import { existsSync, rmSync } from "node:fs";
import { join } from "node:path";
import { openSpool, StorageUnavailable } from "../src/index.ts";
import { spawnServe, type ServeProcess } from "./helpers/process.ts";
import { freshPrefix, REDIS_URL, redisAvailable } from "./helpers/redis.ts";
import { startRedis } from "./helpers/redis-servers.ts";
import { tempDir } from "./helpers/server.ts";

const MAIN = join(import.meta.dir, "../src/main.ts");
const dir = tempDir("spool-redis-lib-");
let server: ServeProcess | null = null;

afterAll(async () => {
  server?.proc.kill("SIGKILL");
  await server?.proc.exited;
  rmSync(dir, { recursive: true, force: true });
});

if (await redisAvailable()) {
  test("openSpool({ redis }) runs a handler for a job a server on the same Redis and prefix enqueued", async () => {
    const prefix = freshPrefix();
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("SPOOL_"))) as Record<string, string>;
    server = await spawnServe([process.execPath, MAIN], ["--data", join(dir, "server"), "--redis", REDIS_URL, "--redis-prefix", prefix], { env });
    const res = await fetch(`${server.url}/v1/queues/emails/jobs`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ payload: { to: "ada" } }) });
    const enqueued = (await res.json()) as { id: string };

    const cwd = process.cwd();
    process.chdir(dir);
    try {
      const spool = await openSpool({ redis: REDIS_URL, redisPrefix: prefix });
      let ran!: (payload: unknown) => void;
      const payload = new Promise((resolve) => (ran = resolve));
      const worker = spool.work("emails", async (job) => {
        ran(job.payload);
        return { sent: true };
      });
      expect(await payload).toEqual({ to: "ada" });
      await worker.stop(5000);
      await spool.close();
      expect(existsSync(join(dir, "spool-data"))).toBe(false);
    } finally {
      process.chdir(cwd);
    }
    const seen = (await (await fetch(`${server.url}/v1/jobs/${enqueued.id}`)).json()) as { state: string; result: unknown };
    expect(seen).toMatchObject({ state: "completed", result: { sent: true } });
  });

  test("openSpool({ redis }) on a Redis that is gone: calls fail fast with StorageUnavailable", async () => {
    const gone = await startRedis();
    await gone.stop();
    rmSync(gone.dir, { recursive: true, force: true });
    const spool = await openSpool({ redis: `redis://127.0.0.1:${gone.port}`, redisPrefix: freshPrefix() });
    const started = performance.now();
    const err = await spool.enqueue("q", {}).catch((e) => e);
    expect(err).toBeInstanceOf(StorageUnavailable);
    expect(err.message).toMatch(new RegExp(`Redis at redis://127.0.0.1:${gone.port} is unreachable`));
    expect(performance.now() - started).toBeLessThan(5000);
    await spool.close(0);
  });

  test("on Redis an in-process worker keeps two claims out, each for half its slots, so Redis answers one while the other's jobs run", async () => {
    const spool = await openSpool({ redis: REDIS_URL, redisPrefix: freshPrefix() });
    try {
      const jobs = await spool.enqueueMany("thumbs", Array.from({ length: 9 }, (_, i) => ({ payload: i })));
      let open!: () => void;
      const gate = new Promise<void>((resolve) => (open = resolve));
      const started: string[] = [];
      const worker = spool.work("thumbs", async (job) => {
        started.push(job.id);
        await gate;
        return job.payload;
      }, { concurrency: 4 });
      for (let i = 0; i < 500 && started.length < 4; i++) await Bun.sleep(10);
      expect(started.length).toBe(4);
      const tokens = await Promise.all(started.map(async (id) => (await spool.service.getJob(id)).leaseToken!));
      expect(Object.values(Object.groupBy(tokens, (t) => t)).map((list) => list!.length)).toEqual([2, 2]);
      open();
      const allDone = async () => (await Promise.all(jobs.map((j) => spool.service.getJob(j.id)))).every((j) => j.state === "completed");
      for (let i = 0; i < 500 && !(await allDone()); i++) await Bun.sleep(10);
      for (const job of jobs) expect(await spool.service.getJob(job.id)).toMatchObject({ state: "completed", result: job.payload });
      await worker.stop(5000);
    } finally {
      await spool.close(0);
    }
  });
}
