/** GET /v1/events against a real server: filters, hanging up and resuming with Last-Event-ID, waiting for a job's result, heartbeats. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { TestClock } from "../src/core/clock.ts";
import { EventFeed } from "../src/monitor/event-feed.ts";
import { eventStream } from "../src/monitor/event-stream.ts";
import { claim, enqueue } from "./helpers/api.ts";
import { MonitorWorld } from "./helpers/monitor-world.ts";
import { startTestServer, type TestServer } from "./helpers/server.ts";
import { SseClient } from "./helpers/sse.ts";

let server: TestServer;
const clients: SseClient[] = [];

beforeAll(async () => {
  server = await startTestServer({}, new TestClock("2026-01-05T10:00:00Z"));
});
afterAll(async () => {
  clients.forEach((c) => c.close());
  await server.close();
});

async function listen(query: string, headers: Record<string, string> = {}): Promise<SseClient> {
  const client = await new SseClient(`${server.url}/v1/events${query}`, headers).open();
  clients.push(client);
  expect(client.status).toBe(200);
  return client;
}

describe("GET /v1/events", () => {
  test("a client that hangs up and resumes with Last-Event-ID misses nothing", async () => {
    const client = await listen("?queue=resume");
    expect(client.headers!.get("content-type")).toStartWith("text/event-stream");
    const first = await enqueue(server, "resume");
    const second = await enqueue(server, "resume");
    await enqueue(server, "elsewhere");
    const seen = await client.take(2);
    expect(seen.map((m) => [m.event, m.data.jobId])).toEqual([["job.enqueued", first.id], ["job.enqueued", second.id]]);
    expect(seen[1]!.data).toMatchObject({ queue: "resume", state: "waiting", at: "2026-01-05T10:00:00.000Z", id: Number(seen[1]!.id) });
    client.close();

    // While nobody listens: more jobs, one runs to the end.
    const third = await enqueue(server, "resume", { payload: { n: 3 } });
    const [job] = await claim(server, "resume");
    expect((await server.call("POST", `/v1/jobs/${job.id}/complete`, { token: job.lease.token, result: { ok: true } })).status).toBe(200);

    const resumed = await listen("?queue=resume", { "last-event-id": seen[1]!.id! });
    const missed = await resumed.take(3);
    expect(missed.map((m) => [m.event, m.data.jobId])).toEqual([
      ["job.enqueued", third.id],
      ["job.started", first.id],
      ["job.completed", first.id],
    ]);
    // The same as the log holds for the queue after that id: nothing skipped, nothing repeated.
    const log = await server.store.eventsAfter({ afterId: Number(seen[1]!.id), filters: { queue: "resume" }, limit: 100, now: 0 });
    expect(missed.map((m) => Number(m.id))).toEqual(log.events.map((e) => e.id));
    // And the stream goes on live.
    const fourth = await enqueue(server, "resume");
    expect((await resumed.next()).data.jobId).toBe(fourth.id);
    resumed.close();

    // ?after= resumes the same way (for clients that cannot set headers).
    const again = await listen(`?queue=resume&after=${seen[1]!.id}`);
    expect((await again.take(4)).map((m) => m.data.jobId)).toEqual([third.id, first.id, first.id, fourth.id]);
    again.close();
  });

  test("a Last-Event-ID past the log's end (a backup restored, Redis's data lost) resumes from the end: new events still come", async () => {
    const client = await listen("?queue=restored", { "last-event-id": "999999999" });
    const job = await enqueue(server, "restored");
    const [message] = await client.take(1);
    expect([message!.event, message!.data.jobId]).toEqual(["job.enqueued", job.id]);
  });

  test("a stream following a job that is purged ends at its next heartbeat: no final event will come", async () => {
    const quick = await startTestServer({ eventHeartbeatMs: 100 });
    try {
      const job = (await enqueue(quick, "gone")) as { id: string };
      const following = await new SseClient(`${quick.url}/v1/events?job=${job.id}`).open();
      clients.push(following);
      expect((await quick.call("POST", "/v1/queues/gone/purge?state=waiting")).body).toEqual({ deleted: 1 });
      await expect(following.next()).rejects.toThrow("the stream ended");
    } finally {
      await quick.close();
    }
  });

  test("filters by key and by job", async () => {
    const byKey = await listen("?queue=keyed&key=order-7");
    await enqueue(server, "keyed", { key: "order-8" });
    const mine = await enqueue(server, "keyed", { key: "order-7" });
    const msg = await byKey.next();
    expect([msg.event, msg.data.jobId, msg.data.key]).toEqual(["job.enqueued", mine.id, "order-7"]);
    byKey.close();
  });

  test("a caller waits for one job's result without polling", async () => {
    const job = await enqueue(server, "results", { payload: { x: 1 } });
    const waiting = await listen(`?job=${job.id}`);
    const [claimed] = await claim(server, "results");
    await server.call("POST", `/v1/jobs/${claimed.id}/complete`, { token: claimed.lease.token, result: { sum: 42 } });
    const started = await waiting.next();
    expect(started.event).toBe("job.started");
    expect(started.data.job).toBeUndefined();
    const done = await waiting.next();
    expect(done.event).toBe("job.completed");
    expect(done.data.job).toMatchObject({ id: job.id, state: "completed", result: { sum: 42 } });
    // The job's final event ends its stream.
    await expect(waiting.next()).rejects.toThrow("the stream ended");

    // A job that finished before the caller connected is answered at once, and the stream ends.
    const late = await listen(`?job=${job.id}`);
    const answer = await late.next();
    expect(answer.event).toBe("job.completed");
    expect(answer.data.job.result).toEqual({ sum: 42 });
    await expect(late.next()).rejects.toThrow("the stream ended");

    // A client that reconnects with the id of the job's final event (as a browser does once the
    // stream ended) finds nothing more to come: the stream ends instead of waiting for ever.
    const resumed = await listen(`?job=${job.id}`, { "last-event-id": done.id! });
    await expect(resumed.next(2000)).rejects.toThrow("the stream ended");
    // Resumed from before its final event, it gets that event, then ends.
    const earlier = await listen(`?job=${job.id}`, { "last-event-id": started.id! });
    expect((await earlier.next()).event).toBe("job.completed");
    await expect(earlier.next(2000)).rejects.toThrow("the stream ended");

    expect((await server.call("GET", "/v1/events?job=999999")).status).toBe(404);
    expect((await server.call("GET", "/v1/events", undefined, { "last-event-id": "abc" })).status).toBe(400);
  });

  test("alerts are streamed too", async () => {
    const client = await listen("?queue=alerting");
    await server.store.alertUpsert({ rule: "queue_backlog", subject: "alerting", severity: "warning", message: "m", value: 1, threshold: 0, now: 1 });
    await server.store.eventAppend({ type: "alert.firing", queue: "alerting", data: (await server.store.alertsList({ state: "firing", limit: 1, now: 1 }))[0], now: 1 });
    const msg = await client.next();
    expect(msg.event).toBe("alert.firing");
    expect(msg.data.alert).toMatchObject({ rule: "queue_backlog", subject: "alerting", firstSeen: "1970-01-01T00:00:00.001Z" });
    client.close();
  });
});

describe("event stream", () => {
  test("sends a comment when nothing happens, so proxies keep the connection", async () => {
    const world = new MonitorWorld();
    try {
      const stream = eventStream({
        store: world.store, feed: new EventFeed(world.store, world.clock, 5), clock: world.clock, filters: {}, afterId: 0, heartbeatMs: 30,
      });
      const reader = stream.getReader();
      const text = async () => new TextDecoder().decode((await reader.read()).value);
      expect(await text()).toBe("retry: 1000\n\n");
      expect(await text()).toBe(": keepalive\n\n");
      const job = await world.enqueue("q");
      expect(await text()).toStartWith(`id: 1\nevent: job.enqueued\ndata: {"id":1,`);
      expect(await text()).toBe(": keepalive\n\n");
      await reader.cancel();
      expect(job.id).toBe("1");
    } finally {
      await world.close();
    }
  });
});

describe("open streams per token", () => {
  test("a token holds at most its limit of open streams; one that ends gives its place back", async () => {
    const limited = await startTestServer({ streamsPerToken: 2 });
    const open: SseClient[] = [];
    try {
      const stream = async (path: string) => {
        const client = await new SseClient(`${limited.url}${path}`).open();
        open.push(client);
        return client;
      };
      const job = (await enqueue(limited, "q")) as { id: string };
      const following = await stream(`/v1/events?job=${job.id}`);
      const other = await stream("/v1/events?queue=q");
      expect([following.status, other.status]).toEqual([200, 200]);
      const refused = await fetch(`${limited.url}/v1/events`);
      expect(refused.status).toBe(429);
      expect(refused.headers.get("retry-after")).toBe("1");
      expect((await refused.json()).error).toMatchObject({ code: "too_many_streams" });
      // The followed job finishes: its stream ends by itself and frees its place.
      const [claimed] = await claim(limited, "q");
      await limited.call("POST", `/v1/jobs/${claimed!.id}/complete`, { token: claimed!.lease.token });
      expect((await following.take(2)).map((m) => m.event)).toEqual(["job.started", "job.completed"]);
      const placeBack = async () => {
        for (let i = 0; i < 50; i++) {
          const client = await new SseClient(`${limited.url}/v1/events`).open();
          if (client.status === 200) return open.push(client), true;
          client.close();
          await Bun.sleep(50);
        }
        return false;
      };
      expect(await placeBack()).toBe(true);
      // A client that hangs up frees its place too.
      expect((await fetch(`${limited.url}/v1/events`)).status).toBe(429);
      other.close();
      expect(await placeBack()).toBe(true);
      // The dashboard's /live streams count apart from these, under the same limit.
      const live = [await stream("/live"), await stream("/live")];
      expect(live.map((c) => c.status)).toEqual([200, 200]);
      expect((await fetch(`${limited.url}/live`)).status).toBe(429);
    } finally {
      open.forEach((c) => c.close());
      await limited.close();
    }
  });
});
