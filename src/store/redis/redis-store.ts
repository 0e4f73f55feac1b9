/**
 * RedisStore: the Store on Redis (or Redis Cluster), so several spool servers can share one
 * queue. Each state change is one Lua script (lua/), run atomically with the events and
 * counters it produces; reads go straight to the keys (keys.ts). The store is made of parts,
 * one per area of the Store interface, each a class of its own file; this class only wires
 * them together.
 */
import { Redis, Cluster } from "ioredis";
import type { JobStore, QueueStore, Store, StoreChange, TokenStore } from "../../core/store.ts";
import type { MonitorStore } from "../../core/monitor-store.ts";
import type { ScheduleStore } from "../../core/schedule-store.ts";
import type { SessionStore } from "../../core/session-store.ts";
import type { WorkerStore } from "../../core/worker-store.ts";
import type { RedisContext } from "./context.ts";
import { RedisJobs } from "./job-ops.ts";
import { DEFAULT_PREFIX, Keys } from "./keys.ts";
import { RedisMonitor } from "./monitor-ops.ts";
import { RedisQueues } from "./queue-ops.ts";
import { RedisSchedules } from "./schedule-ops.ts";
import { Scripts, type RedisClient } from "./scripts.ts";
import { RedisTokens } from "./token-ops.ts";
import { RedisWorkers } from "./worker-ops.ts";

export type RedisStoreOptions = {
  /** redis://host:port/db or rediss:// for TLS. Ignored when `client` is given. */
  url?: string;
  /** Seed nodes of a Redis Cluster (host:port); the store then talks to the cluster. */
  cluster?: string[];
  /** An already made client (tests, or a caller's own options). The store closes it on close(). */
  client?: RedisClient;
  /** Every key starts with `{prefix}:`. Default "spool". */
  prefix?: string;
};

export interface RedisStore extends JobStore, QueueStore, TokenStore, SessionStore, ScheduleStore, WorkerStore, MonitorStore {}

/** Cached token lookups are checked again at least this often, announced revocations or not. */
const TOKENS_RECHECK_MS = 1000;

export class RedisStore implements Store {
  readonly kind = "redis" as const;
  readonly remote = true;
  readonly redis: RedisClient;
  readonly keys: Keys;
  private readonly runnableListeners = new Set<(queue: string) => void>();
  private readonly changeListeners = new Set<(change: StoreChange) => void>();
  /** Token revocations announced on the changes channel (part of tokensVersion). */
  private tokenRevocations = 0;
  private subscriber: RedisClient | null = null;

  constructor(options: RedisStoreOptions = {}) {
    this.keys = new Keys(options.prefix ?? DEFAULT_PREFIX);
    this.redis = options.client ?? connect(options);
    const ctx: RedisContext = { redis: this.redis, keys: this.keys, scripts: new Scripts(this.redis, this.keys) };
    for (const part of [new RedisJobs(ctx), new RedisQueues(ctx), new RedisTokens(ctx), new RedisSchedules(ctx), new RedisWorkers(ctx), new RedisMonitor(ctx)]) {
      delegate(this, part);
    }
  }

  async ping(): Promise<boolean> {
    try {
      return (await this.redis.ping()) === "PONG";
    } catch {
      return false;
    }
  }

  /** Listens on the wake channel: the scripts publish queues that got runnable jobs. */
  onRunnable(listener: (queue: string) => void): () => void {
    this.runnableListeners.add(listener);
    this.subscribe();
    return () => this.runnableListeners.delete(listener);
  }

  /** Listens on the changes channel: the scripts publish queues whose settings changed, token revocations and shutdown requests. */
  onChange(listener: (change: StoreChange) => void): () => void {
    this.changeListeners.add(listener);
    this.subscribe();
    return () => this.changeListeners.delete(listener);
  }

  /** Changes with every token revocation another server announces, and every second besides (a message lost to a reconnect). */
  tokensVersion(): number {
    return Math.floor(Date.now() / TOKENS_RECHECK_MS) * 1e6 + this.tokenRevocations;
  }

  /** The subscribing connection, of its own, opened on first use: the wake and changes channels. */
  private subscribe(): void {
    if (this.subscriber) return;
    const subscriber: RedisClient = (this.redis as Redis).duplicate();
    const wake = this.keys.wake();
    subscriber.on("message", (channel: string, message: string) => {
      if (channel === wake) {
        for (const queue of message.split("\n")) for (const l of this.runnableListeners) l(queue);
        return;
      }
      let change: StoreChange;
      try {
        change = JSON.parse(message) as StoreChange;
      } catch {
        return;
      }
      if (change.tokens) this.tokenRevocations = (this.tokenRevocations + 1) % 1e6;
      for (const l of this.changeListeners) l(change);
    });
    subscriber.on("error", () => {}); // reconnects by itself; the main client reports outages
    void subscriber.subscribe(wake, this.keys.changes()).catch(() => {});
    this.subscriber = subscriber;
  }

  async close(): Promise<void> {
    this.subscriber?.disconnect();
    try {
      await this.redis.quit();
    } catch {
      this.redis.disconnect();
    }
  }
}

function connect(options: RedisStoreOptions): RedisClient {
  if (options.cluster?.length) {
    const nodes = options.cluster.map((hostPort) => {
      const [host, port] = hostPort.split(":");
      return { host: host!, port: Number(port) };
    });
    return new Cluster(nodes);
  }
  return new Redis(options.url ?? "redis://127.0.0.1:6379");
}

/** Puts every method of `part` (its class's own prototype methods; helpers are #private and stay out) on `store`, bound to the part. */
function delegate(store: object, part: object): void {
  const proto = Object.getPrototypeOf(part) as object;
  for (const name of Object.getOwnPropertyNames(proto)) {
    const fn = (part as Record<string, unknown>)[name];
    if (name === "constructor" || typeof fn !== "function") continue;
    if (name in store) throw new Error(`RedisStore: two parts define ${name}`);
    Object.defineProperty(store, name, { value: fn.bind(part), enumerable: false, configurable: true, writable: true });
  }
}
