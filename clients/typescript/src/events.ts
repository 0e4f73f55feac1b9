/** Server-sent events from GET /v1/events, and waiting for a job's end over them, resuming with Last-Event-ID after a dropped connection. */
import type { Job } from "./api-types.js";
import { SpoolConnectionError } from "./errors.js";
import { apiError, deadline, isTransient, sleep, type Http } from "./http.js";

/** One message of the stream: `event` is e.g. `job.completed`, `data` its JSON. */
export type SpoolEvent = { id: string | null; event: string; data: any };

export type EventFilters = { queue?: string; key?: string; job?: string };

const FINAL = new Set(["job.completed", "job.failed", "job.cancelled"]);
const FINAL_STATES = new Set(["completed", "failed", "cancelled"]);
const RECONNECT_FIRST_MS = 250;
const RECONNECT_MAX_MS = 5000;
/**
 * spool sends a comment every 15 s on a quiet stream: one silent for this long is dead (a proxy
 * holding it, a connection gone without a word) and is given up as cut off, to be resumed.
 */
export const STREAM_SILENT_MS = 45_000;

export const isFinalState = (state: string) => FINAL_STATES.has(state);

/**
 * Splits a text/event-stream body into messages (the WHATWG rules: id, event, data; comments and
 * retry ignored). A read cut off, or no byte for `silentMs`, throws SpoolConnectionError; once
 * `signal` aborts, its reason is thrown instead.
 */
export async function* parseEventStream(
  body: ReadableStream<Uint8Array>,
  o: { signal?: AbortSignal; silentMs?: number; onEnd?: () => void } = {},
): AsyncGenerator<SpoolEvent> {
  const reader = body.getReader();
  const silentMs = o.silentMs ?? STREAM_SILENT_MS;
  const decoder = new TextDecoder();
  let buffer = "";
  let id: string | null = null;
  let event = "";
  let data: string[] = [];
  try {
    for (;;) {
      let chunk: ReadableStreamReadResult<Uint8Array>;
      let timer: ReturnType<typeof setTimeout> | undefined;
      try {
        const silent = new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`no byte for ${silentMs} ms`)), silentMs);
        });
        chunk = await Promise.race([reader.read(), silent]);
      } catch (err) {
        if (o.signal?.aborted) throw o.signal.reason;
        throw new SpoolConnectionError(`the event stream was cut off: ${(err as Error)?.message ?? err}`, { cause: err });
      } finally {
        clearTimeout(timer);
      }
      const { value, done } = chunk;
      buffer += done ? decoder.decode() : decoder.decode(value, { stream: true });
      const lines = buffer.split(/\r\n|\r|\n/);
      // The last piece may be half a line (or a lone \r before its \n): kept for the next read.
      buffer = done ? "" : lines.pop()!;
      for (const line of lines) {
        if (line === "") {
          if (data.length > 0) yield { id, event: event || "message", data: JSON.parse(data.join("\n")) };
          event = "";
          data = [];
          continue;
        }
        if (line.startsWith(":")) continue;
        const colon = line.indexOf(":");
        const field = colon < 0 ? line : line.slice(0, colon);
        const value = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
        if (field === "id") id = value;
        else if (field === "event") event = value;
        else if (field === "data") data.push(value);
      }
      if (done) return;
    }
  } finally {
    reader.cancel().catch(() => {});
    o.onEnd?.();
  }
}

/** Opens the stream once; `lastEventId` resumes after that message. */
export async function openEventStream(http: Http, filters: EventFilters, o: { lastEventId?: string | null; signal?: AbortSignal }): Promise<AsyncGenerator<SpoolEvent>> {
  const headers = http.headers({ accept: "text/event-stream" });
  if (o.lastEventId) headers["last-event-id"] = o.lastEventId;
  // The stream's head must come within the client's timeout; its body may then stay open for as
  // long as it is not silent (its reads end with the caller's signal, checked by parseEventStream).
  const head = deadline(o.signal, http.timeoutMs);
  let res: Response;
  try {
    res = await http.send("GET", http.url("/v1/events", filters), { headers, signal: head.signal });
    head.met();
  } catch (err) {
    head.done();
    if (head.expired()) throw new SpoolConnectionError(`GET /v1/events: no answer within ${http.timeoutMs} ms`, { cause: err });
    throw err;
  }
  if (!res.ok || !res.body) {
    head.done();
    if (!res.ok) throw apiError(res.status, await res.text().catch(() => ""));
    throw new SpoolConnectionError("GET /v1/events: the answer has no body");
  }
  return parseEventStream(res.body, { signal: o.signal, onEnd: head.done });
}

/**
 * The job once it is completed, failed or cancelled. Follows `GET /v1/events?job=ID` (the
 * server sends a job that already finished at once); after a dropped connection or a server
 * restart it reads the job, then reconnects with Last-Event-ID so no event is missed.
 */
export async function waitForJob(http: Http, id: string, signal?: AbortSignal): Promise<Job> {
  let lastEventId: string | null = null;
  let failures = 0;
  for (let attempt = 0; ; attempt++) {
    try {
      if (attempt > 0) {
        const job = (await http.request<Job>("GET", `/v1/jobs/${encodeURIComponent(id)}`, { signal })).data;
        if (isFinalState(job.state)) return job;
      }
      for await (const message of await openEventStream(http, { job: id }, { lastEventId, signal })) {
        failures = 0;
        if (message.id !== null) lastEventId = message.id;
        if (FINAL.has(message.event)) return (message.data?.job as Job | undefined) ?? (await http.request<Job>("GET", `/v1/jobs/${encodeURIComponent(id)}`, { signal, retryMs: http.retryMs })).data;
      }
      // The stream ended before the job did (the server is shutting down): reconnect.
    } catch (err) {
      if (signal?.aborted) throw signal.reason;
      if (!isTransient(err)) throw err;
    }
    await sleep(Math.min(RECONNECT_FIRST_MS * 2 ** Math.min(failures++, 8), RECONNECT_MAX_MS), signal);
  }
}
