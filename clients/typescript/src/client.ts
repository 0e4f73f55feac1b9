/**
 * `spool/client`: SpoolClient, the TypeScript client of a spool server. Producer calls (enqueue,
 * jobs, waiting for results over server-sent events, queues, schedules, stats, health) and
 * `client.work(queue, handler, options)` for workers. Runs on Node 18+, Deno, Bun and in
 * browsers: it needs only fetch, AbortController and ReadableStream (under Node and Bun, JSON
 * requests go over sockets of the client's own instead, which costs half the CPU:
 * socket-transport.ts).
 */
import type {
  ConfigureQueueBody, ConfigureQueueResponse, CreateScheduleBody, EnqueueRequest, GetHealthResponse, GetScheduleQuery, GetScheduleResponse,
  GetStatsResponse, Job, ListJobsQuery, ListJobsResponse, Queue, Schedule, PutScheduleBody,
} from "./api-types.js";
import { openEventStream, waitForJob, type EventFilters, type SpoolEvent } from "./events.js";
import { JobFailedError } from "./errors.js";
import { Http, type HttpOptions } from "./http.js";
import type { Handler } from "./running-job.js";
import { SpoolWorker, type WorkOptions } from "./worker.js";

export type * from "./api-types.js";
export { JobAborted, JobFailedError, JobFailure, SpoolApiError, SpoolConnectionError, type AbortCause } from "./errors.js";
export type { Handler, WorkerContext, WorkerJob } from "./running-job.js";
export { SpoolWorker, type WorkOptions } from "./worker.js";
export type { EventFilters, SpoolEvent } from "./events.js";

export type SpoolClientOptions = HttpOptions;

/** Every enqueue option; `idempotencyKey` goes in the request's body (a header would hold only Latin-1). */
export type EnqueueOptions = Omit<EnqueueRequest, "payload"> & { signal?: AbortSignal };

/** One job of a batch: its payload and options. */
export type BatchJob = EnqueueRequest;

export type WaitOptions = {
  signal?: AbortSignal;
  /** Give up after this long with a TimeoutError (default: wait as long as it takes). */
  timeoutMs?: number;
};

const path = (...parts: string[]) => parts.map(encodeURIComponent).join("/");

export class SpoolClient {
  private readonly http: Http;

  constructor(options: SpoolClientOptions) {
    this.http = new Http(options);
  }

  /**
   * Enqueues one job. With an `idempotencyKey` the same call twice gives the same job (and
   * so the call is retried after a connection error); `created` is false when it already existed.
   */
  async enqueue<P = unknown>(queue: string, payload: P, options: EnqueueOptions = {}): Promise<Job & { created: boolean }> {
    const { signal, ...body } = options;
    // The key goes in the body, where any text may be; a header holds only Latin-1.
    const { status, data } = await this.http.request<Job>("POST", `/v1/queues/${path(queue)}/jobs`, {
      body: { payload, ...body },
      // Only with a key is it safe to send twice (retried, or resent on a fresh connection).
      ...(body.idempotencyKey === undefined ? {} : { retryMs: this.http.retryMs }),
      signal,
    });
    return { ...data, created: status === 201 };
  }

  /** Enqueues up to 1000 jobs, all or nothing; answers them in order. */
  async enqueueBatch(queue: string, jobs: BatchJob[], options: { signal?: AbortSignal } = {}): Promise<Job[]> {
    const { data } = await this.http.request<{ jobs: Job[] }>("POST", `/v1/queues/${path(queue)}/jobs/batch`, { body: { jobs }, signal: options.signal });
    return data.jobs;
  }

  /** One job with its errors, progress, checkpoint and result; SpoolApiError `not_found` when unknown. */
  async getJob(id: string, options: { signal?: AbortSignal } = {}): Promise<Job> {
    return (await this.http.request<Job>("GET", `/v1/jobs/${path(id)}`, { signal: options.signal, retryMs: this.http.retryMs })).data;
  }

  /** A page of jobs, newest first; pass `nextCursor` back as `cursor` for the next page. */
  async listJobs(filters: ListJobsQuery = {}, options: { signal?: AbortSignal } = {}): Promise<ListJobsResponse> {
    return (await this.http.request<ListJobsResponse>("GET", "/v1/jobs", { query: filters, signal: options.signal, retryMs: this.http.retryMs })).data;
  }

  /** Cancels a job: at once unless it is running, whose worker sees it in its next heartbeat; `force` ends a running job at once too. */
  async cancel(id: string, options: { force?: boolean } = {}): Promise<Job> {
    return (await this.http.request<Job>("POST", `/v1/jobs/${path(id)}/cancel`, { query: { force: options.force ? "true" : undefined }, retryMs: this.http.retryMs })).data;
  }

  /** Runs a failed or cancelled job again, from its checkpoint unless `resetCheckpoint`. */
  async retry(id: string, options: { resetCheckpoint?: boolean } = {}): Promise<Job> {
    return (await this.http.request<Job>("POST", `/v1/jobs/${path(id)}/retry`, { body: options })).data;
  }

  /** Removes a finished job. */
  async deleteJob(id: string): Promise<void> {
    await this.http.request("DELETE", `/v1/jobs/${path(id)}`);
  }

  /** The job once it is completed, failed or cancelled (at once if it already is), over server-sent events that survive reconnects. */
  async waitForJob(id: string, options: WaitOptions = {}): Promise<Job> {
    const { signal, stop } = deadline(options);
    try {
      return await waitForJob(this.http, id, signal);
    } finally {
      stop();
    }
  }

