/** What http.ts needs of a way to send JSON requests other than fetch (socket-transport.ts). */
/** The answer to one request: its status and its whole body as text, and a 429's or 503's Retry-After header. */
export type Answer = {
    status: number;
    text: string;
    retryAfter?: string;
};
/**
 * One request; it rejects with the signal's reason once aborted, or with a TransportError (one
 * whose `timedOut` is set when no whole answer came within `timeoutMs`).
 * `resendable`: the request is safe to send twice, so a kept-alive socket found closed as it went
 * out may carry it again on a new one; any other request then fails, as it may have arrived.
 */
export type Transport = (method: string, url: string, headers: Record<string, string>, body: string | undefined, signal: AbortSignal | undefined, resendable: boolean, timeoutMs: number) => Promise<Answer>;
/** Why a request got no whole answer: the connection failed before one came, or the answer broke off (`cutOff`); `cause` is the runtime's error. */
export declare class TransportError extends Error {
    readonly cutOff: boolean;
    /** No whole answer came within the request's time. */
    readonly timedOut: boolean;
    constructor(message: string, cutOff: boolean, options?: {
        cause?: unknown;
    }, 
    /** No whole answer came within the request's time. */
    timedOut?: boolean);
}
