/** What every route can reach: the services it calls and the caller's identity. */
import type { OpenAPIHono } from "@hono/zod-openapi";
import type { Clock } from "../core/clock.ts";
import type { Authenticator } from "./auth.ts";
import type { QueueService } from "../core/queue-service.ts";
import type { Store, TokenRole } from "../core/store.ts";
import type { Monitor } from "../monitor/monitor.ts";
import type { ScheduleService } from "../scheduler/schedule-service.ts";
import type { WorkerRegistry } from "../workers/worker-registry.ts";

/**
 * Who is calling and how they proved it. `tokenId` null with a token: SPOOL_ADMIN_TOKEN.
 * A browser's principal (session or open mode) carries the CSRF token its pages must send back.
 */
export type Principal = { role: TokenRole; tokenId: string | null; via: "token" | "session" | "open"; csrf?: string };

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
  /** Stored schedules: edits, previews, history, triggers. */
  schedules: ScheduleService;
  /** Stats, health, alerts, metrics and the event feed. */
  monitor: Monitor;
  server: ServerInfo;
  /** Admin token given by SPOOL_ADMIN_TOKEN, compared without storing it. */
  adminToken: string | null;
  /** Resolves callers from tokens and sessions (one per app: it caches whether tokens exist). */
  auth: Authenticator;
  /** Requests per second per client, 0 for no limit. */
  rateLimitPerSecond: number;
  /** Event streams one token may hold open at once (default MAX_STREAMS_PER_TOKEN, stream-slots.ts). */
  streamsPerToken?: number;
  /** How often an event stream with nothing to send sends a comment (default HEARTBEAT_MS); tests shorten it. */
  eventHeartbeatMs?: number;
  /** Aborted when the server begins to shut down: open event streams end so the listener can close. */
  closing: AbortSignal;
};