  /** The job's result once it completes; JobFailedError (with the job) when it fails or is cancelled. */
  async waitForResult<R = unknown>(id: string, options: WaitOptions = {}): Promise<R> {
    const job = await this.waitForJob(id, options);
    if (job.state !== "completed") throw new JobFailedError(job);
    return job.result as R;
  }

  /**
   * Job state changes and alerts as they happen, filtered by queue, key or job. The stream ends
   * when the connection does (or, with `job`, after its final event): pass the last event's id
   * as `lastEventId` to resume without missing any.
   */
  async events(filters: EventFilters = {}, options: { lastEventId?: string; signal?: AbortSignal } = {}): Promise<AsyncGenerator<SpoolEvent>> {
    return openEventStream(this.http, filters, options);
  }

  async listQueues(): Promise<Queue[]> {
    return (await this.http.request<{ queues: Queue[] }>("GET", "/v1/queues", { retryMs: this.http.retryMs })).data.queues;
  }

  /** A queue's config and counts (an unknown queue reads as an empty one). */
  async getQueue(queue: string): Promise<Queue> {
    return (await this.http.request<Queue>("GET", `/v1/queues/${path(queue)}`, { retryMs: this.http.retryMs })).data;
  }

  /** Changes the given settings of a queue (concurrency, rateLimit, defaults, retryPolicy, laneOnFailure, retention, target); the rest keep their value. */
  async putQueue(queue: string, settings: ConfigureQueueBody): Promise<ConfigureQueueResponse> {
    return (await this.http.request<ConfigureQueueResponse>("PUT", `/v1/queues/${path(queue)}`, { body: settings, retryMs: this.http.retryMs })).data;
  }

  async pauseQueue(queue: string): Promise<ConfigureQueueResponse> {
    return (await this.http.request<ConfigureQueueResponse>("POST", `/v1/queues/${path(queue)}/pause`, { retryMs: this.http.retryMs })).data;
  }

  async resumeQueue(queue: string): Promise<ConfigureQueueResponse> {
    return (await this.http.request<ConfigureQueueResponse>("POST", `/v1/queues/${path(queue)}/resume`, { retryMs: this.http.retryMs })).data;
  }

  async listSchedules(): Promise<Schedule[]> {
    return (await this.http.request<{ schedules: Schedule[] }>("GET", "/v1/schedules", { retryMs: this.http.retryMs })).data.schedules;
  }

  /** A schedule with a preview of its next fires and its run history. */
  async getSchedule(name: string, query: GetScheduleQuery = {}): Promise<GetScheduleResponse> {
    return (await this.http.request<GetScheduleResponse>("GET", `/v1/schedules/${path(name)}`, { query, retryMs: this.http.retryMs })).data;
  }

  async createSchedule(schedule: CreateScheduleBody): Promise<Schedule> {
    return (await this.http.request<Schedule>("POST", "/v1/schedules", { body: schedule })).data;
  }

  /** Creates the schedule or changes the given fields of it. */
  async putSchedule(name: string, schedule: PutScheduleBody): Promise<Schedule> {
    return (await this.http.request<Schedule>("PUT", `/v1/schedules/${path(name)}`, { body: schedule, retryMs: this.http.retryMs })).data;
  }

  async deleteSchedule(name: string): Promise<void> {
    await this.http.request("DELETE", `/v1/schedules/${path(name)}`);
  }

  /** Stops the schedule's fires until it is resumed. */
  async pauseSchedule(name: string): Promise<Schedule> {
    return (await this.http.request<Schedule>("POST", `/v1/schedules/${path(name)}/pause`, { retryMs: this.http.retryMs })).data;
  }

  /** Fires the schedule again, from its next fire time after now. */
  async resumeSchedule(name: string): Promise<Schedule> {
    return (await this.http.request<Schedule>("POST", `/v1/schedules/${path(name)}/resume`, { retryMs: this.http.retryMs })).data;
  }

  /** Fires the schedule now; answers the job it enqueued. */
  async triggerSchedule(name: string): Promise<Job> {
    return (await this.http.request<Job>("POST", `/v1/schedules/${path(name)}/trigger`)).data;
  }

  /** Counts, throughput and timings, in total and per queue. */
  async stats(): Promise<GetStatsResponse> {
    return (await this.http.request<GetStatsResponse>("GET", "/v1/stats", { retryMs: this.http.retryMs })).data;
  }

  /** Health score, status, checks and firing alerts. */
  async health(): Promise<GetHealthResponse> {
    return (await this.http.request<GetHealthResponse>("GET", "/v1/health", { retryMs: this.http.retryMs })).data;
  }

  /** Starts a worker on `queue` that runs `handler` for each job; see WorkOptions. It runs until stopped. */
  work<P = any, R = unknown>(queue: string, handler: Handler<P, R>, options: WorkOptions = {}): SpoolWorker {
    return new SpoolWorker(this.http, queue, handler as Handler, options);
  }
}

/** A signal that aborts with the caller's signal or, after timeoutMs, with a TimeoutError. */
function deadline({ signal, timeoutMs }: WaitOptions): { signal?: AbortSignal; stop: () => void } {
  if (timeoutMs === undefined) return { signal, stop: () => {} };
  const controller = new AbortController();
  const onAbort = () => controller.abort(signal!.reason);
  if (signal?.aborted) onAbort();
  signal?.addEventListener("abort", onAbort, { once: true });
  const timer = setTimeout(() => {
    const err = new Error(`waited ${timeoutMs} ms`);
    err.name = "TimeoutError";
    controller.abort(err);
  }, timeoutMs);
  return {
    signal: controller.signal,
    stop: () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
    },
  };
}
