/** Schedule schemas: what an operator sends, a schedule with its preview, and its run history. */
import { z } from "@hono/zod-openapi";
import { NAME_RULE, QUEUE_NAME } from "../../core/job.ts";
import { BackoffSchema } from "./job.ts";
import { DurationMs, JobStateSchema, Timestamp } from "./common.ts";

/** Schedule and queue names, as the service checks them (its messages say what is wrong). */
const NAME_PATTERN = QUEUE_NAME.source;

export const ScheduleName = z
  .string()
  .regex(QUEUE_NAME, `schedule names are ${NAME_RULE}`)
  .openapi({ param: { name: "name", in: "path" }, example: "nightly-export" });

const ScheduleJobOptionsSchema = z
  .object({
    key: z.string().min(1).max(255).optional(),
    priority: z.number().int().min(0).max(10).optional(),
    maxAttempts: z.number().int().min(1).max(1000).optional(),
    backoff: BackoffSchema.optional(),
    timeoutMs: DurationMs(1).optional(),
    delayMs: DurationMs(0).optional(),
  })
  .strict()
  .openapi("ScheduleJobOptions");

// cron, every and timezone are checked by spool itself (croner, the time zone database) so
// that a bad value is answered with a message that says what is wrong with it.
const fields = {
  cron: z.string().nullable().optional().openapi({ description: 'croner syntax: 5 or 6 fields (seconds first when 6), or @daily, @hourly, …; null to switch to `every`', example: "0 4 * * *" }),
  every: z.string().nullable().optional().openapi({ description: 'An interval instead of cron: "30s", "5m", "1h", "1d"; fires on whole multiples since the Unix epoch', example: "30s" }),
  timezone: z.string().optional().openapi({ description: "IANA time zone the cron is read in (default UTC)", example: "Europe/Paris" }),
  queue: z.string().optional().openapi({ description: `Queue the fired jobs go to (${NAME_RULE})`, pattern: NAME_PATTERN, example: "exports" }),
  payload: z.unknown().optional().openapi({ description: "Payload of every fired job (any JSON)" }),
  jobOptions: ScheduleJobOptionsSchema.optional(),
  enabled: z.boolean().optional().openapi({ description: "false pauses the schedule (default true)" }),
  overlap: z.enum(["allow", "skip"]).optional().openapi({ description: '"skip": do not fire while the previous job is unfinished (default "allow")' }),
  catchUp: z.enum(["one", "none"]).optional().openapi({ description: '"one": after a downtime, fire once for the missed runs (default); "none": record them as missed' }),
};

export const ScheduleCreateBody = z
  .object({
    name: z.string().openapi({ description: `${NAME_RULE}; not starting spool: (spool's own)`, pattern: NAME_PATTERN, example: "nightly-export" }),
    ...fields,
  })
  .strict()
  .openapi("ScheduleCreateRequest");

export const ScheduleUpdateBody = z.object(fields).strict().openapi("ScheduleUpdateRequest");

const FirePreviewSchema = z
  .object({ at: Timestamp, local: z.string().openapi({ description: "The same time in the schedule's zone", example: "2026-03-29T03:00:00+02:00" }) })
  .openapi("FirePreview");

export const ScheduleRunSchema = z
  .object({
    id: z.string(),
    kind: z.enum(["fired", "skipped", "missed"]).openapi({ description: "fired · skipped (previous job unfinished) · missed (spool was down)" }),
    fireTime: Timestamp,
    lastFireTime: Timestamp.openapi({ description: "Last fire time of a range of skipped or missed runs" }),
    count: z.number().int().openapi({ description: "Fire times this entry stands for" }),
    manual: z.boolean().openapi({ description: "Triggered by an operator" }),
    catchUp: z.boolean().openapi({ description: "Fired late, once, for runs missed while down" }),
    jobId: z.string().nullable(),
    job: z
      .object({ state: JobStateSchema, finishedAt: Timestamp.nullable(), error: z.string().nullable(), deleted: z.boolean() })
      .nullable()
      .openapi({ description: "The job's outcome (kept after the job is deleted)" }),
    at: Timestamp,
  })
  .openapi("ScheduleRun");

export const ScheduleSchema = z
  .object({
    name: z.string(),
    cron: z.string().nullable(),
    every: z.string().nullable(),
    timezone: z.string(),
    queue: z.string(),
    payload: z.unknown(),
    jobOptions: ScheduleJobOptionsSchema,
    enabled: z.boolean(),
    overlap: z.enum(["allow", "skip"]),
    catchUp: z.enum(["one", "none"]),
    builtin: z.boolean(),
    nextFireAt: Timestamp.nullable(),
    lastFireAt: Timestamp.nullable(),
    lastJobId: z.string().nullable(),
    lastResult: z.unknown().openapi({ description: "Latest result of a built-in maintenance task" }),
    lastResultAt: Timestamp.nullable(),
    createdAt: Timestamp,
    updatedAt: Timestamp,
    preview: z.array(FirePreviewSchema).openapi({ description: "The next fire times" }),
    lastRun: z.union([ScheduleRunSchema, z.null()]),
  })
  .openapi("Schedule");

export const ScheduleDetailSchema = ScheduleSchema.extend({ history: z.array(ScheduleRunSchema) }).openapi("ScheduleDetail");
