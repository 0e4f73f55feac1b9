/**
 * Opening the store spool runs on, from configuration: SQLite in the data folder, or Redis
 * shared by several servers. Either way, storage failures come out as StorageUnavailable.
 */
import type { Store } from "../core/store.ts";
import type { RedisConnection } from "./redis/connect.ts";
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
export async function openStore(config: StoreConfig): Promise<Store> {
  if (config.kind === "sqlite") {
    const store = new SqliteStore({ path: config.path, durability: config.durability, busyTimeoutMs: config.busyTimeoutMs });
    return guardStorage<Store>(store, sqliteStorageFailure);
  }
  // ioredis and the Redis scripts are loaded only when a Redis store is asked for, which keeps
  // them out of a SQLite server's memory.
  const { openRedisStore } = await import("./redis/open-redis-store.ts");
  const { store, connection } = openRedisStore(config);
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
