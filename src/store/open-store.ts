/**
 * Opening the store spool runs on, from configuration: SQLite in the data folder, or Redis
 * shared by several servers. Either way, storage failures come out as StorageUnavailable.
 */
import { CannotStart } from "../core/errors.ts";
import type { Store } from "../core/store.ts";
import { RedisConnection, redisAddress, redisClient } from "./redis/connect.ts";
import { RedisStore } from "./redis/redis-store.ts";
import { sqliteStorageFailure, type Durability } from "./sqlite/database.ts";
import { SqliteStore } from "./sqlite/sqlite-store.ts";
import { guardStorage } from "./storage-guard.ts";

export type SqliteStoreConfig = { kind: "sqlite"; path: string; durability?: Durability; busyTimeoutMs?: number };

export type RedisStoreConfig = {
  kind: "redis";
  /** redis://host:port/db, or rediss:// for TLS (default redis://127.0.0.1:6379). */
  url?: string;
  /** Seed nodes (host:port) of a Redis Cluster, instead of `url`. */
  cluster?: string[];
  /** Every key starts with `{prefix}:` (default "spool"). */
  prefix?: string;
  /** Where lines about the connection go (lost, back again); default nowhere. */
  log?: (line: string) => void;
};

export type StoreConfig = SqliteStoreConfig | RedisStoreConfig;

const connections = new WeakMap<Store, RedisConnection>();

/** Opens the configured store; throws CannotStart when the configuration cannot work (a database it cannot use, a bad prefix). */
export function openStore(config: StoreConfig): Store {
  if (config.kind === "sqlite") {
    const store = new SqliteStore({ path: config.path, durability: config.durability, busyTimeoutMs: config.busyTimeoutMs });
    return guardStorage<Store>(store, sqliteStorageFailure);
  }
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
  connections.set(store, connection);
  return store;
}

/** How an opened Redis store reaches Redis (its address, its state, its settings); null for SQLite. */
export function redisConnectionOf(store: Store): RedisConnection | null {
  return connections.get(store) ?? null;
}

/** Resolves once the store answers a ping (asking every `everyMs`), or when `signal` aborts. */
export async function storeAnswers(store: Store, signal: AbortSignal, everyMs = 500): Promise<void> {
  while (!signal.aborted) {
    if (await store.ping().catch(() => false)) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, everyMs);
      signal.addEventListener("abort", done, { once: true });
      function done() {
        clearTimeout(timer);
        signal.removeEventListener("abort", done);
        resolve();
      }
    });
  }
}
