/** The server answered with an error: `code` is the API's (`validation_failed`, `not_found`, `lease_lost`…). */
export class SpoolApiError extends Error {
    status;
    code;
    details;
    retryAfterMs;
    name = "SpoolApiError";
    constructor(
    /** HTTP status (400, 401, 403, 404, 409, 413, 429, 503…). */
    status, 
    /** The API's error code, e.g. `validation_failed`; `http_<status>` when the answer was not spool's error shape. */
    code, message, 
    /** The API's `details` (e.g. which fields failed validation). */
    details = [], 
    /** How long a 429 or 503 asked the client to wait (its Retry-After header), in ms; undefined when it did not say. */
    retryAfterMs) {
        super(message);
        this.status = status;
        this.code = code;
        this.details = details;
        this.retryAfterMs = retryAfterMs;
    }
}
/** The request never got an answer (connection refused or dropped, DNS): the server may or may not have acted on it. */
export class SpoolConnectionError extends Error {
    name = "SpoolConnectionError";
    constructor(message, options) {
        super(message, options);
    }
}
/** `waitForResult` of a job that ended failed or cancelled; `job` holds its errors. */
export class JobFailedError extends Error {
    job;
    name = "JobFailedError";
    constructor(job) {
        const last = job.errors[job.errors.length - 1];
        super(`job ${job.id} ${job.state}${last ? `: ${last.type}: ${last.message}` : ""}`);
        this.job = job;
    }
}
/** The reason `ctx.signal` carries; rethrown by a handler, it fails the attempt with its cause as the error type. */
export class JobAborted extends Error {
    type;
    name = "AbortError";
    constructor(type, message) {
        super(message);
        this.type = type;
    }
}
/**
 * An error a handler may throw to choose how the attempt fails: its `type` (for the queue's
 * retry policy), `retry: false` to fail for good, or `retryInMs` to run again after that delay.
 * Any thrown error may carry these fields; this class only spells them out.
 */
export class JobFailure extends Error {
    name = "JobFailure";
    type;
    retry;
    retryInMs;
    constructor(message, options = {}) {
        super(message, { cause: options.cause });
        this.type = options.type;
        this.retry = options.retry;
        this.retryInMs = options.retryInMs;
    }
}
