/**
 * Connecting spool to Redis: a client that fails fast while Redis is away and reconnects by
 * itself, which errors mean "Redis is unavailable" (answered 503), and the Redis settings
 * that can lose jobs silently.
 */
import { Cluster, Redis, type ClusterOptions, type RedisOptions } from "ioredis";
import { storageUnavailable, type StorageUnavailable } from "../../core/errors.ts";
import type { RedisClient } from "./scripts.ts";

/** Where Redis is: one server (`redis://…`, `rediss://…` for TLS), or a Redis Cluster's seed nodes (host:port). */
export type RedisTarget = { url?: string; cluster?: string[] };

export const DEFAULT_REDIS_URL = "redis://127.0.0.1:6379";

/** While Redis is away, the client tries again this often at most, so spool is back within a second of Redis. */
const RECONNECT_MAX_MS = 1000;
const reconnectDelay = (attempt: number) => Math.min(100 * attempt, RECONNECT_MAX_MS);
/** How long a command waits for Redis's answer. */
export const COMMAND_TIMEOUT_MS = 5000;

const FAIL_FAST: RedisOptions = {
  // A command sent while Redis is away fails at the next reconnect attempt (within a second)
  // instead of waiting in the client for Redis to come back.
  maxRetriesPerRequest: 0,
  // A command in flight when the connection dropped may or may not have run: it fails, and is
  // never re-sent by the client behind the caller's back.
  autoResendUnfulfilledCommands: false,
  connectTimeout: 5000,
  // A Redis that is reached but does not answer (stopped, swapping, a script stuck) fails each
  // command after this long, answered 503, instead of holding every request (and /readyz) with
  // it. As long as Redis lets one script run before it answers others BUSY.
  commandTimeout: COMMAND_TIMEOUT_MS,
  retryStrategy: reconnectDelay,
};

/** A client for the target, configured to fail fast while Redis is unreachable and to reconnect by itself. */
export function redisClient(target: RedisTarget): RedisClient {
  if (target.cluster?.length) {
    const { retryStrategy: _nodes, ...redisOptions } = FAIL_FAST;
    const options: ClusterOptions = {
      // A cluster that is not ready refuses commands at once (its queue would wait for it forever).
      enableOfflineQueue: false,
      clusterRetryStrategy: reconnectDelay,
      redisOptions,
    };
    return new Cluster(target.cluster.map(hostPort), options);
  }
  return new Redis(target.url ?? DEFAULT_REDIS_URL, FAIL_FAST);
}

function hostPort(node: string): { host: string; port: number } {
  const at = node.lastIndexOf(":");
  const port = Number(node.slice(at + 1));
  if (at <= 0 || !Number.isInteger(port) || port <= 0 || port > 65535) throw new Error(`invalid Redis Cluster node "${node}": use host:port`);
  return { host: node.slice(0, at).replace(/^\[|\]$/g, ""), port };
}

/** The target as the log shows it: the URL without its password, or the cluster's seed nodes. */
export function redisAddress(target: RedisTarget): string {
  if (target.cluster?.length) return `cluster ${target.cluster.join(",")}`;
  const url = target.url ?? DEFAULT_REDIS_URL;
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "****";
    return parsed.toString().replace(/\/$/, "");
  } catch {
    return url.replace(/\/\/[^@/]*@/, "//****@");
  }
}

/** Errors of a connection that is gone or never came (the client's own, and the system's). */
const CONNECTION_LOST =
  /max retries per request|Stream isn't writeable|Connection is closed|Cluster isn't ready|None of startup nodes|Failed to refresh slots cache|Command aborted due to connection close|Socket timeout|ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH/i;
/** Redis's answers for "not now": loading its data, a failover under way, out of memory, unable to persist, a script running too long. */
const REDIS_NOT_NOW = /^(LOADING|MASTERDOWN|READONLY|CLUSTERDOWN|TRYAGAIN|OOM|MISCONF|NOREPLICAS|BUSY)\b/;
/** Redis refusing spool's credentials or rights (a password changed under it): no request can be served until that is fixed. */
const REDIS_REFUSES_US = /^(WRONGPASS|NOAUTH|NOPERM)\b/;

/**
 * Follows one client's connection: why Redis is unavailable (for 503 answers and /readyz),
 * and a line to the log when the connection is lost and when it is back.
 */
export class RedisConnection {
  /** The last connection error, kept until the connection is ready again. */
  private lastError: string | null = null;
  private wasReady = false;
  private lost = false;

  /** What the operator should know about Redis's persistence settings (see persistenceWarnings). */
  persistenceWarnings(): Promise<string[]> {
    return persistenceWarnings(this.client, this.address);
  }

