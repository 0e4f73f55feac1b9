/** Events: job state changes and alerts as server-sent events, resumable with Last-Event-ID. */
import { z } from "@hono/zod-openapi";
import { notFound } from "../../core/errors.ts";
import { isFinal, type Job } from "../../core/job.ts";
import type { MonitorEvent } from "../../core/monitor-store.ts";
import { eventStream } from "../../monitor/event-stream.ts";
import type { App, ApiDeps } from "../env.ts";
import { renderJob } from "../../core/job-json.ts";
import { renderEvent } from "../render-monitor.ts";
import { route } from "../route.ts";
import { MAX_STREAMS_PER_TOKEN, StreamSlots } from "../stream-slots.ts";
import { QueueName } from "../schemas/common.ts";

const FINAL_EVENTS = new Set(["job.completed", "job.failed", "job.cancelled"]);

const events = route("read", {
  method: "get",
  path: "/v1/events",
  operationId: "streamEvents",
  tags: ["Monitoring"],
  summary: "Server-sent events: job state changes and alerts",
  description: [
    "Each message has `id` (its place in the event log), `event` (job.enqueued, job.started, job.completed, job.failed, job.retrying, job.cancelled, job.waiting, job.delayed, job.blocked, alert.firing, alert.resolved) and JSON `data`.",
    "A client that reconnects with `Last-Event-ID` (or `?after=`) gets every event after that id that the log still holds, so nothing is missed; without it the stream starts with new events.",
    "With `job=ID`, a job that has already finished is sent at once, and the completed/failed/cancelled event carries the whole job (with its result): a caller can wait for a job's result without polling. That final event ends the stream.",
    "A comment line every 15 s keeps proxies from closing a quiet stream.",
    `One token (with the dashboard sessions it opened) holds at most ${MAX_STREAMS_PER_TOKEN} streams at once; one more is refused with 429 \`too_many_streams\` until one ends.`,
  ].join("\n\n"),
  request: {
    query: z.object({
      queue: QueueName.optional().openapi({ param: { name: "queue", in: "query" } }),
      key: z.string().min(1).max(255).optional(),
      job: z.string().min(1).max(64).optional(),
      after: z.coerce.number().int().min(0).optional().openapi({ description: "Same as the Last-Event-ID header" }),
    }),
    headers: z.object({ "last-event-id": z.string().regex(/^\d{1,15}$/, "must be an event id").optional() }),
  },
  errors: [404],
  responses: { 200: { description: "An event stream", content: { "text/event-stream": { schema: z.string() } } } },
});

/** A job that finished before the client connected, as the event that finished it. */
function finishedAs(job: Job, id: number): MonitorEvent {
  return {
    id, at: job.finishedAt ?? job.createdAt, type: `job.${job.state}` as MonitorEvent["type"], queue: job.queue, key: job.key, jobId: job.id,
    state: job.state, prevState: null, attempt: job.attempts, errorType: job.errors.at(-1)?.type ?? null, durationMs: null, data: null,
  };
}

export function registerEventRoutes(app: App, { store, clock, monitor, closing, streamsPerToken, eventHeartbeatMs }: ApiDeps): void {
  const slots = new StreamSlots("event streams", streamsPerToken);
  app.openapi(events, async (c) => {
    const { queue, key, job, after } = c.req.valid("query");
    const header = c.req.valid("header")["last-event-id"];
    const resumeFrom = header !== undefined ? Number(header) : after;
    const latest = await store.eventsLatestId({ now: clock.now() });
    // An id past the log's end means the log started over (a backup restored, Redis's data lost):
    // the client resumes from its end, or the events it has not seen would wait for the ids to catch up.
    const afterId = resumeFrom === undefined ? latest : Math.min(resumeFrom, latest);
    const initial = [];
    // Following a job that has finished, resumed after its events (a browser reconnecting after
    // the stream ended): the stream ends once it has read what is left, as nothing more can come.
    let finishedBefore = false;
    if (job !== undefined) {
      const current = await store.jobGet({ id: job });
      if (!current) throw notFound(`job ${job}`);
      if (resumeFrom === undefined && isFinal(current.state)) initial.push({ ...finishedAs(current, afterId), extra: { job: renderJob(current) } });
      finishedBefore = resumeFrom !== undefined && isFinal(current.state);
    }
    // Following one job: its final event carries the job itself, result included.
    const enrich = job === undefined ? undefined : async (e: MonitorEvent) => {
      if (!FINAL_EVENTS.has(e.type)) return null;
      const current = await store.jobGet({ id: job });
      return current ? { job: renderJob(current) } : null;
    };
    const release = slots.take(c.get("principal"));
    // A stream stays open for as long as the client listens: no idle time-out for it.
    (c.env as { timeout?: (req: Request, seconds: number) => void } | undefined)?.timeout?.(c.req.raw, 0);
    const body = eventStream({
      store, feed: monitor.feed, clock, filters: { queue, key, jobId: job }, afterId, initial, enrich, closing, heartbeatMs: eventHeartbeatMs,
      // Following one job: its final event is the last one.
      last: job === undefined ? undefined : (e) => FINAL_EVENTS.has(e.type),
      render: (e) => renderEvent(e, e.extra),
      onEnd: release,
      endWhenCaughtUp: finishedBefore,
      // A followed job deleted or purged meanwhile writes no final event: its stream ends at the next heartbeat.
      stillWaiting: job === undefined ? undefined : async () => (await store.jobGet({ id: job })) !== null,
    });
    return new Response(body, {
      headers: { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache", "x-accel-buffering": "no" },
    }) as never;
  });
}
