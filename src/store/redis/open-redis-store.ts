/** Opens a Redis store and the connection it runs on; throws CannotStart when the configuration cannot work. */
import { CannotStart } from "../../core/errors.ts";
import type { Store } from "../../core/store.ts";
import type { RedisStoreConfig } from "../open-store.ts";
import { guardStorage } from "../storage-guard.ts";
import { RedisConnection, redisAddress, redisClient } from "./connect.ts";
import { RedisStore } from "./redis-store.ts";

export function openRedisStore(config: RedisStoreConfig): { store: Store; connection: RedisConnection } {
  const target = { url: config.url, cluster: config.cluster };
  let redis: RedisStore;
  let connection: RedisConnection;
  try {
    connection = new RedisConnection(redisClient(target), redisAddress(target), config.log);
  } catch (err) {
    throw new CannotStart(`cannot use Redis at ${redisAddress(target)}: ${(err as Error).message}`);
  }
  try {
    redis = new RedisStore({ client: connection.client, prefix: config.prefix });
  } catch (err) {
    connection.client.disconnect();
    throw new CannotStart((err as Error).message);
  }
  const store = guardStorage<Store>(redis, (err) => connection.failureOf(err), {
    // Readiness says why Redis cannot be used, not only that it cannot.
    async ping() {
      if (await redis.ping()) return true;
      throw connection.unavailable();
    },
  });
  return { store, connection };
}