  constructor(
    readonly client: RedisClient,
    readonly address: string,
    private readonly log: (line: string) => void = () => {},
  ) {
    // Listening also keeps ioredis from printing every failed reconnect attempt itself.
    client.on("error", (err: Error) => {
      this.lastError = err.message;
    });
    // Emitted when the client is about to try again, never after close() or quit.
    client.on("reconnecting", () => {
      if (!this.wasReady || this.lost) return;
      this.lost = true;
      this.log(`spool: lost the connection to Redis at ${address}; requests get 503 until it is back, spool reconnects by itself`);
    });
    client.on("ready", () => {
      if (this.lost) this.log(`spool: Redis at ${address} answers again`);
      this.lost = false;
      this.lastError = null;
      this.wasReady = true;
    });
  }

  get ready(): boolean {
    return this.client.status === "ready";
  }

  /** What is wrong with the connection, in a few words (the last connection error). */
  get problem(): string {
    return this.lastError ?? (this.wasReady ? "connection lost" : "not connected yet");
  }

  /** Why Redis cannot be used now, in a sentence that says what spool does about it. */
  unavailable(): StorageUnavailable {
    return storageUnavailable(`storage unavailable: Redis at ${this.address} is unreachable (${this.problem}); spool reconnects by itself, try again shortly`);
  }

  /** A Redis error that means Redis cannot take requests now, as StorageUnavailable; null for any other error. */
  failureOf(err: unknown): StorageUnavailable | null {
    const message = String((err as Error)?.message ?? err);
    if (REDIS_NOT_NOW.test(message)) return storageUnavailable(`storage unavailable: Redis at ${this.address} answered: ${message}`);
    if (REDIS_REFUSES_US.test(message)) return storageUnavailable(`storage unavailable: Redis at ${this.address} refuses spool's credentials (${message}); check the password in --redis`);
    if (/Command timed out/i.test(message)) {
      return storageUnavailable(`storage unavailable: Redis at ${this.address} did not answer within ${COMMAND_TIMEOUT_MS / 1000} s; try again shortly`);
    }
    if (CONNECTION_LOST.test(message) || CONNECTION_LOST.test(String((err as { code?: string })?.code ?? ""))) return this.unavailable();
    return null;
  }

  /**
   * Waits until the client is ready, its first attempt failed, or `timeoutMs` passed; answers
   * whether it is ready. (A first attempt that fails is retried in the background.)
   */
  firstContact(timeoutMs: number): Promise<boolean> {
    if (this.ready) return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = (ready: boolean) => {
        clearTimeout(timer);
        this.client.off("ready", onReady);
        this.client.off("error", onError);
        resolve(ready);
      };
      const onReady = () => done(true);
      const onError = () => done(false);
      const timer = setTimeout(() => done(this.ready), timeoutMs);
      this.client.on("ready", onReady);
      this.client.on("error", onError);
    });
  }
}

/**
 * Warnings about Redis settings that can lose jobs without anyone noticing: `appendonly no`
 * (a restart loses what came after the last snapshot) and a `maxmemory-policy` other than
 * `noeviction` (a full Redis deletes keys). Managed Redis often refuses CONFIG: then the
 * warning says the settings could not be checked. On a cluster, every master is checked.
 */
export async function persistenceWarnings(client: RedisClient, address: string): Promise<string[]> {
  const nodes = client instanceof Cluster ? client.nodes("master") : [client];
  const warnings = new Set<string>();
  for (const node of nodes) {
    const where = client instanceof Cluster ? `${node.options.host}:${node.options.port}` : address;
    try {
      const appendonly = await configValue(node, "appendonly");
      const policy = await configValue(node, "maxmemory-policy");
      if (appendonly === "no") {
        warnings.add(`spool: warning: Redis at ${where} has appendonly no: jobs acknowledged after its last snapshot are lost when Redis restarts; set appendonly yes`);
      }
      if (policy !== null && policy !== "noeviction") {
        warnings.add(`spool: warning: Redis at ${where} has maxmemory-policy ${policy}: when its memory is full it deletes keys, jobs among them; set maxmemory-policy noeviction`);
      }
    } catch (err) {
      warnings.add(
        `spool: warning: could not check appendonly and maxmemory-policy of Redis at ${where} (CONFIG GET: ${(err as Error).message.trim()}); make sure appendonly is yes and maxmemory-policy is noeviction, or jobs can be lost silently`,
      );
    }
  }
  return [...warnings];
}

/** One setting from CONFIG GET (answered as a flat list, or as a map over RESP3); null when Redis does not have it. */
async function configValue(node: Redis, name: string): Promise<string | null> {
  const reply = (await node.config("GET", name)) as unknown;
  if (Array.isArray(reply)) return reply.length >= 2 ? String(reply[1]) : null;
  if (reply && typeof reply === "object") {
    const value = (reply as Record<string, unknown>)[name];
    return value === undefined ? null : String(value);
  }
  return null;
}
