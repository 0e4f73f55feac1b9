/**
 * JSON requests over node:https (and node:http) with keep-alive connections, where the client
 * runs under Node and talks to an https: URL (an http: URL goes over sockets of the client's
 * own, socket-transport.ts, cheaper still). Node's fetch costs about 2.5 times the CPU of the
 * same request made with node:http (measured: 500–650 µs against 250 µs for a claim answered
 * with ten jobs), which made a busy worker's own process its bottleneck. Elsewhere (Bun, Deno,
 * browsers) requests go through fetch. Also the transports' shared types.
 */
/** The answer to one request: its status and its whole body as text. */
export type Answer = {
    status: number;
    text: string;
};
/** One request; it rejects with the signal's reason once aborted, or with a TransportError. */
export type Transport = (method: string, url: string, headers: Record<string, string>, body: string | undefined, signal: AbortSignal | undefined) => Promise<Answer>;
/** Why a request got no whole answer: the connection failed before one came, or the answer broke off (`cutOff`); `cause` is Node's error. */
export declare class TransportError extends Error {
    readonly cutOff: boolean;
    constructor(message: string, cutOff: boolean, options?: {
        cause?: unknown;
    });
}
/** A transport on node:http where this is Node (not Bun or Deno, whose fetch is their own); null elsewhere. */
export declare function nodeTransport(): Transport | null;
