/**
 * Redis for tests: whether one answers on 127.0.0.1:6379, and fresh RedisStores on it, each
 * under a prefix of its own whose keys are deleted when the test file ends.
 */
import { afterAll } from "bun:test";
import { Redis } from "ioredis";
import net from "node:net";
import { RedisStore } from "../../src/store/redis/redis-store.ts";

export const REDIS_URL = process.env.SPOOL_TEST_REDIS ?? "redis://127.0.0.1:6379";

/** True when a Redis answers; in CI a missing Redis is a failure, elsewhere the caller skips with a reason. */
export async function redisAvailable(port = Number(new URL(REDIS_URL).port || 6379)): Promise<boolean> {
  const up = await new Promise<boolean>((resolve) => {
    const socket = net.connect({ host: "127.0.0.1", port }, () => {
      socket.end();
      resolve(true);
    });
    socket.on("error", () => resolve(false));
    socket.setTimeout(1000, () => {
      socket.destroy();
      resolve(false);
    });
  });
  if (!up && process.env.CI === "true") throw new Error(`no Redis on 127.0.0.1:${port}, and CI needs one (.ci/run starts it)`);
  if (!up) console.log(`skipping Redis tests: no Redis answers on 127.0.0.1:${port}`);
  return up;
}

/** Every prefix this test process makes starts with this, so one scan finds all their keys. */
const RUN = `spool-test-${process.pid}-${Date.now().toString(36)}`;
let seq = 0;

/** A prefix no other test uses; its keys are deleted after the file's tests. */
export function freshPrefix(): string {
  return `${RUN}-${seq++}`;
}

/** A RedisStore on the test Redis under a fresh prefix (or the given one, to share data between two stores). */
export function freshRedisStore(prefix = freshPrefix()): RedisStore {
  return new RedisStore({ url: REDIS_URL, prefix });
}

/** Deletes every key of a prefix (or, given a pattern, of every prefix it matches). */
export async function dropPrefix(redis: Redis, prefix: string, pattern = `{${prefix}}:*`): Promise<void> {
  let cursor = "0";
  do {
    const [next, keys] = await redis.scan(cursor, "MATCH", pattern, "COUNT", 1000);
    cursor = next;
    if (keys.length) await redis.del(...keys);
  } while (cursor !== "0");
}

afterAll(async () => {
  if (seq === 0) return;
  const redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    await dropPrefix(redis, RUN, `{${RUN}-*}:*`);
  } catch {
    // No Redis: nothing was written.
  } finally {
    redis.disconnect();
  }
});
