/** RedisStore: the store contract, unchanged, against a real Redis (127.0.0.1:6379), each case under a prefix of its own. */
import type { RedisStore } from "../src/store/redis/redis-store.ts";
import { freshRedisStore, redisAvailable } from "./helpers/redis.ts";
import { runStoreContract } from "./store-contract/run-store-contract.ts";

if (await redisAvailable()) {
  runStoreContract("redis", async () => freshRedisStore(), {
    twin: (store) => freshRedisStore((store as RedisStore).keys.prefix),
  });
}
