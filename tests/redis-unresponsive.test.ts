/**
 * A Redis that is reached but does not answer (frozen with SIGSTOP), and one that refuses
 * spool's password after a change on its side: requests get 503 storage_unavailable naming why,
 * within the command timeout, never a hang or a 500, and spool is back by itself once Redis is.
 */
import { afterEach, expect, test } from "bun:test";
import { Redis } from "ioredis";
import { redisAvailable } from "./helpers/redis.ts";
import { startRedis, type RedisServer } from "./helpers/redis-servers.ts";
import { startTestServer, type TestServer } from "./helpers/server.ts";

let redis: RedisServer | null = null;
let server: TestServer | null = null;
afterEach(async () => {
  redis?.thaw();
  await server?.close();
  await redis?.stop();
  [redis, server] = [null, null];
});

const enqueue = () => server!.call("POST", "/v1/queues/q/jobs", { payload: 1 });

/** Tries an enqueue every 100 ms until one is taken (at most 10 s); its last status. */
async function enqueuedOnceBack(): Promise<number> {
  let status = 0;
  for (let i = 0; i < 100 && status !== 201; i++) {
    status = (await enqueue()).status;
    if (status !== 201) await Bun.sleep(100);
  }
  return status;
}

if (await redisAvailable()) {
  test("a frozen Redis: requests and /readyz answer 503 within the command timeout instead of hanging, and all is well once it answers again", async () => {
    redis = await startRedis();
    server = await startTestServer({ redis: { url: `redis://127.0.0.1:${redis.port}` } });
    expect((await enqueue()).status).toBe(201);
    redis.freeze();
    const started = performance.now();
    const [refused, ready] = await Promise.all([enqueue(), fetch(`${server.url}/readyz`)]);
    expect(performance.now() - started).toBeLessThan(8000);
    expect(refused.status).toBe(503);
    expect(refused.body.error).toMatchObject({ code: "storage_unavailable", message: expect.stringContaining("did not answer within 5 s") });
    expect(ready.status).toBe(503);
    redis.thaw();
    expect(await enqueuedOnceBack()).toBe(201);
  }, 30_000);

  test("Redis refusing spool's password after a change on its side: 503 naming the credentials, not 500; back once the password is", async () => {
    redis = await startRedis(["--requirepass", "first-pass"]);
    server = await startTestServer({ redis: { url: `redis://:first-pass@127.0.0.1:${redis.port}` } });
    expect((await enqueue()).status).toBe(201);
    const admin = new Redis({ port: redis.port, password: "first-pass", lazyConnect: true });
    await admin.connect();
    await admin.config("SET", "requirepass", "second-pass");
    await admin.call("CLIENT", "KILL", "TYPE", "normal", "SKIPME", "yes");
    let answer = await enqueue();
    for (let i = 0; i < 50 && answer.status === 201; i++) (await Bun.sleep(100), (answer = await enqueue()));
    expect(answer.status).toBe(503);
    expect(answer.body.error.code).toBe("storage_unavailable");
    for (const path of ["/v1/queues", "/v1/jobs"]) expect((await server.call("GET", path)).status).toBe(503);
    await admin.config("SET", "requirepass", "first-pass");
    await admin.quit();
    expect(await enqueuedOnceBack()).toBe(201);
  }, 30_000);
}
