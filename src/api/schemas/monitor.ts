/** Monitoring schemas: stats, health, alerts, daily reports, lanes and events as the API shows them. */
import { z } from "@hono/zod-openapi";
import { Timestamp } from "./common.ts";

export const StateCountsSchema = z
  .object({
    waiting: z.number().int(), delayed: z.number().int(), blocked: z.number().int(), active: z.number().int(),
    completed: z.number().int(), failed: z.number().int(), cancelled: z.number().int(),
  })
  .openapi("StateCounts");

const TimingSchema = z.object({
  avgMs: z.number().nullable(),
  p95Ms: z.number().nullable().openapi({ description: "From histogram buckets, interpolated inside the bucket" }),
});

const counters = {
  enqueued: z.number().int(),
  started: z.number().int(),
  completed: z.number().int(),
  failed: z.number().int(),
  cancelled: z.number().int(),
  retried: z.number().int().openapi({ description: "Failed attempts scheduled to run again" }),
  expired: z.number().int().openapi({ description: "Attempts ended by lease expiry" }),
  recovered: z.number().int().openapi({ description: "Completions after at least one failed attempt" }),
};

export const WindowStatsSchema = z
  .object({
    ...counters,
    runMs: z.number().int(),
    waitMs: z.number().int(),
    throughputPerMinute: z.object({ completed: z.number(), failed: z.number() }),
    failureRate: z.number().nullable().openapi({ description: "failed / (completed + failed); null when nothing finished" }),
    runTime: TimingSchema,
    waitTime: TimingSchema.openapi({ description: "From runnable (enqueue, or the end of a delay or backoff) to start" }),
  })
  .openapi("WindowStats");

export const StatsSchema = z
  .object({
    at: Timestamp,
    counts: StateCountsSchema,
    lastHour: WindowStatsSchema,
    lastDay: WindowStatsSchema,
    queues: z.array(z.object({ queue: z.string(), counts: StateCountsSchema, lastHour: WindowStatsSchema, lastDay: WindowStatsSchema })),
  })
  .openapi("Stats");

export const AlertSchema = z
  .object({
    id: z.string(),
    rule: z.enum(["queue_backlog", "failure_rate", "worker_down", "stalled_jobs", "schedule_late", "disk_space", "error_concentration", "no_activity"]),
    subject: z.string().openapi({ description: "What it is about: a queue, a schedule, or disk" }),
    severity: z.enum(["warning", "error", "critical"]),
    state: z.enum(["firing", "resolved"]),
    message: z.string(),
    value: z.number().nullable(),
    threshold: z.number().nullable(),
    firstSeen: Timestamp,
    lastSeen: Timestamp,
    resolvedAt: Timestamp.nullable(),
    ackedAt: Timestamp.nullable(),
    ackedBy: z.string().nullable(),
  })
  .openapi("Alert");

export const HealthSchema = z
  .object({
    at: Timestamp,
    score: z.number().int().min(0).max(100).openapi({ description: "100 minus a deduction per firing alert" }),
    status: z.enum(["healthy", "degraded", "unhealthy"]),
    checks: z.array(
      z.object({
        name: z.enum(["store", "disk", "alerts"]),
        status: z.enum(["ok", "warning", "critical", "unknown"]),
        message: z.string(),
        value: z.number().nullable(),
      }),
    ),
    alerts: z.array(AlertSchema).openapi({ description: "Firing alerts" }),
  })
  .openapi("Health");

const Rates = { completionRate: z.number().nullable(), failureRate: z.number().nullable() };

export const DailyReportSchema = z
  .object({
    date: z.string(),
    timezone: z.string(),
    from: Timestamp,
    to: Timestamp,
    generatedAt: Timestamp,
    totals: z.object(counters),
    states: StateCountsSchema,
    ...Rates,
    runTime: TimingSchema,
    waitTime: TimingSchema,
    slowest: z.array(z.object({ jobId: z.string(), queue: z.string(), key: z.string().nullable(), runMs: z.number(), finishedAt: Timestamp })),
    hourly: z.array(z.object({ hour: z.string(), start: Timestamp, enqueued: z.number(), completed: z.number(), failed: z.number() })),
    peakHour: z.object({ hour: z.string(), finished: z.number() }).nullable(),
    failuresByType: z.array(z.object({ type: z.string(), n: z.number() })),
    retries: z.object({
      retriedAttempts: z.number(), recoveredJobs: z.number(), expiredLeases: z.number(), completedAfterRetryShare: z.number().nullable(),
    }),
    queues: z.array(z.object({ queue: z.string(), states: StateCountsSchema, ...counters, ...Rates, runTime: TimingSchema })),
    disk: z.object({ usedPercent: z.number(), usedBytes: z.number(), freeBytes: z.number(), totalBytes: z.number() }).nullable(),
    trend: z.array(z.object({ date: z.string(), enqueued: z.number(), completed: z.number(), failed: z.number(), avgRunMs: z.number().nullable(), ...Rates })),
  })
  .openapi("DailyReport");

export const LaneSchema = z
  .object({
    queue: z.string(),
    key: z.string(),
    status: z.enum(["blocked", "busy"]).openapi({ description: "blocked: stopped behind its failed head; busy: its head is waiting, delayed or running" }),
    headJobId: z.string(),
    headState: z.string().nullable(),
    lastError: z.object({ type: z.string(), message: z.string(), at: Timestamp }).nullable(),
    since: Timestamp,
    depth: z.number().int().openapi({ description: "Jobs waiting behind the head" }),
  })
  .openapi("Lane");
