/** What every route can reach: the services it calls and the caller's identity. */
import type { OpenAPIHono } from "@hono/zod-openapi";
import type { Clock } from "../core/clock.ts";
import type { QueueService } from "../core/queue-service.ts";
import type { Store, TokenRole } from "../core/store.ts";

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
  store: Store;
  clock: Clock;
  server: ServerInfo;
  /** Admin token given by SPOOL_ADMIN_TOKEN, compared without storing it. */
  adminToken: string | null;
  /** Requests per second per client, 0 for no limit. */
  rateLimitPerSecond: number;
};
