import { type Http } from "./http.js";
import { type Handler } from "./running-job.js";
export type WorkOptions = {
    /** Handlers running at once (default 1). */
    concurrency?: number;
    /** Lease per claim, extended by each heartbeat (default 30 s; 1 s to 1 h). */
    leaseMs?: number;
    /** Time between heartbeats of a running job (default a third of leaseMs). */
    heartbeatMs?: number;
    /** How long one claim waits for a job to arrive (long poll; default 25 s, at most 30 s). */
    waitMs?: number;
    /** How long running handlers get to finish on SIGTERM/SIGINT or an operator's shutdown (default 30 s). */
    graceMs?: number;
    /** Stop gracefully on SIGTERM and SIGINT where `process` exists; a second signal gives running jobs back at once (default true). */
    handleSignals?: boolean;
    /** Identity in GET /v1/workers (default a random id, a name from the queue, and this machine's host name). */
    workerId?: string;
    name?: string;
    host?: string;
    /** Errors the worker survives (a failed claim or heartbeat, an outcome it could not report); default console.error. */
    onError?: (err: unknown) => void;
};
export declare class SpoolWorker {
    private readonly http;
    readonly queue: string;
    private readonly handler;
    private readonly options;
    readonly id: string;
    /** Resolves once the worker has stopped and every outcome is reported (or given up on). */
    readonly done: Promise<void>;
    private readonly concurrency;
    private readonly leaseMs;
    private readonly heartbeatMs;
    /** This machine's name, shown in GET /v1/workers (none where there is no node:os). */
    private readonly host;
    private readonly waitMs;
    private readonly graceMs;
    private readonly onError;
    private readonly running;
    /** Outcomes sent on their own, awaited before the worker is done. */
    private readonly sending;
    /** Outcomes waiting for the next claim to carry them. */
    private carried;
    private carryTimer;
    /** A claim is out (possibly a long poll), sent at claimSentAt. */
    private claiming;
    private claimSentAt;
    private stopping;
    private graceTimer;
    private graceEndsAt;
    private graceOver;
    private readonly claimAbort;
    private wake;
    private removeSignalHandlers;
    constructor(http: Http, queue: string, handler: Handler, options?: WorkOptions);
    /** Handlers running now. */
    get active(): number;
    /** Stops claiming and lets running handlers finish, however long they take; resolves when the worker is done. */
    close(): Promise<void>;
    /**
     * Stops claiming; handlers still running after `graceMs` (default the worker's graceMs) have
     * their signal aborted and their jobs given back to run again at once. A second stop may
     * shorten the grace period. Resolves when the worker is done.
     */
    stop(graceMs?: number): Promise<void>;
    private run;
    /** One claim for up to `max` jobs, carrying the outcomes that wait. */
    private claim;
    private start;
    /** Ends the grace period: running handlers are aborted and their jobs given back. */
    private releaseAll;
    /** A handler ended: its outcome rides with the next claim when one is coming soon, else goes on its own. */
    private finish;
    private takeCarried;
    private sendCarried;
    private sendAlone;
    /**
     * Completes or fails one job in a request of its own, resent after a network error for as long
     * as the lease could last (a resent outcome with the same token gets the same answer). A result
     * the server cannot take fails the job for good; a lost lease is no error of ours.
     */
    private report;
    private handleSignals;
}
