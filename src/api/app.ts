/** The HTTP app: error shape, limits, auth, and every resource's routes. */
import { OpenAPIHono } from "@hono/zod-openapi";
import type { Context, MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { createDashboard } from "../web/dashboard.tsx";
import { authenticate, reservedQueues } from "./auth.ts";
import type { App, ApiDeps, ApiEnv } from "./env.ts";
import { errorResponse, handleError, validationHook } from "./errors.ts";
import { rateLimit } from "./rate-limit.ts";
import { registerAdminRoutes } from "./routes/admin.ts";
import { registerAlertRoutes } from "./routes/alerts.ts";
import { registerDocRoutes } from "./routes/docs.ts";
import { registerErrorRoutes } from "./routes/errors.ts";
import { registerEventRoutes } from "./routes/events.ts";
import { registerHealthRoutes } from "./routes/health.ts";
import { registerJobRoutes } from "./routes/jobs.ts";
import { registerLaneRoutes } from "./routes/lanes.ts";
import { registerMetricsRoutes } from "./routes/metrics.ts";
import { registerPushTargetRoutes } from "./routes/push-targets.ts";
import { registerQueueRoutes } from "./routes/queues.ts";
import { registerReportRoutes } from "./routes/reports.ts";
import { registerScheduleRoutes } from "./routes/schedules.ts";
import { registerProbeRoutes, registerServerRoutes } from "./routes/server.ts";
import { registerStatsRoutes } from "./routes/stats.ts";
import { registerTokenRoutes } from "./routes/tokens.ts";
import { registerWorkRoutes } from "./routes/work.ts";
import { registerWorkerRoutes } from "./routes/workers.ts";
import { utf8JsonBodies } from "./utf8-body.ts";
import { withWorkFastPath } from "./work-fast-path.ts";

/**
 * For a 405 instead of a 404: the methods some route answers on a path. Each route's pattern
 * is made once, at the first miss (every route is registered by then).
 */
function allowedMethods(app: App): (path: string) => string[] {
  let patterns: { method: string; pattern: RegExp }[] | null = null;
  return (path) => {
    patterns ??= app.routes
      .filter((r) => r.method !== "ALL")
      .map((r) => ({ method: r.method, pattern: new RegExp(`^${r.path.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/:\w+/g, "[^/]+").replace(/\*/g, ".*")}$`) }));
    const methods = new Set(patterns.filter((r) => r.pattern.test(path)).map((r) => r.method));
    if (methods.has("GET")) methods.add("HEAD");
    return [...methods].sort();
  };
}

/**
 * Refuses bodies over `maxBytes` with 413. A request that declares its length is judged by the
 * header alone; hono's bodyLimit reads `req.body` first, which makes the body a stream and costs
 * every request that stream. Bodies without a length (chunked) are counted by hono's bodyLimit.
 */
function limitBody(maxBytes: number): MiddlewareHandler<ApiEnv> {
  const tooLarge = (c: Context) => errorResponse(c, 413, "payload_too_large", `request bodies are limited to ${maxBytes} bytes`);
  const streamed = bodyLimit({ maxSize: maxBytes, onError: tooLarge });
  return async (c, next) => {
    const headers = c.req.raw.headers;
    const length = headers.get("content-length");
    if (length === null || headers.has("transfer-encoding")) return streamed(c, next);
    return Number.parseInt(length, 10) > maxBytes ? tooLarge(c) : next();
  };
}

/** The dashboard's pages and actions: every path but the API's, its documents and the probes. */
function isDashboardPath(path: string): boolean {
  return !/^\/(v1|openapi\.json|docs|metrics|healthz|readyz|login|logout)(\/|$)/.test(path);
}

export function createApp(deps: ApiDeps): App {
  const app = new OpenAPIHono<ApiEnv>({ defaultHook: validationHook as never });
  app.onError(handleError);
  const methodsFor = allowedMethods(app);
  app.notFound((c) => {
    const path = new URL(c.req.url).pathname;
    const allowed = methodsFor(path);
    // A route that takes this method but found nothing (an unknown asset, say) is a 404, not a 405.
    if (allowed.length === 0 || allowed.includes(c.req.method)) return errorResponse(c, 404, "not_found", `no route for ${c.req.method} ${path}`);
    // A dashboard action's address opened as a page (an old sign-in link, a bookmark): its page.
    if (c.req.method === "GET" && allowed.join() === "POST" && isDashboardPath(path)) return c.redirect(path.replace(/\/[^/]*$/, "") || "/", 303);
    c.header("Allow", allowed.join(", "));
    return errorResponse(c, 405, "method_not_allowed", `${path} answers ${allowed.join(", ")}, not ${c.req.method}`);
  });

  app.use("*", limitBody(deps.server.bodyLimitBytes));

  registerProbeRoutes(app, deps);
  registerDocRoutes(app, deps);
  registerMetricsRoutes(app, deps);

  if (deps.rateLimitPerSecond > 0) {
    const limit = rateLimit(deps.rateLimitPerSecond);
    app.use("/v1/*", limit);
    // Signing in tries a token: as limited as the API it opens.
    app.on("POST", "/login", limit);
  }
  app.use("/v1/*", authenticate(deps));
  app.use("/v1/*", utf8JsonBodies());
  app.use("/v1/queues/:queue/*", reservedQueues());

  registerJobRoutes(app, deps);
  registerWorkRoutes(app, deps);
  registerWorkerRoutes(app, deps);
  registerPushTargetRoutes(app, deps);
  registerQueueRoutes(app, deps);
  registerScheduleRoutes(app, deps);
  registerServerRoutes(app, deps);
  registerTokenRoutes(app, deps);
  registerAdminRoutes(app, deps);
  registerStatsRoutes(app, deps);
  registerErrorRoutes(app, deps);
  registerHealthRoutes(app, deps);
  registerAlertRoutes(app, deps);
  registerReportRoutes(app, deps);
  registerLaneRoutes(app, deps);
  registerEventRoutes(app, deps);
  app.route("/", createDashboard(deps));
  app.fetch = withWorkFastPath(deps, app.fetch) as App["fetch"];
  return app;
}
