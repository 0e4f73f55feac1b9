/** What an in-process handler is given and how its outcome is read: a return value completes, a throw fails with a type. */
import type { Job, Progress } from "../core/job.ts";

/** The job as a handler sees it; `checkpoint` holds what an earlier attempt saved. */
export type HandlerJob<P = unknown> = Omit<Job, "payload" | "leaseToken"> & { payload: P };

export type JobContext = {
  /** Aborted when the job is cancelled (or force-cancelled), runs past its timeoutMs, loses its lease, or spool shuts down. */
  signal: AbortSignal;
  /** Reports progress (0–100, or {current, total, message}); resolves once stored. */
  progress(value: Progress): Promise<void>;
  /** Saves JSON that the next attempt receives as `job.checkpoint`; resolves once stored. */
  checkpoint(value: unknown): Promise<void>;
};

/** Runs one job; what it returns becomes the job's result, what it throws fails the attempt. */
export type Handler<P = any, R = unknown> = (job: HandlerJob<P>, ctx: JobContext) => R | Promise<R>;

export type AbortCause = "cancelled" | "timeout" | "lease_lost" | "shutdown";

/** The reason `ctx.signal` carries; rethrown by a handler, it fails the attempt with its cause as type. */
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
 * retry policy), `retry: false` to fail for good, or `retryInMs` to run again after a delay.
 * Any thrown error may carry these fields; this class only spells them out.
 */
export class JobFailure extends Error {
  readonly type?: string;
  readonly retry?: boolean;
  readonly retryInMs?: number;
  constructor(message: string, options: { type?: string; retry?: boolean; retryInMs?: number; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = "JobFailure";
    this.type = options.type;
    this.retry = options.retry;
    this.retryInMs = options.retryInMs;
  }
}

export type Failure = {
  error: { message: string; type: string; stack?: string };
  retry?: boolean;
  retryInMs?: number;
};

const clip = (text: string, max: number) => (text.length > max ? text.slice(0, max) : text);

/**
 * The failure a thrown value stands for. Its type is, in order: an explicit string `type`
 * property, the error's name when it is not plain "Error" (TypeError, AbortError…), or its
 * class name (`class PaymentDeclined extends Error` → "PaymentDeclined").
 */
export function failureOf(thrown: unknown): Failure {
  try {
    return readFailure(thrown);
  } catch (err) {
    // Reading what was thrown ran its code (a getter, a proxy's trap, toString), which threw in turn.
    let why = "it threw when read";
    try {
      if (err instanceof Error && typeof err.message === "string") why = err.message;
    } catch {
      // What that threw cannot be read either.
    }
    return { error: { message: clip(`the handler threw a value that could not be read (${why})`, 10_000), type: "Error" } };
  }
}

function readFailure(thrown: unknown): Failure {
  if (!(thrown instanceof Error)) {
    const message = typeof thrown === "string" ? thrown : (safeJson(thrown) ?? String(thrown));
    return { error: { message: clip(message, 10_000), type: "Error" } };
  }
  const e = thrown as Error & { type?: unknown; retry?: unknown; retryInMs?: unknown };
  const explicit = typeof e.type === "string" && e.type.length > 0 ? e.type : null;
  const named = e.name && e.name !== "Error" ? e.name : null;
  const type = clip(explicit ?? named ?? (e.constructor?.name || "Error"), 200);
  const failure: Failure = { error: { message: clip(e.message || type, 10_000), type, stack: e.stack ? clip(e.stack, 50_000) : undefined } };
  if (typeof e.retry === "boolean") failure.retry = e.retry;
  if (typeof e.retryInMs === "number" && Number.isFinite(e.retryInMs) && e.retryInMs >= 0) failure.retryInMs = Math.round(e.retryInMs);
  return failure;
}

function safeJson(value: unknown): string | undefined {
  try {
    return JSON.stringify(value);
  } catch {
    return undefined;
  }
}
