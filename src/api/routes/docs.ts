/** The OpenAPI 3.1 document and the Scalar reference page, with Scalar's script served from the binary. */
import { Scalar } from "@scalar/hono-api-reference";
// The package does not export its browser bundle, so it is embedded by path.
import scalarScript from "../../../node_modules/@scalar/api-reference/dist/browser/standalone.js" with { type: "file" };
import type { App, ApiDeps } from "../env.ts";

export function registerDocRoutes(app: App, deps: ApiDeps): void {
  app.openAPIRegistry.registerComponent("securitySchemes", "Bearer", { type: "http", scheme: "bearer" });
  app.doc31("/openapi.json", {
    openapi: "3.1.0",
    info: {
      title: "spool",
      version: deps.server.version,
      license: { name: "MIT", url: "https://opensource.org/license/mit" },
      description:
        "A durable job queue. Enqueue jobs, run them with pull workers (claim → complete/fail/heartbeat with a lease token), manage queues. Every error has the shape {\"error\": {\"code\", \"message\", \"details\"}}. Send `Authorization: Bearer <token>` when tokens are configured.",
    },
    servers: [{ url: "/", description: "This spool server" }],
    tags: [
      { name: "Jobs", description: "Enqueue, inspect, cancel, retry and delete jobs" },
      { name: "Workers", description: "The pull-worker contract: claim, complete, fail, heartbeat; workers and their control" },
      { name: "Queues", description: "Counts, config, pause/resume, purge and bulk actions" },
      { name: "Schedules", description: "Stored cron and interval schedules: fires, history, previews" },
      { name: "Lanes", description: "Per-key lanes that are blocked or busy, and freeing a blocked one" },
      { name: "Monitoring", description: "Stats, health, alerts, errors, reports, events and metrics" },
      { name: "Tokens", description: "API tokens and their roles (admin)" },
      { name: "Server", description: "Server information, backups and probes" },
    ],
  });
  app.get("/docs/scalar.js", () => new Response(Bun.file(scalarScript), { headers: { "content-type": "text/javascript; charset=utf-8", "cache-control": "public, max-age=86400" } }));
  // Everything that would reach an outside service (AI agent, MCP generator, telemetry) is off:
  // the reference must work, and stay quiet, on a server with no internet.
  app.get(
    "/docs",
    Scalar({
      url: "/openapi.json",
      cdn: "/docs/scalar.js",
      pageTitle: "spool API reference",
      telemetry: false,
      showDeveloperTools: "never",
      agent: { disabled: true },
      mcp: { disabled: true },
      hideClientButton: false,
      // The default fonts come from fonts.scalar.com: the system fonts serve a server with no internet.
      withDefaultFonts: false,
    } as Parameters<typeof Scalar>[0]),
  );
}
