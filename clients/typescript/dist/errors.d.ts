/** What the client throws: the API's refusals with their code, unreachable servers, jobs that ended badly, and what handlers may throw. */
import type { Job } from "./api-types.js";
/** The server answered with an error: `code` is the API's (`validation_failed`, `not_found`, `lease_lost`…). */
export declare class SpoolApiError extends Error {
    /** HTTP status (400, 401, 403, 404, 409, 413, 429, 503…). */
    readonly status: number;
    /** The API's error code, e.g. `validation_failed`; `http_<status>` when the answer was not spool's error shape. */
    readonly code: string;
    /** The API's `details` (e.g. which fields failed validation). */
    readonly details: unknown[];
    /** How long a 429 or 503 asked the client to wait (its Retry-After header), in ms; undefined when it did not say. */
    readonly retryAfterMs?: number | undefined;
    name: string;
    constructor(
    /** HTTP status (400, 401, 403, 404, 409, 413, 429, 503…). */
    status: number, 
    /** The API's error code, e.g. `validation_failed`; `http_<status>` when the answer was not spool's error shape. */
    code: string, message: string, 
    /** The API's `details` (e.g. which fields failed validation). */
    details?: unknown[], 
    /** How long a 429 or 503 asked the client to wait (its Retry-After header), in ms; undefined when it did not say. */
    retryAfterMs?: number | undefined);
}
/** The request never got an answer (connection refused or dropped, DNS): the server may or may not have acted on it. */
export declare class SpoolConnectionError extends Error {
    name: string;
    constructor(message: string, options?: {
        cause?: unknown;
    });
}
/** `waitForResult` of a job that ended failed or cancelled; `job` holds its errors. */
export declare class JobFailedError extends Error {
    readonly job: Job;
    name: string;
    constructor(job: Job);
}
/** Why `ctx.signal` aborted: the job was cancelled, ran past its timeoutMs, lost its lease, or the worker is stopping. */
export type AbortCause = "cancelled" | "timeout" | "lease_lost" | "shutdown";
/** The reason `ctx.signal` carries; rethrown by a handler, it fails the attempt with its cause as the error type. */
export declare class JobAborted extends Error {
    readonly type: AbortCause;
    name: string;
    constructor(type: AbortCause, message: string);
}
/**
 * An error a handler may throw to choose how the attempt fails: its `type` (for the queue's
 * retry policy), `retry: false` to fail for good, or `retryInMs` to run again after that delay.
 * Any thrown error may carry these fields; this class only spells them out.
 */
export declare class JobFailure extends Error {
    name: string;
    readonly type?: string;
    readonly retry?: boolean;
    readonly retryInMs?: number;
    constructor(message: string, options?: {
        type?: string;
        retry?: boolean;
        retryInMs?: number;
        cause?: unknown;
    });
}
