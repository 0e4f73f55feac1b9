/** The flags that put the queue in Redis (`spool serve` and `spool token`): --redis, --redis-cluster, --redis-prefix. */
import { InvalidArgumentError, Option, type Command } from "commander";

export type RedisFlags = { redis?: string; redisCluster?: string[]; redisPrefix: string };

/** Where the queue lives in Redis, from the flags; null when it lives in SQLite. */
export type RedisChoice = { url?: string; cluster?: string[]; prefix: string } | null;

function nodesArg(value: string): string[] {
  const nodes = value.split(",").map((n) => n.trim()).filter(Boolean);
  if (!nodes.length || nodes.some((n) => !/^\S+:\d{1,5}$/.test(n))) throw new InvalidArgumentError("use host:port,host:port…");
  return nodes;
}

function urlArg(value: string): string {
  // Left empty (a deploy template passing SPOOL_REDIS through unset): the queue stays in SQLite.
  if (value === "") return value;
  const url = URL.parse(value);
  if (!url || (url.protocol !== "redis:" && url.protocol !== "rediss:") || !url.hostname) {
    throw new InvalidArgumentError("use a redis:// address like redis://127.0.0.1:6379/0 (rediss:// for TLS)");
  }
  return value;
}

function prefixArg(value: string): string {
  if (!/^[^{}\s]{1,64}$/.test(value)) throw new InvalidArgumentError("1 to 64 characters, no braces or spaces");
  return value;
}

export function addRedisOptions(command: Command): Command {
  return command
    .addOption(new Option("--redis <url>", "the queue lives in this Redis (redis://host:port/db, rediss:// for TLS), shared by every server pointed at it").env("SPOOL_REDIS").argParser(urlArg))
    .addOption(new Option("--redis-cluster <nodes>", "the queue lives in this Redis Cluster (seed nodes host:port,host:port…)").env("SPOOL_REDIS_CLUSTER").argParser(nodesArg).conflicts("redis"))
    .addOption(new Option("--redis-prefix <prefix>", "start of every Redis key (servers with the same prefix share one queue)").env("SPOOL_REDIS_PREFIX").default("spool").argParser(prefixArg));
}

export function redisChoiceOf(o: RedisFlags): RedisChoice {
  if (!o.redis && !o.redisCluster) return null;
  return { url: o.redis || undefined, cluster: o.redisCluster, prefix: o.redisPrefix };
}
