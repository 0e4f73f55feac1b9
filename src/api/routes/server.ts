/** Server information, liveness and readiness. */
import { z } from "@hono/zod-openapi";
import { MAX_BATCH, MAX_CLAIM, MAX_WAIT_MS } from "../../core/work-requests.ts";
import { hasFiles } from "../../core/store.ts";
import { storeCheck } from "../../monitor/health.ts";
import type { App, ApiDeps } from "../env.ts";
import { jsonResponse, route } from "../route.ts";
import { ErrorBody } from "../schemas/common.ts";

const ServerSchema = z
  .object({
    name: z.literal("spool"),
    version: z.string(),
    store: z.object({
      kind: z.enum(["sqlite", "redis"]),
      reachable: z.boolean(),
      files: z
        .object({ databaseBytes: z.number().int(), walBytes: z.number().int() })
        .nullable()
        .openapi({ description: "Sizes of the database file and its write-ahead log (SQLite); null on Redis, which keeps no files here" }),
    }),
    durability: z.enum(["normal", "full"]),
    dataDir: z.string().nullable(),
    uptimeSeconds: z.number(),
    limits: z.object({ bodyBytes: z.number().int(), batchJobs: z.number().int(), claimMax: z.number().int(), waitMs: z.number().int() }),
  })
  .openapi("Server");

const server = route("read", {
  method: "get",
  path: "/v1/server",
  operationId: "getServer",
  tags: ["Server"],
  summary: "Version, store (and the size of its files), durability, data folder, uptime and limits (never secrets)",
  responses: { 200: jsonResponse(ServerSchema, "About this server") },
});

async function reachable(deps: ApiDeps): Promise<boolean> {
  try {
    return await deps.store.ping();
  } catch {
    return false;
  }
}

export type ServerAbout = z.infer<typeof ServerSchema>;

/** What GET /v1/server answers, and the dashboard's Server page shows. */
export async function aboutServer(deps: ApiDeps): Promise<ServerAbout> {
  return {
    name: "spool" as const,
    version: deps.server.version,
    store: { kind: deps.store.kind, reachable: await reachable(deps), files: hasFiles(deps.store) ? deps.store.files() : null },
    durability: deps.server.durability,
    dataDir: deps.server.dataDir,
    uptimeSeconds: Math.round((Date.now() - deps.server.startedAt) / 1000),
    limits: { bodyBytes: deps.server.bodyLimitBytes, batchJobs: MAX_BATCH, claimMax: MAX_CLAIM, waitMs: MAX_WAIT_MS },
  };
}

export function registerServerRoutes(app: App, deps: ApiDeps): void {
  app.openapi(server, async (c) => c.json(await aboutServer(deps), 200));
}

/** Public probes, outside auth: registered before the auth middleware. */
export function registerProbeRoutes(app: App, deps: ApiDeps): void {
  app.openapi(
    {
      method: "get",
      path: "/healthz",
      operationId: "checkLiveness",
      tags: ["Server"],
      summary: "Liveness: the process answers",
      security: [],
      responses: { 200: jsonResponse(z.object({ status: z.literal("ok") }), "Alive") },
    },
    (c) => c.json({ status: "ok" as const }, 200),
  );
  app.openapi(
    {
      method: "get",
      path: "/readyz",
      operationId: "checkReadiness",
      tags: ["Server"],
      summary: "Readiness: the store is reachable",
      security: [],
      responses: {
        200: jsonResponse(z.object({ status: z.literal("ready") }), "Ready"),
        503: jsonResponse(ErrorBody, "Store unreachable"),
      },
    },
    async (c) => {
      const check = await storeCheck(deps.store, deps.server.dataDir, deps.clock.now());
      if (check.status === "ok") return c.json({ status: "ready" as const }, 200);
      c.header("Retry-After", "5");
      return c.json({ error: { code: "storage_unavailable", message: check.message, details: [] } }, 503);
    },
  );
}
