/** Requests to a spool server: JSON in and out, the bearer token, errors as SpoolApiError, and retries of requests that are safe to send twice. */
import { SpoolApiError, SpoolConnectionError } from "./errors.js";
import { caFetch } from "./ca-fetch.js";
import { socketTransport } from "./socket-transport.js";
import { TransportError } from "./transport.js";
/** Answers that a moment later may differ: rate limited, a proxy or the store not reachable just now. */
const TRANSIENT = new Set([429, 502, 503, 504]);
const DEFAULT_TIMEOUT_MS = 30_000;
/** The longest Retry-After honoured between two tries. */
const MAX_RETRY_AFTER_MS = 60_000;
const FIRST_RETRY_MS = 100;
const MAX_RETRY_DELAY_MS = 2000;
/**
 * How long a 429 asks to wait: its Retry-After header, else (spool's rate limit) the seconds in
 * its details; 0 when it does not say. (A 503's is left to the client's own backoff: spool is
 * back within a second of its store, sooner than the 5 s it names.)
 */
function retryAfterMs(err) {
    if (!(err instanceof SpoolApiError) || err.status !== 429)
        return 0;
    if (err.retryAfterMs !== undefined)
        return Math.min(err.retryAfterMs, MAX_RETRY_AFTER_MS);
    const seconds = err.details[0];
    return typeof seconds === "number" && seconds > 0 ? Math.min(seconds * 1000, MAX_RETRY_AFTER_MS) : 0;
}
/** A Retry-After header's wait in ms: seconds, or an HTTP date; undefined when absent or unreadable. */
function headerWait(value) {
    if (!value)
        return undefined;
    if (/^\d+$/.test(value.trim()))
        return Number(value.trim()) * 1000;
    const at = Date.parse(value);
    return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}
