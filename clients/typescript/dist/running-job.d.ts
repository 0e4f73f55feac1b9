/** One claimed job in a handler's hands: its context, heartbeats that keep the lease, the abort reasons, and the outcome to report. */
import type { ClaimedJob, FinishedItem, Progress, WorkerControl } from "./api-types.js";
import type { Http } from "./http.js";
/** The job as a handler sees it: `checkpoint` holds what an earlier attempt saved. */
export type WorkerJob<P = unknown> = Omit<ClaimedJob, "lease" | "payload"> & {
    payload: P;
};
export type WorkerContext = {
    /** Aborted when the job is cancelled, runs past its timeoutMs, loses its lease, or the worker stops before it finished. */
    signal: AbortSignal;
    /** Reports progress (0–100, or {current, total?, message?}); resolves once stored. */
    progress(value: Exclude<Progress, null>): Promise<void>;
    /** Saves JSON that the next attempt receives as `job.checkpoint`; resolves once stored. */
    checkpoint(value: unknown): Promise<void>;
};
/** Runs one job; what it returns becomes the job's result, what it throws fails the attempt. */
export type Handler<P = any, R = unknown> = (job: WorkerJob<P>, ctx: WorkerContext) => R | Promise<R>;
export type Failure = {
    error: {
        message: string;
        type: string;
        stack?: string;
    };
    retry?: boolean;
    retryInMs?: number;
};
export type RunningJobDeps = {
    http: Http;
    leaseMs: number;
    heartbeatMs: number;
    onControl: (control: WorkerControl) => void;
    onError: (err: unknown) => void;
};
/**
 * The failure a thrown value stands for. Its type is, in order: a string `type` property
 * (`err.type`), the error's name when it is not plain "Error" (TypeError, AbortError…), or its
 * class name (`class PaymentDeclined extends Error` → "PaymentDeclined"). `retry: false` and
 * `retryInMs` on the error are passed on as the retry hint.
 */
export declare function failureOf(thrown: unknown): Failure;
export declare class RunningJob {
    readonly job: ClaimedJob;
    private readonly deps;
    /** The handler's signal, made when it first asks for it (most never do): an AbortController costs Node about 3 µs. */
    private controller;
    /** Why the handler was told to stop, once it was. */
    private stoppedWith;
    /** Set once the attempt's outcome is decided (or the job is no longer ours): later outcomes of the handler are ignored. */
    private settled;
    private pending;
    private inflight;
    private queued;
    constructor(job: ClaimedJob, deps: RunningJobDeps);
    /**
     * Runs the handler with heartbeats every heartbeatMs and the job's timeout; resolves with the
     * outcome to report, or null when there is none (timed out or lost: the server records those).
     */
    run(handler: Handler): Promise<{
        item: FinishedItem;
        size: number;
    } | null>;
    /** Gives the job back (the worker stops): its signal aborts and it runs again at once, the attempt counted. */
    release(): {
        item: FinishedItem;
        size: number;
    } | null;
    private succeeded;
    private decided;
    /** The job's outcome is no longer ours to report: stop the handler and the heartbeats. */
    private settle;
    private abortWith;
    private signal;
    private context;
    /** Extends the lease, sending pending progress and checkpoint; calls made while one is in flight share the next one. */
    private heartbeat;
    private sendHeartbeat;
}
