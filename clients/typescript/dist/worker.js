import { SpoolApiError } from "./errors.js";
import { sleep } from "./http.js";
import { RunningJob } from "./running-job.js";
const RETRY_CLAIM_MS = 1000;
/**
 * On stop, a claim out for longer than this is taken to be a long poll waiting for jobs and is
 * aborted; a younger one is let come back (its jobs run within the grace period), since aborting a
 * claim that the server is answering would leave its jobs leased to nobody until the lease expires.
 */
const LONG_POLL_AFTER_MS = 200;
/** A finished job waits at most this long for the next claim to carry it before it is sent on its own. */
const CARRY_WAIT_MS = 20;
/** Results larger than this are sent on their own: a result the server refuses would refuse the whole claim. */
const CARRIED_RESULT_MAX = 16 * 1024;
/** Claim answers that asking again cannot change: the worker stops instead of retrying forever. */
const REFUSALS = new Set([400, 401, 403]);
/** `process` where there is one (Node, Bun, Deno): for signals, the pid and the host name. */
const proc = globalThis.process;
/** The host name under Node, Bun and Deno (through node:os); undefined elsewhere. */
function hostName() {
    // Not a literal, so bundlers for browsers leave it alone.
    const os = "node:os";
    return import(os).then((m) => m.hostname() || undefined, () => undefined);
}
export class SpoolWorker {
    http;
    queue;
    handler;
    options;
    id;
    /** Resolves once the worker has stopped and every outcome is reported (or given up on). */
    done;
    concurrency;
    leaseMs;
    heartbeatMs;
    /** This machine's name, shown in GET /v1/workers (none where there is no node:os). */
    host;
    waitMs;
    graceMs;
    onError;
    running = new Set();
    /** Outcomes sent on their own, awaited before the worker is done. */
    sending = new Set();
    /** Outcomes waiting for the next claim to carry them. */
    carried = [];
    carryTimer;
    /** A claim is out (possibly a long poll), sent at claimSentAt. */
    claiming = false;
    claimSentAt = 0;
    stopping = false;
    graceTimer;
    graceEndsAt = Infinity;
    graceOver = false;
    claimAbort = new AbortController();
    wake = null;
    removeSignalHandlers = () => { };
    constructor(http, queue, handler, options = {}) {
        this.http = http;
        this.queue = queue;
        this.handler = handler;
        this.options = options;
        this.concurrency = options.concurrency ?? 1;
        // A worker that may run no job would wait for ever without a word.
        if (!Number.isInteger(this.concurrency) || this.concurrency < 1)
            throw new RangeError(`concurrency must be a whole number of at least 1 (got ${options.concurrency})`);
        this.leaseMs = options.leaseMs ?? 30_000;
        this.heartbeatMs = options.heartbeatMs ?? Math.max(500, Math.floor(this.leaseMs / 3));
        // A heartbeat every 0 ms would flood the server for as long as a job runs.
        if (!(this.heartbeatMs >= 100 && Number.isFinite(this.heartbeatMs)))
            throw new RangeError(`heartbeatMs must be at least 100 (got ${options.heartbeatMs})`);
        this.host = options.host !== undefined ? Promise.resolve(options.host) : hostName();
        this.waitMs = options.waitMs ?? 25_000;
        this.graceMs = options.graceMs ?? 30_000;
        this.onError = options.onError ?? ((err) => console.error(`spool worker ${queue}:`, err));
        this.id = options.workerId ?? `ts:${queue}:${proc?.pid ?? "browser"}:${Math.random().toString(36).slice(2, 10)}`;
        if (options.handleSignals !== false)
            this.handleSignals();
        this.done = this.run().finally(() => this.removeSignalHandlers());
    }
    /** Handlers running now. */
    get active() {
        return this.running.size;
    }
    /** Stops claiming and lets running handlers finish, however long they take; resolves when the worker is done. */
    close() {
        return this.stop(Infinity);
    }
    /**
     * Stops claiming; handlers still running after `graceMs` (default the worker's graceMs) have
     * their signal aborted and their jobs given back to run again at once. A second stop may
     * shorten the grace period. Resolves when the worker is done.
     */
    stop(graceMs = this.graceMs) {
        if (!this.stopping) {
            this.stopping = true;
            const age = this.claiming ? Date.now() - this.claimSentAt : Infinity;
            if (age >= LONG_POLL_AFTER_MS)
                this.claimAbort.abort();
            else
                setTimeout(() => this.claimAbort.abort(), LONG_POLL_AFTER_MS - age);
            this.wake?.();
        }
        const endsAt = Date.now() + graceMs;
        if (endsAt < this.graceEndsAt) {
            this.graceEndsAt = endsAt;
            clearTimeout(this.graceTimer);
            if (Number.isFinite(graceMs))
                this.graceTimer = setTimeout(() => this.releaseAll(), Math.max(0, graceMs));
        }
        return this.done;
    }
    async run() {
        while (!this.stopping) {
            const free = this.concurrency - this.running.size;
            if (free <= 0) {
                await new Promise((resolve) => (this.wake = resolve));
                this.wake = null;
                continue;
            }
            await this.claim(free);
        }
        while (this.running.size > 0)
            await new Promise((resolve) => (this.wake = resolve));
        clearTimeout(this.graceTimer);
        this.sendCarried();
        while (this.sending.size > 0)
            await Promise.all([...this.sending]);
    }
    /** One claim for up to `max` jobs, carrying the outcomes that wait. */
    async claim(max) {
        // Resolved before the carried outcomes are taken: none may finish between the two unseen.
        const host = await this.host;
        const outcomes = this.takeCarried();
        const body = {
            workerId: this.id, max, leaseMs: this.leaseMs, waitMs: this.waitMs,
            name: this.options.name ?? `spool/client ${this.queue}`, queues: [this.queue], concurrency: this.concurrency,
            ...(host ? { host } : {}),
            ...(outcomes.length ? { finished: outcomes.map((o) => o.item) } : {}),
        };
        this.claiming = true;
        this.claimSentAt = Date.now();
        try {
            const { data } = await this.http.request("POST", `/v1/queues/${encodeURIComponent(this.queue)}/claim`, {
                body, signal: this.claimAbort.signal,
                // A long poll is answered after up to waitMs: only past that is a silent server a failure.
                timeoutMs: this.waitMs + this.http.timeoutMs,
            });
            for (const job of data.jobs)
                this.start(job);
            // Came back after the grace period ended: these jobs go back at once.
            if (this.graceOver)
                this.releaseAll();
            if (data.control?.shutdown)
                void this.stop();
        }
        catch (err) {
            if (err instanceof SpoolApiError && err.status === 413 && outcomes.length > 0) {
                // The results made the claim too large for this server: each goes on its own instead.
                for (const o of outcomes)
                    this.sendAlone(o);
                return;
            }
            // Not known to have arrived: carried again (a resent completion answers the same).
            this.carried.unshift(...outcomes);
            if (this.stopping)
                return;
            if (err instanceof SpoolApiError && REFUSALS.has(err.status)) {
                this.onError(new Error(`the server refuses this worker's claims, stopping: ${err.message}`, { cause: err }));
                void this.stop();
                return;
            }
            this.onError(err);
            await sleep(RETRY_CLAIM_MS, this.claimAbort.signal).catch(() => { });
        }
        finally {
            this.claiming = false;
        }
    }
    start(job) {
        const running = new RunningJob(job, {
            http: this.http, leaseMs: this.leaseMs, heartbeatMs: this.heartbeatMs, onError: this.onError,
            onControl: (control) => void (control.shutdown && this.stop()),
        });
        this.running.add(running);
        // The slot frees before the outcome is handed on, so the claim that carries it can fill the slot.
        // A job given back at the end of the grace period is no longer in `running`: its outcome was reported then.
        running
            .run(this.handler)
            .then((outcome) => {
            if (this.running.delete(running) && outcome)
                this.finish(outcome);
        }, (err) => {
            this.running.delete(running);
            this.onError(err);
        })
            .finally(() => this.wake?.());
    }
    /** Ends the grace period: running handlers are aborted and their jobs given back. */
    releaseAll() {
        this.graceOver = true;
        for (const running of this.running) {
            const outcome = running.release();
            this.running.delete(running);
            if (outcome)
                this.sendAlone(outcome);
        }
        this.wake?.();
    }
    /** A handler ended: its outcome rides with the next claim when one is coming soon, else goes on its own. */
    finish(outcome) {
        if (this.stopping || outcome.size > CARRIED_RESULT_MAX)
            return this.sendAlone(outcome);
        this.carried.push(outcome);
        if (!this.claiming)
            this.wake?.();
        // A claim is out and may be a long poll: give it a moment to come back, then send on its own.
        else
            this.carryTimer ??= setTimeout(() => this.sendCarried(), CARRY_WAIT_MS);
    }
    takeCarried() {
        clearTimeout(this.carryTimer);
        this.carryTimer = undefined;
        const outcomes = this.carried;
        this.carried = [];
        return outcomes;
    }
    sendCarried() {
        for (const o of this.takeCarried())
            this.sendAlone(o);
    }
    sendAlone(outcome) {
        const sent = this.report(outcome.item)
            .catch(this.onError)
            .finally(() => this.sending.delete(sent));
        this.sending.add(sent);
    }
    /**
     * Completes or fails one job in a request of its own, resent after a network error for as long
     * as the lease could last (a resent outcome with the same token gets the same answer). A result
     * the server cannot take fails the job for good; a lost lease is no error of ours.
     */
    async report(item) {
        const retryMs = Math.max(this.http.retryMs, this.leaseMs);
        const path = `/v1/jobs/${encodeURIComponent(item.id)}`;
        try {
            if ("error" in item) {
                const { id: _id, ...body } = item;
                await this.http.request("POST", `${path}/fail`, { body, retryMs });
            }
            else {
                try {
                    await this.http.request("POST", `${path}/complete`, { body: { token: item.token, result: item.result }, retryMs });
                }
                catch (err) {
                    if (!(err instanceof SpoolApiError && err.status === 413))
                        throw err;
                    const error = { type: "result_too_large", message: `the handler's result is larger than the server accepts: ${err.message}` };
                    await this.http.request("POST", `${path}/fail`, { body: { token: item.token, error, retry: false }, retryMs });
                }
            }
        }
        catch (err) {
            if (err instanceof SpoolApiError && (err.status === 409 || err.status === 404))
                return;
            throw err;
        }
    }
    handleSignals() {
        if (typeof proc?.on !== "function" || typeof proc.off !== "function")
            return;
        let signals = 0;
        const onSignal = () => {
            if (++signals === 1)
                void this.stop();
            else
                this.releaseAll();
        };
        proc.on("SIGTERM", onSignal);
        proc.on("SIGINT", onSignal);
        this.removeSignalHandlers = () => {
            proc.off("SIGTERM", onSignal);
            proc.off("SIGINT", onSignal);
        };
    }
}
