/** Queue schemas: config an operator may set, and a queue with its counts. */
import { z } from "@hono/zod-openapi";
import { DurationMs, Timestamp } from "./common.ts";
import { BackoffSchema } from "./job.ts";

/** The most a queue's concurrency or rate limit may count: far above what one machine runs. */
const MAX_COUNT = 1_000_000_000;

const RateLimitSchema = z.object({ max: z.number().int().min(1).max(MAX_COUNT), intervalMs: DurationMs(1) }).strict().openapi("RateLimit");

const RetryPolicySchema = z
  .object({
    noRetry: z.array(z.string().min(1)).optional().openapi({ description: "Error types that fail at once" }),
    byType: z
      .record(z.string(), z.object({ maxAttempts: z.number().int().min(1).max(1000).optional(), backoff: BackoffSchema.optional() }).strict())
      .optional(),
  })
  .strict()
  .openapi("RetryPolicy");

const JobDefaultsSchema = z
  .object({
    priority: z.number().int().min(0).max(10).optional(),
    maxAttempts: z.number().int().min(1).max(1000).optional(),
    backoff: BackoffSchema.optional(),
    timeoutMs: DurationMs(1).optional(),
  })
  .strict()
  .openapi("JobDefaults");

const RetentionSchema = z
  .object({ completedMs: DurationMs(0).optional(), failedMs: DurationMs(0).optional(), cancelledMs: DurationMs(0).optional() })
  .strict()
  .openapi("Retention");

/** A header name as HTTP spells one (a token), and not one spool sets on every delivery itself. */
const TargetHeaderName = z
  .string()
  .regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, "must be a header name (letters, digits and !#$%&'*+.^_`|~-, no spaces)")
  .refine((name) => !/^(content-type|content-length|host|transfer-encoding|connection|spool-.*)$/i.test(name), "is set by spool on every delivery");

const TargetSchema = z
  .object({
    url: z.string().url().regex(/^[Hh][Tt][Tt][Pp][Ss]?:\/\//, "must be an http(s) URL"),
    // A value goes out as bytes, one per character: one line of Latin-1 (tab, printable ASCII, U+0080–U+00FF).
    headers: z.record(TargetHeaderName, z.string().regex(/^[\t\x20-\x7e\x80-\xff]*$/, "must be one line of Latin-1 text (no CR, LF, control characters or characters past U+00FF)")).optional(),
    timeoutMs: z.number().int().min(100).max(600_000).optional(),
    concurrency: z.number().int().min(1).max(1000).optional(),
  })
  .strict()
  .openapi("PushTarget");

export const QueueSettingsBody = z
  .object({
    concurrency: z.number().int().min(1).max(MAX_COUNT).nullable().optional(),
    rateLimit: z.union([RateLimitSchema, z.null()]).optional(),
    defaults: JobDefaultsSchema.optional(),
    retryPolicy: RetryPolicySchema.optional(),
    laneOnFailure: z.enum(["continue", "block"]).optional(),
    retention: z.union([RetentionSchema, z.null()]).optional(),
    target: z.union([TargetSchema, z.null()]).optional(),
  })
  .strict()
  .openapi("QueueSettings");

export const QueueConfigSchema = z
  .object({
    name: z.string(),
    paused: z.boolean(),
    concurrency: z.number().int().nullable(),
    rateLimit: z.union([RateLimitSchema, z.null()]),
    defaults: JobDefaultsSchema,
    retryPolicy: RetryPolicySchema,
    laneOnFailure: z.enum(["continue", "block"]),
    retention: z.union([RetentionSchema, z.null()]),
    target: z.union([TargetSchema, z.null()]),
  })
  .openapi("QueueConfig");

const CountsSchema = z
  .object({
    waiting: z.number().int(), delayed: z.number().int(), blocked: z.number().int(), active: z.number().int(),
    completed: z.number().int(), failed: z.number().int(), cancelled: z.number().int(),
  })
  .openapi("StateCounts");

export const QueueSchema = QueueConfigSchema.extend({
  counts: CountsSchema,
  oldestWaitingSince: Timestamp.nullable().openapi({
    description: "Since when the queue's longest-waiting job has been runnable (its enqueue, delay's end or retry time): how far behind the queue is. Null while no job waits",
  }),
}).openapi("Queue");
