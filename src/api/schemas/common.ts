/** Schemas shared by every resource: the error body, names, ids, states. */
import { z } from "@hono/zod-openapi";
import { JOB_STATES, MAX_DURATION_MS, NAME_RULE, QUEUE_NAME } from "../../core/job.ts";

export const ErrorBody = z
  .object({
    error: z.object({
      code: z.string().openapi({ example: "validation_failed" }),
      message: z.string().openapi({ example: "priority must be an integer from 0 to 10" }),
      details: z.array(z.unknown()),
    }),
  })
  .openapi("Error");

export const QueueName = z
  .string()
  .regex(QUEUE_NAME, `queue names are ${NAME_RULE}`)
  .openapi({ param: { name: "queue", in: "path" }, example: "emails" });

export const JobId = z.string().min(1).max(64).openapi({ param: { name: "id", in: "path" }, example: "42" });

export const JobStateSchema = z.enum(JOB_STATES as [string, ...string[]]).openapi("JobState");

export const Timestamp = z.string().openapi({ format: "date-time", example: "2026-01-01T00:00:00.000Z" });

/** A span of milliseconds from `min` up to 100 years, the longest delay, timeout or period spool keeps. */
export const DurationMs = (min: number) =>
  z.number().int().min(min).max(MAX_DURATION_MS, `must be at most ${MAX_DURATION_MS} (100 years)`);

/** Standard error answers, so every route documents the one error shape. */
export function errorResponses(...statuses: number[]) {
  const descriptions: Record<number, string> = {
    400: "Malformed or invalid request",
    401: "Missing or unknown bearer token",
    403: "The token's role may not do this",
    404: "Unknown job or resource",
    405: "The path answers other methods only (listed in Allow)",
    409: "Conflict: lease lost or the job is in the wrong state",
    413: "Request body too large",
    415: "Body is not JSON",
    429: "Too many requests (see Retry-After)",
    503: "Storage unavailable",
  };
  const all = [400, 401, 403, 405, 413, 415, 429, 503, ...statuses];
  return Object.fromEntries(
    [...new Set(all)].map((s) => [s, { description: descriptions[s] ?? "Error", content: { "application/json": { schema: ErrorBody } } }]),
  );
}
