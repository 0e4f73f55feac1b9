import { JobAborted, SpoolApiError } from "./errors.js";
const clip = (text, max) => (text.length > max ? text.slice(0, max) : text);
/**
 * The failure a thrown value stands for. Its type is, in order: a string `type` property
 * (`err.type`), the error's name when it is not plain "Error" (TypeError, AbortError…), or its
 * class name (`class PaymentDeclined extends Error` → "PaymentDeclined"). `retry: false` and
 * `retryInMs` on the error are passed on as the retry hint.
 */
export function failureOf(thrown) {
    if (!(thrown instanceof Error)) {
        let message;
        try {
            message = typeof thrown === "string" ? thrown : (JSON.stringify(thrown) ?? String(thrown));
        }
        catch {
            message = String(thrown);
        }
        return { error: { message: clip(message, 10_000), type: "Error" } };
    }
    const e = thrown;
    const explicit = typeof e.type === "string" && e.type.length > 0 ? e.type : null;
    const named = e.name && e.name !== "Error" ? e.name : null;
    const type = clip(explicit ?? named ?? (e.constructor?.name || "Error"), 200);
    const failure = { error: { message: clip(e.message || type, 10_000), type } };
    if (e.stack)
        failure.error.stack = clip(e.stack, 50_000);
    if (typeof e.retry === "boolean")
        failure.retry = e.retry;
    if (typeof e.retryInMs === "number" && Number.isFinite(e.retryInMs) && e.retryInMs >= 0)
        failure.retryInMs = Math.min(Math.round(e.retryInMs), 86_400_000);
    return failure;
}
/** A result as the JSON the server stores, or why it cannot be sent. */
function resultJson(result) {
    try {
        const text = JSON.stringify(result === undefined ? null : result);
        if (text === undefined)
            return { ok: false, problem: `is not JSON (${typeof result})` };
        return { ok: true, value: JSON.parse(text), size: text.length };
    }
    catch (err) {
        return { ok: false, problem: `is not JSON: ${err.message}` };
    }
}
const isLost = (err) => err instanceof SpoolApiError && (err.status === 409 || err.status === 404);
/** The server answered and refused what was sent (not a time-out or too many requests, which may pass on a later try). */
const isRefusal = (err) => err instanceof SpoolApiError && err.status >= 400 && err.status < 500 && err.status !== 408 && err.status !== 429;
export class RunningJob {
    job;
    deps;
    /** The handler's signal, made when it first asks for it (most never do): an AbortController costs Node about 3 µs. */
    controller = null;
    /** Why the handler was told to stop, once it was. */
    stoppedWith = null;
    /** Set once the attempt's outcome is decided (or the job is no longer ours): later outcomes of the handler are ignored. */
    settled = false;
    pending = {};
    inflight = null;
    queued = null;
    constructor(job, deps) {
        this.job = job;
        this.deps = deps;
    }
    /**
     * Runs the handler with heartbeats every heartbeatMs and the job's timeout; resolves with the
     * outcome to report, or null when there is none (timed out or lost: the server records those).
     */
    async run(handler) {
        const beat = setInterval(() => void this.heartbeat().catch(this.deps.onError), this.deps.heartbeatMs);
        const timeoutMs = this.job.timeoutMs;
        // Past the deadline the server ends the lease and records the attempt as timed out: nothing to report.
        const timeout = timeoutMs === null ? undefined : setTimeout(() => this.settle(new JobAborted("timeout", `attempt ran past its timeout of ${timeoutMs} ms`)), timeoutMs);
        const { lease: _lease, payload, ...job } = this.job;
        try {
            const result = await handler({ ...job, payload }, this.context());
            return this.succeeded(result);
        }
        catch (thrown) {
            return this.decided(failureOf(thrown));
        }
        finally {
            clearInterval(beat);
            clearTimeout(timeout);
        }
    }
    /** Gives the job back (the worker stops): its signal aborts and it runs again at once, the attempt counted. */
    release() {
        if (this.settled)
            return null;
        const message = "the worker stopped before the handler finished";
        this.abortWith(new JobAborted("shutdown", message));
        return this.decided({ error: { type: "shutdown", message }, retryInMs: 0 });
    }
    succeeded(result) {
        const json = resultJson(result);
        if (!json.ok)
            return this.decided({ error: { type: "invalid_result", message: `the handler's result ${json.problem}` }, retry: false });
        if (this.settled)
            return null;
        this.settled = true;
        return { item: { id: this.job.id, token: this.job.lease.token, result: json.value }, size: json.size };
    }
    decided(failure) {
        if (this.settled)
            return null;
        this.settled = true;
        return { item: { id: this.job.id, token: this.job.lease.token, ...failure }, size: failure.error.message.length + (failure.error.stack?.length ?? 0) };
    }
    /** The job's outcome is no longer ours to report: stop the handler and the heartbeats. */
    settle(reason) {
        this.settled = true;
        this.abortWith(reason);
    }
    abortWith(reason) {
        if (this.stoppedWith)
            return;
        this.stoppedWith = reason;
        this.controller?.abort(reason);
    }
    signal() {
        if (!this.controller) {
            this.controller = new AbortController();
            if (this.stoppedWith)
                this.controller.abort(this.stoppedWith);
        }
        return this.controller.signal;
    }
    context() {
        const running = this;
        return {
            get signal() {
                return running.signal();
            },
            progress: (value) => {
                this.pending.progress = value;
                return this.heartbeat();
            },
            checkpoint: (value) => {
                const json = resultJson(value);
                if (!json.ok)
                    return Promise.reject(new TypeError(`checkpoint ${json.problem}`));
                this.pending.checkpoint = { value: json.value };
                return this.heartbeat();
            },
        };
    }
    /** Extends the lease, sending pending progress and checkpoint; calls made while one is in flight share the next one. */
    heartbeat() {
        if (this.settled)
            return Promise.resolve();
        if (this.queued)
            return this.queued;
        if (!this.inflight) {
            this.inflight = this.sendHeartbeat().finally(() => (this.inflight = null));
            return this.inflight;
        }
        const next = () => ((this.queued = null), this.heartbeat());
        this.queued = this.inflight.then(next, next);
        return this.queued;
    }
    async sendHeartbeat() {
        const { progress, checkpoint } = this.pending;
        this.pending = {};
        const body = { token: this.job.lease.token, extendMs: this.deps.leaseMs, progress: progress ?? undefined, ...(checkpoint ? { checkpoint: checkpoint.value } : {}) };
        try {
            const { data } = await this.deps.http.request("POST", `/v1/jobs/${encodeURIComponent(this.job.id)}/heartbeat`, {
                body,
                retryMs: Math.min(this.deps.http.retryMs, this.deps.heartbeatMs),
            });
            if (data.cancelRequested)
                this.abortWith(new JobAborted("cancelled", `job ${this.job.id} was cancelled`));
            if (data.control)
                this.deps.onControl(data.control);
        }
        catch (err) {
            if (!isLost(err)) {
                // Not stored for want of an answer: sent with the next heartbeat unless newer values
                // came meanwhile. Values the server refused (400, 413) are dropped, or every later
                // heartbeat would be refused with them and the lease run out.
                if (!isRefusal(err))
                    this.pending = { progress, checkpoint, ...this.pending };
                throw err;
            }
            // Force-cancelled, expired or deleted: stop the handler; nothing is left to report.
            this.settle(new JobAborted("lease_lost", `job ${this.job.id} is no longer leased to this worker`));
        }
    }
}
