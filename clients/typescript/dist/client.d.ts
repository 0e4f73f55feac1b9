/**
 * `spool/client`: SpoolClient, the TypeScript client of a spool server. Producer calls (enqueue,
 * jobs, waiting for results over server-sent events, queues, schedules, stats, health) and
 * `client.work(queue, handler, options)` for workers. Runs on Node 18+, Deno, Bun and in
 * browsers: it needs only fetch, AbortController and ReadableStream (under Node and Bun, JSON
 * requests go over sockets of the client's own instead, which costs half the CPU:
 * socket-transport.ts).
 */
import type { ConfigureQueueBody, ConfigureQueueResponse, CreateScheduleBody, EnqueueRequest, GetHealthResponse, GetScheduleQuery, GetScheduleResponse, GetStatsResponse, Job, ListJobsQuery, ListJobsResponse, Queue, Schedule, PutScheduleBody } from "./api-types.js";
import { type EventFilters, type SpoolEvent } from "./events.js";
import { type HttpOptions } from "./http.js";
import type { Handler } from "./running-job.js";
import { SpoolWorker, type WorkOptions } from "./worker.js";
export type * from "./api-types.js";
export { JobAborted, JobFailedError, JobFailure, SpoolApiError, SpoolConnectionError, type AbortCause } from "./errors.js";
export type { Handler, WorkerContext, WorkerJob } from "./running-job.js";
export { SpoolWorker, type WorkOptions } from "./worker.js";
export type { EventFilters, SpoolEvent } from "./events.js";
export type SpoolClientOptions = HttpOptions;
/** Every enqueue option; `idempotencyKey` goes in the request's body (a header would hold only Latin-1). */
export type EnqueueOptions = Omit<EnqueueRequest, "payload"> & {
    signal?: AbortSignal;
};
/** One job of a batch: its payload and options. */
export type BatchJob = EnqueueRequest;
export type WaitOptions = {
    signal?: AbortSignal;
    /** Give up after this long with a TimeoutError (default: wait as long as it takes). */
    timeoutMs?: number;
};
export declare class SpoolClient {
    private readonly http;
    constructor(options: SpoolClientOptions);
    /**
     * Enqueues one job. With an `idempotencyKey` the same call twice gives the same job (and
     * so the call is retried after a connection error); `created` is false when it already existed.
     */
    enqueue<P = unknown>(queue: string, payload: P, options?: EnqueueOptions): Promise<Job & {
        created: boolean;
    }>;
    /** Enqueues up to 1000 jobs, all or nothing; answers them in order. */
    enqueueBatch(queue: string, jobs: BatchJob[], options?: {
        signal?: AbortSignal;
    }): Promise<Job[]>;
    /** One job with its errors, progress, checkpoint and result; SpoolApiError `not_found` when unknown. */
    getJob(id: string, options?: {
        signal?: AbortSignal;
    }): Promise<Job>;
    /** A page of jobs, newest first; pass `nextCursor` back as `cursor` for the next page. */
    listJobs(filters?: ListJobsQuery, options?: {
        signal?: AbortSignal;
    }): Promise<ListJobsResponse>;
    /** Cancels a job: at once unless it is running, whose worker sees it in its next heartbeat; `force` ends a running job at once too. */
    cancel(id: string, options?: {
        force?: boolean;
    }): Promise<Job>;
    /** Runs a failed or cancelled job again, from its checkpoint unless `resetCheckpoint`. */
    retry(id: string, options?: {
        resetCheckpoint?: boolean;
    }): Promise<Job>;
    /** Removes a finished job. */
    deleteJob(id: string): Promise<void>;
    /** The job once it is completed, failed or cancelled (at once if it already is), over server-sent events that survive reconnects. */
    waitForJob(id: string, options?: WaitOptions): Promise<Job>;
    /** The job's result once it completes; JobFailedError (with the job) when it fails or is cancelled. */
    waitForResult<R = unknown>(id: string, options?: WaitOptions): Promise<R>;
    /**
     * Job state changes and alerts as they happen, filtered by queue, key or job. The stream ends
     * when the connection does (or, with `job`, after its final event): pass the last event's id
     * as `lastEventId` to resume without missing any.
     */
    events(filters?: EventFilters, options?: {
        lastEventId?: string;
        signal?: AbortSignal;
    }): Promise<AsyncGenerator<SpoolEvent>>;
    listQueues(): Promise<Queue[]>;
    /** A queue's config and counts (an unknown queue reads as an empty one). */
    getQueue(queue: string): Promise<Queue>;
    /** Changes the given settings of a queue (concurrency, rateLimit, defaults, retryPolicy, laneOnFailure, retention, target); the rest keep their value. */
    putQueue(queue: string, settings: ConfigureQueueBody): Promise<ConfigureQueueResponse>;
    pauseQueue(queue: string): Promise<ConfigureQueueResponse>;
    resumeQueue(queue: string): Promise<ConfigureQueueResponse>;
    listSchedules(): Promise<Schedule[]>;
    /** A schedule with a preview of its next fires and its run history. */
    getSchedule(name: string, query?: GetScheduleQuery): Promise<GetScheduleResponse>;
    createSchedule(schedule: CreateScheduleBody): Promise<Schedule>;
    /** Creates the schedule or changes the given fields of it. */
    putSchedule(name: string, schedule: PutScheduleBody): Promise<Schedule>;
    deleteSchedule(name: string): Promise<void>;
    /** Stops the schedule's fires until it is resumed. */
    pauseSchedule(name: string): Promise<Schedule>;
    /** Fires the schedule again, from its next fire time after now. */
    resumeSchedule(name: string): Promise<Schedule>;
    /** Fires the schedule now; answers the job it enqueued. */
    triggerSchedule(name: string): Promise<Job>;
    /** Counts, throughput and timings, in total and per queue. */
    stats(): Promise<GetStatsResponse>;
    /** Health score, status, checks and firing alerts. */
    health(): Promise<GetHealthResponse>;
    /** Starts a worker on `queue` that runs `handler` for each job; see WorkOptions. It runs until stopped. */
    work<P = any, R = unknown>(queue: string, handler: Handler<P, R>, options?: WorkOptions): SpoolWorker;
}
