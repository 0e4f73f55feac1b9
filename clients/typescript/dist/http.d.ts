/** Requests to a spool server: JSON in and out, the bearer token, errors as SpoolApiError, and retries of requests that are safe to send twice. */
import { SpoolApiError } from "./errors.js";
export type HttpOptions = {
    /** Base URL of the server, e.g. `http://127.0.0.1:7070`. */
    url: string;
    /** Bearer token (any role the calls need); none in open mode. */
    token?: string;
    /**
     * A fetch to use instead of the global one (tests, proxies, instrumentation). Without one,
     * JSON requests under Node and Bun go over sockets of their own (socket-transport.ts), the
     * rest through fetch.
     */
    fetch?: typeof fetch;
    /**
     * Certificates (PEM) an https: server's certificate is checked against, instead of the
     * runtime's trusted ones: a private CA's, say. Node and Bun only; every request of this
     * client uses them, event streams included. (NODE_EXTRA_CA_CERTS adds certificates for
     * every client of a process instead.) Not with `fetch`, which carries its own TLS.
     */
    ca?: string | string[];
    /**
     * How long a request that is safe to send twice (reads, enqueues with an idempotency key,
     * cancels, a worker's heartbeats and outcomes) is retried after a connection error or a
     * 429/502/503/504 answer (a 429 after the Retry-After it names). Default 10 s; 0 never retries.
     */
    retryMs?: number;
    /**
     * How long a request waits for its answer before it counts as a connection error (and, if
     * it is safe to send twice, is retried). Default 30 s; a worker's long-polling claim waits
     * its waitMs more.
     */
    timeoutMs?: number;
};
export type Query = Record<string, string | number | boolean | undefined>;
export type RequestOptions = {
    query?: Query;
    body?: unknown;
    headers?: Record<string, string>;
    signal?: AbortSignal;
    /**
     * Retry for this long after a connection error or a 429/502/503/504: given only for requests
     * safe to send twice, which alone are also sent again on a fresh socket when a kept-alive one
     * turns out closed.
     */
    retryMs?: number;
    /** This request's answer may take this long (default the client's timeoutMs). */
    timeoutMs?: number;
};
/** Whether asking again later could succeed. */
export declare function isTransient(err: unknown): boolean;
/** Resolves after `ms`, or rejects with the signal's reason once it aborts. */
export declare function sleep(ms: number, signal?: AbortSignal): Promise<void>;
export declare class Http {
    private readonly options;
    readonly retryMs: number;
    readonly timeoutMs: number;
    private readonly base;
    private readonly fetcher;
    /** JSON requests' way under Node or Bun, unless a fetch was given; null: they use fetch too. */
    private readonly transport;
    constructor(options: HttpOptions);
    url(path: string, query?: Query): string;
    headers(extra?: Record<string, string>): Record<string, string>;
    /** A raw request; fetch's own failure becomes a SpoolConnectionError (an abort stays an abort). */
    send(method: string, url: string, init: {
        headers: Record<string, string>;
        body?: string;
        signal?: AbortSignal;
    }): Promise<Response>;
    /** One JSON request; retried while transient for `retryMs` when given. */
    request<T>(method: string, path: string, o?: RequestOptions): Promise<{
        status: number;
        data: T;
    }>;
    private requestOnce;
    private viaFetch;
    private viaTransport;
}
/**
 * A signal that aborts with `outer` or once `ms` have passed, whichever comes first; `expired()`
 * tells the second from the first, `met()` stops the clock (`outer` still aborts it), `done()`
 * lets go of both. (AbortSignal.any does the same at ten times the cost under Node, for every
 * request.)
 */
export declare function deadline(outer: AbortSignal | undefined, ms: number): {
    signal: AbortSignal;
    expired: () => boolean;
    met: () => void;
    done: () => void;
};
/** The error an answer stands for: spool's `{error: {code, message, details}}`, or the status and the start of the text. */
export declare function apiError(status: number, text: string, retryAfterMs?: number): SpoolApiError;
