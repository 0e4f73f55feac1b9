/** GET /live: tells open dashboards that something changed (the event log moved), so their live regions refresh. */
import type { Hono } from "hono";
import type { ApiDeps, ApiEnv } from "../../api/env.ts";
import { HEARTBEAT_MS } from "../../monitor/event-stream.ts";
import { StreamSlots } from "../../api/stream-slots.ts";
import { dashboardSession } from "../guard.ts";

/** A dashboard needs no more than this: a burst of jobs is one refresh. */
const MIN_GAP_MS = 2000;

export function registerLive(web: Hono<ApiEnv>, deps: ApiDeps): void {
  const { monitor, closing } = deps;
  const slots = new StreamSlots("live dashboard streams", deps.streamsPerToken);
  web.get("/live", dashboardSession(deps), async (c) => {
    const release = slots.take(c.get("principal"));
    (c.env as { timeout?: (req: Request, seconds: number) => void } | undefined)?.timeout?.(c.req.raw, 0);
    const stop = new AbortController();
    const end = () => stop.abort();
    if (closing.aborted) end();
    else closing.addEventListener("abort", end, { once: true });
    let cursor = await monitor.latestEventId();
    const encoder = new TextEncoder();
    let first = true;
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        if (first) {
          first = false;
          return controller.enqueue(encoder.encode("retry: 3000\n\n"));
        }
        try {
          if (stop.signal.aborted) return (controller.close(), release());
          await Bun.sleep(MIN_GAP_MS);
          // The log's newest id: past the cursor, or below it once the log started over (Redis's data lost).
          const latest = await monitor.feed.waitAfter(cursor, HEARTBEAT_MS, stop.signal);
          if (stop.signal.aborted) return (controller.close(), release());
          if (latest === null) return controller.enqueue(encoder.encode(": keepalive\n\n"));
          cursor = latest;
          controller.enqueue(encoder.encode(`event: changed\ndata: ${cursor}\n\n`));
        } catch {
          // Storage went away: the stream ends (the page reconnects) and gives its place back.
          controller.close();
          release();
        }
      },
      cancel() {
        closing.removeEventListener("abort", end);
        stop.abort();
        release();
      },
    });
    return new Response(body, { headers: { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache" } });
  });
}
