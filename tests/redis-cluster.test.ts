/**
 * RedisStore on a three-node Redis Cluster started by this file on loopback ports: the store
 * contract, unchanged. Every key of a deployment shares one hashtag, so each script runs on the
 * node that owns that slot.
 */
import { afterAll } from "bun:test";
import { RedisStore } from "../src/store/redis/redis-store.ts";
import { freshPrefix, redisAvailable } from "./helpers/redis.ts";
import { startCluster } from "./helpers/redis-servers.ts";
import { runStoreContract } from "./store-contract/run-store-contract.ts";

if (await redisAvailable()) {
  const cluster = await startCluster();
  afterAll(() => cluster.stop());
  runStoreContract("redis cluster", async () => new RedisStore({ cluster: cluster.nodes, prefix: freshPrefix() }), {
    twin: (store) => new RedisStore({ cluster: cluster.nodes, prefix: (store as RedisStore).keys.prefix }),
  });
}
