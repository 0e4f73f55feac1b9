/** What every route can reach: the services it calls and the caller's identity. */
import type { OpenAPIHono } from "@hono/zod-openapi";
import type { Clock } from "../core/clock.ts";
import type { QueueService } from "../core/queue-service.ts";
import type { Store, TokenRole } from "../core/store.ts";
import type { Monitor } from "../monitor/monitor.ts";
import type { WorkerRegistry } from "../workers/worker-registry.ts";

export type Principal = { role: TokenRole; tokenId: string | null };

export type ApiEnv = { Variables: { principal: Principal } };

export type App = OpenAPIHono<ApiEnv>;

export type ServerInfo = {
  version: string;
  dataDir: string | null;
  durability: "normal" | "full";
  startedAt: number;
  bodyLimitBytes: number;
  /** Whether /metrics answers without a token from any address (default: only on loopback). */
  publicMetrics: boolean;
};

export type ApiDeps = {
  service: QueueService;
  /** Workers seen claiming and heartbeating, and their control. */
  workers: WorkerRegistry;
  store: Store;
  clock: Clock;
  /** Stats, health, alerts, metrics and the event feed. */
  monitor: Monitor;
  server: ServerInfo;
  /** Admin token given by SPOOL_ADMIN_TOKEN, compared without storing it. */
  adminToken: string | null;
  /** Requests per second per client, 0 for no limit. */
  rateLimitPerSecond: number;
  /** Aborted when the server begins to shut down: open event streams end so the listener can close. */
  closing: AbortSignal;
};
