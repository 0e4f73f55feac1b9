/** Job schemas: what a producer sends, what a job looks like over HTTP. */
import { z } from "@hono/zod-openapi";
import { SEARCH_WINDOW } from "../../core/store.ts";
import { DurationMs, JobStateSchema, Timestamp } from "./common.ts";

export const BackoffSchema = z
  .object({
    type: z.enum(["exponential", "fixed"]).optional(),
    delayMs: z.number().int().min(0).max(3_600_000).optional(),
    maxDelayMs: DurationMs(0).optional(),
    jitter: z.boolean().optional(),
  })
  .strict()
  .openapi("Backoff");

export const EnqueueBody = z
  .object({
    payload: z.unknown().optional().openapi({ description: "Any JSON value", example: { to: "ada@example.com" } }),
    key: z.string().min(1).max(255).optional().openapi({ description: "Ordering key: jobs of a queue sharing a key run one at a time, in order" }),
    priority: z.number().int().min(0).max(10).optional().openapi({ description: "0–10, higher first; default 5" }),
    maxAttempts: z.number().int().min(1).max(1000).optional(),
    backoff: BackoffSchema.optional(),
    timeoutMs: DurationMs(1).optional(),
    delayMs: DurationMs(0).optional(),
    runAt: z.iso
      .datetime({ offset: true, error: "must be an ISO 8601 time like 2026-01-01T09:00:00Z" })
      .optional()
      .openapi({ description: "When the job becomes runnable: an ISO 8601 time with its offset (`T` and `Z` in capitals), from 1970 to 9999", example: "2026-01-01T09:00:00Z" }),
    idempotencyKey: z
      .string()
      .min(1)
      .max(255)
      .optional()
      .openapi({ description: "An enqueue with a key the queue already holds answers that job (200) instead of adding one; keys starting `schedule:` are a schedule's fires, refused to producers" }),
  })
  .strict()
  .openapi("EnqueueRequest");

export const ProgressSchema = z
  .union([
    z.number().min(0).max(100),
    // A count done so far, of a total when known: the dashboard's rate and ETA divide by them.
    z.object({ current: z.number().min(0), total: z.number().gt(0).optional(), message: z.string().optional() }),
  ])
  .openapi("Progress");

export const JobErrorSchema = z
  .object({ attempt: z.number().int(), type: z.string(), message: z.string(), stack: z.string().optional(), at: Timestamp })
  .openapi("JobError");

export const JobSchema = z
  .object({
    id: z.string(),
    queue: z.string(),
    key: z.string().nullable(),
    payload: z.unknown(),
    priority: z.number().int(),
    state: JobStateSchema,
    runAt: Timestamp,
    attempts: z.number().int().openapi({ description: "Attempts started since the job was enqueued or last retried by hand" }),
    maxAttempts: z.number().int(),
    givenBack: z.number().int().openapi({
      description: "Of `attempts`, those given back unfinished because their worker or spool shut down (error type `shutdown`): they do not count against maxAttempts",
    }),
    backoff: BackoffSchema,
    timeoutMs: z.number().int().nullable(),
    idempotencyKey: z.string().nullable(),
    progress: z.union([ProgressSchema, z.null()]),
    checkpoint: z.unknown(),
    result: z.unknown(),
    errors: z.array(JobErrorSchema),
    workerId: z.string().nullable(),
    leaseExpiresAt: Timestamp.nullable(),
    cancelRequested: z.boolean(),
    createdAt: Timestamp,
    startedAt: Timestamp.nullable(),
    finishedAt: Timestamp.nullable(),
  })
  .openapi("Job");

export const LeaseSchema = z.object({ token: z.string(), expiresAt: Timestamp }).openapi("Lease");

export const ClaimedJobSchema = JobSchema.extend({ lease: LeaseSchema }).openapi("ClaimedJob");

export const JobListQuery = z.object({
  queue: z.string().optional(),
  state: JobStateSchema.optional(),
  key: z.string().optional(),
  q: z.string().max(200).optional().openapi({
    description: `Search in id, key and payload text, ignoring case. A page reads at most ${SEARCH_WINDOW} jobs: it may hold fewer than \`limit\` and still have a \`nextCursor\` to search on from.`,
  }),
  limit: z.coerce.number().int().min(1).max(500).optional(),
  cursor: z.string().optional(),
});
