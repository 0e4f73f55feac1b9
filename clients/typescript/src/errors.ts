/** What the client throws: the API's refusals with their code, unreachable servers, jobs that ended badly, and what handlers may throw. */
import type { Job } from "./api-types.js";

/** The server answered with an error: `code` is the API's (`validation_failed`, `not_found`, `lease_lost`…). */
export class SpoolApiError extends Error {
  override name = "SpoolApiError";
  constructor(
    /** HTTP status (400, 401, 403, 404, 409, 413, 429, 503…). */
    readonly status: number,
    /** The API's error code, e.g. `validation_failed`; `http_<status>` when the answer was not spool's error shape. */
    readonly code: string,
    message: string,
    /** The API's `details` (e.g. which fields failed validation). */
    readonly details: unknown[] = [],
    /** How long a 429 or 503 asked the client to wait (its Retry-After header), in ms; undefined when it did not say. */
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

/** The request never got an answer (connection refused or dropped, DNS): the server may or may not have acted on it. */
export class SpoolConnectionError extends Error {
  override name = "SpoolConnectionError";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** `waitForResult` of a job that ended failed or cancelled; `job` holds its errors. */
export class JobFailedError extends Error {
  override name = "JobFailedError";
  constructor(readonly job: Job) {
    const last = job.errors[job.errors.length - 1];
    super(`job ${job.id} ${job.state}${last ? `: ${last.type}: ${last.message}` : ""}`);
  }
}

/** Why `ctx.signal` aborted: the job was cancelled, ran past its timeoutMs, lost its lease, or the worker is stopping. */
export type AbortCause = "cancelled" | "timeout" | "lease_lost" | "shutdown";

/** The reason `ctx.signal` carries; rethrown by a handler, it fails the attempt with its cause as the error type. */
export class JobAborted extends Error {
  override name = "AbortError";
  constructor(
    readonly type: AbortCause,
    message: string,
  ) {
    super(message);
  }
}

/**
 * An error a handler may throw to choose how the attempt fails: its `type` (for the queue's
 * retry policy), `retry: false` to fail for good, or `retryInMs` to run again after that delay.
 * Any thrown error may carry these fields; this class only spells them out.
 */
export class JobFailure extends Error {
  override name = "JobFailure";
  readonly type?: string;
  readonly retry?: boolean;
  readonly retryInMs?: number;
  constructor(message: string, options: { type?: string; retry?: boolean; retryInMs?: number; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.type = options.type;
    this.retry = options.retry;
    this.retryInMs = options.retryInMs;
  }
}
