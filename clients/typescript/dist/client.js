import { openEventStream, waitForJob } from "./events.js";
import { JobFailedError } from "./errors.js";
import { Http } from "./http.js";
import { SpoolWorker } from "./worker.js";
export { JobAborted, JobFailedError, JobFailure, SpoolApiError, SpoolConnectionError } from "./errors.js";
export { SpoolWorker } from "./worker.js";
const path = (...parts) => parts.map(encodeURIComponent).join("/");
export class SpoolClient {
    http;
    constructor(options) {
        this.http = new Http(options);
    }
    /**
     * Enqueues one job. With an `idempotencyKey` the same call twice gives the same job (and
     * so the call is retried after a connection error); `created` is false when it already existed.
     */
    async enqueue(queue, payload, options = {}) {
        const { signal, ...body } = options;
        // The key goes in the body, where any text may be; a header holds only Latin-1.
        const { status, data } = await this.http.request("POST", `/v1/queues/${path(queue)}/jobs`, {
            body: { payload, ...body },
            // Only with a key is it safe to send twice (retried, or resent on a fresh connection).
            ...(body.idempotencyKey === undefined ? {} : { retryMs: this.http.retryMs }),
            signal,
        });
        return { ...data, created: status === 201 };
    }
    /** Enqueues up to 1000 jobs, all or nothing; answers them in order. */
    async enqueueBatch(queue, jobs, options = {}) {
        const { data } = await this.http.request("POST", `/v1/queues/${path(queue)}/jobs/batch`, { body: { jobs }, signal: options.signal });
        return data.jobs;
    }
    /** One job with its errors, progress, checkpoint and result; SpoolApiError `not_found` when unknown. */
    async getJob(id, options = {}) {
        return (await this.http.request("GET", `/v1/jobs/${path(id)}`, { signal: options.signal, retryMs: this.http.retryMs })).data;
    }
    /** A page of jobs, newest first; pass `nextCursor` back as `cursor` for the next page. */
    async listJobs(filters = {}, options = {}) {
        return (await this.http.request("GET", "/v1/jobs", { query: filters, signal: options.signal, retryMs: this.http.retryMs })).data;
    }
    /** Cancels a job: at once unless it is running, whose worker sees it in its next heartbeat; `force` ends a running job at once too. */
    async cancel(id, options = {}) {
        return (await this.http.request("POST", `/v1/jobs/${path(id)}/cancel`, { query: { force: options.force ? "true" : undefined }, retryMs: this.http.retryMs })).data;
    }
    /** Runs a failed or cancelled job again, from its checkpoint unless `resetCheckpoint`. */
    async retry(id, options = {}) {
        return (await this.http.request("POST", `/v1/jobs/${path(id)}/retry`, { body: options })).data;
    }
    /** Removes a finished job. */
    async deleteJob(id) {
        await this.http.request("DELETE", `/v1/jobs/${path(id)}`);
    }
    /** The job once it is completed, failed or cancelled (at once if it already is), over server-sent events that survive reconnects. */
    async waitForJob(id, options = {}) {
        const { signal, stop } = deadline(options);
        try {
            return await waitForJob(this.http, id, signal);
        }
        finally {
            stop();
        }
    }
    /** The job's result once it completes; JobFailedError (with the job) when it fails or is cancelled. */
    async waitForResult(id, options = {}) {
        const job = await this.waitForJob(id, options);
        if (job.state !== "completed")
            throw new JobFailedError(job);
        return job.result;
    }
    /**
     * Job state changes and alerts as they happen, filtered by queue, key or job. The stream ends
     * when the connection does (or, with `job`, after its final event): pass the last event's id
     * as `lastEventId` to resume without missing any.
     */
    async events(filters = {}, options = {}) {
        return openEventStream(this.http, filters, options);
    }
    async listQueues() {
        return (await this.http.request("GET", "/v1/queues", { retryMs: this.http.retryMs })).data.queues;
    }
    /** A queue's config and counts (an unknown queue reads as an empty one). */
    async getQueue(queue) {
        return (await this.http.request("GET", `/v1/queues/${path(queue)}`, { retryMs: this.http.retryMs })).data;
    }
    /** Changes the given settings of a queue (concurrency, rateLimit, defaults, retryPolicy, laneOnFailure, retention, target); the rest keep their value. */
    async putQueue(queue, settings) {
        return (await this.http.request("PUT", `/v1/queues/${path(queue)}`, { body: settings, retryMs: this.http.retryMs })).data;
    }
    async pauseQueue(queue) {
        return (await this.http.request("POST", `/v1/queues/${path(queue)}/pause`, { retryMs: this.http.retryMs })).data;
    }
    async resumeQueue(queue) {
        return (await this.http.request("POST", `/v1/queues/${path(queue)}/resume`, { retryMs: this.http.retryMs })).data;
    }
    async listSchedules() {
        return (await this.http.request("GET", "/v1/schedules", { retryMs: this.http.retryMs })).data.schedules;
    }
    /** A schedule with a preview of its next fires and its run history. */
    async getSchedule(name, query = {}) {
        return (await this.http.request("GET", `/v1/schedules/${path(name)}`, { query, retryMs: this.http.retryMs })).data;
    }
    async createSchedule(schedule) {
        return (await this.http.request("POST", "/v1/schedules", { body: schedule })).data;
    }
    /** Creates the schedule or changes the given fields of it. */
    async putSchedule(name, schedule) {
        return (await this.http.request("PUT", `/v1/schedules/${path(name)}`, { body: schedule, retryMs: this.http.retryMs })).data;
    }
    async deleteSchedule(name) {
        await this.http.request("DELETE", `/v1/schedules/${path(name)}`);
    }
    /** Stops the schedule's fires until it is resumed. */
    async pauseSchedule(name) {
        return (await this.http.request("POST", `/v1/schedules/${path(name)}/pause`, { retryMs: this.http.retryMs })).data;
    }
    /** Fires the schedule again, from its next fire time after now. */
    async resumeSchedule(name) {
        return (await this.http.request("POST", `/v1/schedules/${path(name)}/resume`, { retryMs: this.http.retryMs })).data;
    }
    /** Fires the schedule now; answers the job it enqueued. */
    async triggerSchedule(name) {
        return (await this.http.request("POST", `/v1/schedules/${path(name)}/trigger`)).data;
    }
    /** Counts, throughput and timings, in total and per queue. */
    async stats() {
        return (await this.http.request("GET", "/v1/stats", { retryMs: this.http.retryMs })).data;
    }
    /** Health score, status, checks and firing alerts. */
    async health() {
        return (await this.http.request("GET", "/v1/health", { retryMs: this.http.retryMs })).data;
    }
    /** Starts a worker on `queue` that runs `handler` for each job; see WorkOptions. It runs until stopped. */
    work(queue, handler, options = {}) {
        return new SpoolWorker(this.http, queue, handler, options);
    }
}
/** A signal that aborts with the caller's signal or, after timeoutMs, with a TimeoutError. */
function deadline({ signal, timeoutMs }) {
    if (timeoutMs === undefined)
        return { signal, stop: () => { } };
    const controller = new AbortController();
    const onAbort = () => controller.abort(signal.reason);
    if (signal?.aborted)
        onAbort();
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
