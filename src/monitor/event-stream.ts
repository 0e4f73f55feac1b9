/** Server-sent events from the event log: resumable by id, filtered, with heartbeat comments. */
import { StorageUnavailable } from "../core/errors.ts";
import type { EventFilters, MonitorEvent } from "../core/monitor-store.ts";
import type { Store } from "../core/store.ts";
import type { EventFeed } from "./event-feed.ts";

/** Proxies close connections that stay silent; a comment line this often keeps them open. */
export const HEARTBEAT_MS = 15_000;
const BATCH = 500;

export type StreamedEvent = MonitorEvent & { extra?: Record<string, unknown> };

export type EventStreamOptions = {
  store: Store;
  feed: EventFeed;
  clock: { now(): number };
  filters: EventFilters;
  /** Stream events after this id (from Last-Event-ID). */
  afterId: number;
  /** Events sent before the log's: e.g. a job's state when it finished before the client connected. */
  initial?: StreamedEvent[];
  /** Fields added to an event as it is sent (e.g. the finished job with its result). */
  enrich?: (event: MonitorEvent) => Promise<Record<string, unknown> | null>;
  heartbeatMs?: number;
  /** Renders an event's data; defaults to the event as JSON. */
  render?: (event: StreamedEvent) => unknown;
  /** Ends the stream (after what is already read) when aborted: the server is shutting down. */
  closing?: AbortSignal;
  /** Ends the stream right after an event for which this is true (e.g. the followed job's final event). */
  last?: (event: StreamedEvent) => boolean;
  /** Called once when the stream has ended, however it ended. */
  onEnd?: () => void;
  /** Ends the stream once it has caught up with the log: nothing it waits for can come any more (a followed job already finished). */
  endWhenCaughtUp?: boolean;
  /**
   * Asked at each heartbeat while nothing comes: whether what the stream waits for can still
   * come (a followed job deleted or purged writes no event; its stream ends instead).
   */
  stillWaiting?: () => Promise<boolean>;
};

const encoder = new TextEncoder();

export function sseMessage(id: number, event: string, data: unknown): string {
  return `id: ${id}\nevent: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

/** A text/event-stream body. It reads the log only as fast as the client takes it. */
export function eventStream(o: EventStreamOptions): ReadableStream<Uint8Array> {
  const heartbeatMs = o.heartbeatMs ?? HEARTBEAT_MS;
  const render = o.render ?? ((e: StreamedEvent) => ({ ...e, ...e.extra, extra: undefined }));
  const stop = new AbortController();
  if (o.closing?.aborted) stop.abort();
  o.closing?.addEventListener("abort", () => stop.abort(), { once: true });
  let cursor = o.afterId;
  // Caught up with the log: the next read waits for the feed rather than chase each new event.
  let caughtUp = false;
  let pending: string[] = ["retry: 1000\n\n", ...(o.initial ?? []).map((e) => sseMessage(e.id, e.type, render(e)))];
  let ended = (o.initial ?? []).some((e) => o.last?.(e) ?? false);

  async function nextChunk(): Promise<string | null> {
    for (;;) {
      if (pending.length > 0) {
        const chunk = pending.join("");
        pending = [];
        return chunk;
      }
      if (stop.signal.aborted || ended) return null;
      if (caughtUp && o.endWhenCaughtUp) return null;
      if (caughtUp) {
        caughtUp = false;
        const latest = await o.feed.waitAfter(cursor, heartbeatMs, stop.signal);
        if (latest === null) {
          if (stop.signal.aborted || (o.stillWaiting && !(await o.stillWaiting()))) return null;
          return ": keepalive\n\n";
        }
        // The log started over (Redis's data lost): all it holds now is new to this client.
        if (latest < cursor) cursor = 0;
      }
      const { events, lastId, atEnd } = await o.store.eventsAfter({ afterId: cursor, filters: o.filters, limit: BATCH, now: o.clock.now() });
      cursor = lastId;
      caughtUp = atEnd;
      for (const e of events) {
        const extra = o.enrich ? await o.enrich(e) : null;
        pending.push(sseMessage(e.id, e.type, render(extra ? { ...e, extra } : e)));
        if (o.last?.(e)) {
          ended = true;
          break;
        }
      }
    }
  }

  const over = () => o.onEnd?.();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const chunk = await nextChunk();
        if (chunk === null) (controller.close(), over());
        else controller.enqueue(encoder.encode(chunk));
      } catch (err) {
        over();
        if (!(err instanceof StorageUnavailable)) return controller.error(err);
        // The store is away (the server says so once in its log): the stream ends with a word
        // why, and the client comes back with Last-Event-ID once it answers again.
        controller.enqueue(encoder.encode(`: ${err.message.replace(/[\r\n]+/g, " ")}\n\n`));
        controller.close();
      }
    },
    cancel() {
      stop.abort();
      over();
    },
  });
}