/** Whether asking again later could succeed. */
export function isTransient(err) {
    return err instanceof SpoolConnectionError || (err instanceof SpoolApiError && TRANSIENT.has(err.status));
}
/** Resolves after `ms`, or rejects with the signal's reason once it aborts. */
export function sleep(ms, signal) {
    return new Promise((resolve, reject) => {
        if (signal?.aborted)
            return reject(signal.reason);
        const onAbort = () => {
            clearTimeout(timer);
            reject(signal.reason);
        };
        const timer = setTimeout(() => {
            signal?.removeEventListener("abort", onAbort);
            resolve();
        }, ms);
        signal?.addEventListener("abort", onAbort, { once: true });
    });
}
export class Http {
    options;
    retryMs;
    timeoutMs;
    base;
    fetcher;
    /** JSON requests' way under Node or Bun, unless a fetch was given; null: they use fetch too. */
    transport;
    constructor(options) {
        this.options = options;
        this.base = options.url.replace(/\/+$/, "");
        if (options.fetch && options.ca !== undefined)
            throw new TypeError("SpoolClient: give `ca` or `fetch`, not both: a fetch given carries its own TLS");
        this.fetcher = options.fetch ?? (options.ca !== undefined ? caFetch(options.ca) : (input, init) => fetch(input, init));
        this.transport = options.fetch ? null : socketTransport(this.base, options.ca);
        this.retryMs = options.retryMs ?? 10_000;
        this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    }
    url(path, query) {
        if (query === undefined)
            return `${this.base}${path}`;
        const params = new URLSearchParams();
        for (const [name, value] of Object.entries(query))
            if (value !== undefined)
                params.set(name, String(value));
        const search = params.toString();
        return `${this.base}${path}${search ? `?${search}` : ""}`;
    }
    headers(extra) {
        const headers = { accept: "application/json", ...extra };
        if (this.options.token)
            headers.authorization = `Bearer ${this.options.token}`;
        return headers;
    }
    /** A raw request; fetch's own failure becomes a SpoolConnectionError (an abort stays an abort). */
    async send(method, url, init) {
        try {
            return await this.fetcher(url, { method, ...init });
        }
        catch (err) {
            if (init.signal?.aborted)
                throw init.signal.reason;
            throw new SpoolConnectionError(`${method} ${url}: ${err?.message ?? err}`, { cause: err });
        }
    }
    /** One JSON request; retried while transient for `retryMs` when given. */
    async request(method, path, o = {}) {
        const until = Date.now() + (o.retryMs ?? 0);
        for (let delay = FIRST_RETRY_MS;; delay = Math.min(delay * 2, MAX_RETRY_DELAY_MS)) {
            try {
                return await this.requestOnce(method, path, o);
            }
            catch (err) {
                const wait = Math.max(delay, retryAfterMs(err));
                if (!isTransient(err) || Date.now() + wait > until)
                    throw err;
                await sleep(wait, o.signal);
            }
        }
    }
    async requestOnce(method, path, o) {
        const hasBody = o.body !== undefined;
        const url = this.url(path, o.query);
        const headers = this.headers(hasBody ? { "content-type": "application/json", ...o.headers } : o.headers);
        const body = hasBody ? JSON.stringify(o.body) : undefined;
        // A server that stops answering (a hung proxy, a half-open connection) ends the request as a connection error.
        const limit = o.timeoutMs ?? this.timeoutMs;
        const { status, text, retryAfter } = this.transport
            ? await this.viaTransport(this.transport, method, url, path, headers, body, o.signal, o.retryMs !== undefined, limit)
            : await this.viaFetch(method, url, path, headers, body, o.signal, limit);
        if (status < 200 || status > 299)
            throw apiError(status, text, headerWait(retryAfter));
        return { status, data: (text ? JSON.parse(text) : null) };
    }
    async viaFetch(method, url, path, headers, body, signal, limit) {
        const within = deadline(signal, limit);
        try {
            const res = await this.send(method, url, { headers, body, signal: within.signal });
            try {
                const retryAfter = res.status === 429 || res.status === 503 ? res.headers.get("retry-after") : null;
                return { status: res.status, text: await res.text(), ...(retryAfter === null ? {} : { retryAfter }) };
            }
            catch (err) {
                if (signal?.aborted)
                    throw signal.reason;
                throw cutOff(method, path, err);
            }
        }
        catch (err) {
            if (within.expired())
                throw new SpoolConnectionError(`${method} ${path}: no answer within ${limit} ms`, { cause: err });
            throw err;
        }
        finally {
            within.done();
        }
    }
    async viaTransport(transport, method, url, path, headers, body, signal, resendable, limit) {
        try {
            return await transport(method, url, headers, body, signal, resendable, limit);
        }
        catch (err) {
            // An abort rejects with the signal's reason, which passes on as it is.
            if (!(err instanceof TransportError))
                throw err;
            if (err.timedOut)
                throw new SpoolConnectionError(`${method} ${path}: no answer within ${limit} ms`, { cause: err });
            // The same errors as through fetch: a connection that failed, or an answer cut off.
            throw err.cutOff ? cutOff(method, path, err.cause ?? err) : new SpoolConnectionError(`${method} ${url}: ${err.message}`, { cause: err.cause });
        }
    }
}
/**
 * A signal that aborts with `outer` or once `ms` have passed, whichever comes first; `expired()`
 * tells the second from the first, `met()` stops the clock (`outer` still aborts it), `done()`
 * lets go of both. (AbortSignal.any does the same at ten times the cost under Node, for every
 * request.)
 */
export function deadline(outer, ms) {
    const within = new AbortController();
    const onAbort = () => within.abort(outer.reason);
    if (outer?.aborted)
        within.abort(outer.reason);
    else
        outer?.addEventListener("abort", onAbort, { once: true });
    const timer = setTimeout(() => within.abort(new Error(`no answer within ${ms} ms`)), ms);
    return {
        signal: within.signal,
        expired: () => within.signal.aborted && !outer?.aborted,
        met: () => clearTimeout(timer),
        done: () => {
            clearTimeout(timer);
            outer?.removeEventListener("abort", onAbort);
        },
    };
}
function cutOff(method, path, err) {
    return new SpoolConnectionError(`${method} ${path}: the answer was cut off: ${err?.message ?? err}`, { cause: err });
}
/** The error an answer stands for: spool's `{error: {code, message, details}}`, or the status and the start of the text. */
export function apiError(status, text, retryAfterMs) {
    try {
        const { error } = JSON.parse(text);
        if (error && typeof error.code === "string") {
            const message = typeof error.message === "string" ? error.message : error.code;
            return new SpoolApiError(status, error.code, message, Array.isArray(error.details) ? error.details : [], retryAfterMs);
        }
    }
    catch {
        // Not JSON (a proxy's page): described by its status and text below.
    }
    return new SpoolApiError(status, `http_${status}`, `HTTP ${status}${text ? `: ${text.slice(0, 200)}` : ""}`, [], retryAfterMs);
}
