/** Server-sent events from GET /v1/events, and waiting for a job's end over them, resuming with Last-Event-ID after a dropped connection. */
import type { Job } from "./api-types.js";
import { type Http } from "./http.js";
/** One message of the stream: `event` is e.g. `job.completed`, `data` its JSON. */
export type SpoolEvent = {
    id: string | null;
    event: string;
    data: any;
};
export type EventFilters = {
    queue?: string;
    key?: string;
    job?: string;
};
/**
 * spool sends a comment every 15 s on a quiet stream: one silent for this long is dead (a proxy
 * holding it, a connection gone without a word) and is given up as cut off, to be resumed.
 */
export declare const STREAM_SILENT_MS = 45000;
export declare const isFinalState: (state: string) => boolean;
/**
 * Splits a text/event-stream body into messages (the WHATWG rules: id, event, data; comments and
 * retry ignored). A read cut off, or no byte for `silentMs`, throws SpoolConnectionError; once
 * `signal` aborts, its reason is thrown instead.
 */
export declare function parseEventStream(body: ReadableStream<Uint8Array>, o?: {
    signal?: AbortSignal;
    silentMs?: number;
    onEnd?: () => void;
}): AsyncGenerator<SpoolEvent>;
/** Opens the stream once; `lastEventId` resumes after that message. */
export declare function openEventStream(http: Http, filters: EventFilters, o: {
    lastEventId?: string | null;
    signal?: AbortSignal;
}): Promise<AsyncGenerator<SpoolEvent>>;
/**
 * The job once it is completed, failed or cancelled. Follows `GET /v1/events?job=ID` (the
 * server sends a job that already finished at once); after a dropped connection or a server
 * restart it reads the job, then reconnects with Last-Event-ID so no event is missed.
 */
export declare function waitForJob(http: Http, id: string, signal?: AbortSignal): Promise<Job>;
