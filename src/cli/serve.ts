/** `spool serve`: every flag has a SPOOL_* environment variable. */
import { Command, InvalidArgumentError, Option } from "commander";
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { parseBytes } from "../core/duration.ts";
import { CannotStart } from "../core/errors.ts";
import type { ServeConfig } from "../server.ts";
import { keepIdleMemoryLow } from "./idle-memory.ts";
import { durationArg, envFlag, intBetween } from "./parse.ts";
import { CliError, UsageError } from "./client.ts";
import { addMonitorOptions, monitorConfigOf } from "./monitor-options.ts";
import { addRedisOptions, redisChoiceOf } from "./redis-options.ts";

function bytesArg(value: string): number {
  const n = parseBytes(value);
  if (n === null || n < 1024) throw new InvalidArgumentError('use a size like "1mb" or "512kb" (at least 1kb)');
  return n;
}

const portArg = intBetween(0, 65535);

/** The shortest SPOOL_ADMIN_TOKEN taken: one that cannot be guessed. */
const MIN_ADMIN_TOKEN = 16;

export function registerServeCommand(program: Command): void {
  const serve = program
    .command("serve")
    .description("run the spool server (API, dashboard, docs) on the embedded SQLite store, or on a Redis shared with other servers")
    .addOption(new Option("--port <port>", "port to listen on").env("SPOOL_PORT").default(7070).argParser(portArg))
    .addOption(new Option("--host <host>", "address to listen on").env("SPOOL_HOST").default("127.0.0.1"))
    .addOption(new Option("--data <dir>", "data folder (SQLite database, logs, reports; with --redis only logs and reports)").env("SPOOL_DATA").default("./spool-data"))
    .addOption(new Option("--durability <mode>", "SQLite: normal survives a crash; full also survives power loss").env("SPOOL_DURABILITY").choices(["normal", "full"]).default("normal"));
  addRedisOptions(serve)
    .addOption(envFlag("--insecure", "allow a non-loopback --host without any API token", "SPOOL_INSECURE"))
    .addOption(new Option("--max-body <size>", "largest request body").env("SPOOL_MAX_BODY").default(1024 * 1024, "1mb").argParser(bytesArg))
    .addOption(new Option("--rate-limit <n>", "requests per second per client, 0 for none").env("SPOOL_RATE_LIMIT").default(0).argParser(intBetween(0, 1_000_000)))
    .addOption(envFlag("--public-metrics", "serve /metrics without a token on every address", "SPOOL_PUBLIC_METRICS"))
    .addOption(new Option("--grace <duration>", "at shutdown, how long running jobs get to finish").env("SPOOL_GRACE").default(30_000, "30s").argParser(durationArg))
    .addOption(new Option("--handlers <file>", "run the handlers this file exports (`export const handlers = {queue: async (job, ctx) => …}`)").env("SPOOL_HANDLERS"))
    .addHelpText(
      "after",
      [
        "",
        "SPOOL_ADMIN_TOKEN gives the server a bootstrap admin token without any file.",
        "With --redis, spool warns at start when Redis has appendonly no or a maxmemory-policy other than",
        "noeviction (either can lose jobs silently). While Redis is unreachable, requests get 503, /readyz",
        "says not ready, and spool reconnects by itself.",
      ].join("\n"),
    )
    .action(async (o) => {
      // Job payloads and tokens' hashes are nobody else's business: files spool creates are the owner's only.
      process.umask(0o077);
      const adminToken = process.env.SPOOL_ADMIN_TOKEN || null;
      if (adminToken !== null && adminToken.length < MIN_ADMIN_TOKEN) {
        throw new UsageError(`SPOOL_ADMIN_TOKEN must be at least ${MIN_ADMIN_TOKEN} characters: a short one can be guessed (\`openssl rand -hex 24\` makes a good one)`);
      }
      const dataFolderIsNew = !existsSync(resolve(o.data));
      const config: ServeConfig = {
        port: o.port,
        host: o.host,
        dataDir: o.data,
        durability: o.durability,
        insecure: Boolean(o.insecure),
        bodyLimitBytes: o.maxBody,
        rateLimitPerSecond: o.rateLimit,
        adminToken,
        publicMetrics: Boolean(o.publicMetrics),
        graceMs: o.grace,
        handlersFile: o.handlers ?? null,
        monitor: monitorConfigOf(o),
        redis: redisChoiceOf(o),
      };
      // Loaded here, not at the top: every other command (and --help) starts without the server.
      const { startServer } = await import("../server.ts");
      const { redisAddress } = await import("../store/redis/connect.ts");
      let server;
      try {
        server = await startServer(config);
      } catch (err) {
        if (err instanceof CannotStart) throw new CliError(err.message, 2);
        throw err;
      }
      keepIdleMemoryLow();
      const running = server;
      let stopping = false;
      const shutdown = async (signal: string) => {
        if (stopping) {
          console.log(`spool: ${signal} received again: giving back running jobs now`);
          running.hurry();
          return;
        }
        stopping = true;
        console.log(`spool: ${signal} received, shutting down (running jobs get up to ${(config.graceMs ?? 0) / 1000}s to finish; send it again to stop now)`);
        await running.stop();
        process.exit(0);
      };
      // Before saying it listens: whoever acts on that line may send SIGTERM at once.
      process.on("SIGTERM", () => void shutdown("SIGTERM"));
      process.on("SIGINT", () => void shutdown("SIGINT"));
      process.on("SIGHUP", () => void shutdown("SIGHUP"));
      if (dataFolderIsNew) console.log(`spool: created the data folder ${resolve(config.dataDir)}`);
      const where = config.redis
        ? `store: Redis at ${redisAddress(config.redis)}, prefix ${config.redis.prefix}; data: ${config.dataDir}`
        : `data: ${config.dataDir}, durability: ${config.durability}`;
      console.log(`spool listening on ${server.url} (${where})`);
      console.log(`Dashboard: ${server.url}/ · API reference: ${server.url}/docs`);
    });
  addMonitorOptions(serve);
}
