/** Prometheus metrics at /metrics: public to loopback callers (or everyone with --public-metrics), otherwise a read token. */
import { createRoute, z } from "@hono/zod-openapi";
import type { MiddlewareHandler } from "hono";
import { allow, authenticate } from "../auth.ts";
import type { App, ApiDeps, ApiEnv } from "../env.ts";
import { errorResponses } from "../schemas/common.ts";

type BunServer = { requestIP?: (req: Request) => { address: string } | null };

export function isLoopbackAddress(address: string): boolean {
  return address === "::1" || address.startsWith("127.") || address.startsWith("::ffff:127.");
}

function metricsAccess(deps: ApiDeps): MiddlewareHandler<ApiEnv> {
  const auth = authenticate(deps);
  const read = allow("read");
  return async (c, next) => {
    const address = (c.env as BunServer | undefined)?.requestIP?.(c.req.raw)?.address;
    if (deps.server.publicMetrics || (address !== undefined && isLoopbackAddress(address))) return next();
    await auth(c, async () => {
      await read(c, next);
    });
  };
}

const pick = <T extends Record<number, unknown>>(all: T, codes: number[]) => Object.fromEntries(codes.map((code) => [code, all[code]]));

export function registerMetricsRoutes(app: App, deps: ApiDeps): void {
  const metrics = createRoute({
    method: "get",
    path: "/metrics",
    operationId: "getMetrics",
    tags: ["Monitoring"],
    summary: "Prometheus metrics (text exposition format)",
    description:
      "Queue depth by state, jobs finished by outcome, run-time and wait-time histograms, workers online, firing alerts, blocked lanes and the age of the oldest, refused stale completions. Public to callers on loopback, or to everyone with --public-metrics; otherwise it needs a token that may read.",
    security: [{ Bearer: [] }, {}],
    middleware: metricsAccess(deps),
    responses: {
      200: { description: "Metrics", content: { "text/plain": { schema: z.string() } } },
      ...pick(errorResponses(), [401, 403]),
    },
  });
  app.openapi(metrics, async (c) => {
    const text = await deps.monitor.metrics.scrape(deps.clock.now());
    return c.body(text, 200, { "content-type": deps.monitor.metrics.contentType }) as never;
  });
}
