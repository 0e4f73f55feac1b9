/** Per-client request rate limit (token bucket by remote address); over the limit → 429 with Retry-After. */
import type { MiddlewareHandler } from "hono";
import { getConnInfo } from "hono/bun";
import { SpoolError } from "../core/errors.ts";
import type { ApiEnv } from "./env.ts";

type Bucket = { tokens: number; at: number };

export function rateLimit(perSecond: number): MiddlewareHandler<ApiEnv> {
  const buckets = new Map<string, Bucket>();
  return async (c, next) => {
    // The socket's address, never a header a client could set; unauthenticated calls count too.
    const client = remoteAddress(c);
    const now = performance.now();
    const bucket = buckets.get(client) ?? { tokens: perSecond, at: now };
    bucket.tokens = Math.min(perSecond, bucket.tokens + ((now - bucket.at) / 1000) * perSecond);
    bucket.at = now;
    buckets.set(client, bucket);
    if (bucket.tokens < 1) {
      const retryAfter = Math.max(1, Math.ceil((1 - bucket.tokens) / perSecond));
      throw new SpoolError("rate_limited", 429, `more than ${perSecond} requests per second; retry after ${retryAfter} s`, [retryAfter]);
    }
    bucket.tokens -= 1;
    if (buckets.size > 10_000) buckets.clear();
    return next();
  };
}

function remoteAddress(c: Parameters<MiddlewareHandler<ApiEnv>>[0]): string {
  try {
    return getConnInfo(c).remote.address ?? "unknown";
  } catch {
    return "unknown";
  }
}
