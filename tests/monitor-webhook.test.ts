/** The webhook channel against a real receiver on loopback: the JSON it posts, retries with backoff, giving up. */
import { afterEach, describe, expect, test } from "bun:test";
import { rmSync } from "node:fs";
import { join } from "node:path";
import type { Alert } from "../src/core/monitor-store.ts";
import type { AlertChannel } from "../src/monitor/channels/channel.ts";
import { Notifier } from "../src/monitor/channels/notifier.ts";
import { webhookChannel } from "../src/monitor/channels/webhook-channel.ts";
import { spawnServe } from "./helpers/process.ts";
import { monitorConfig } from "../src/monitor/monitor-config.ts";
import { startTestServer, tempDir } from "./helpers/server.ts";
import { waitFor } from "./helpers/wait.ts";

type Received = { at: number; body: any; headers: Headers };

/** A receiver that answers each request with the next status of `script` (the last one repeats); `hangMs` delays an answer. */
function receiver(script: (number | "hang")[]) {
  const received: Received[] = [];
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    async fetch(req) {
      received.push({ at: performance.now(), body: await req.json(), headers: req.headers });
      const step = script[Math.min(received.length - 1, script.length - 1)]!;
      if (step === "hang") await Bun.sleep(300);
      return new Response(step === "hang" ? "late" : "ok", { status: step === "hang" ? 200 : step });
    },
  });
  return { url: `http://127.0.0.1:${server.port}/hook`, received, stop: () => server.stop(true) };
}

const alert: Alert = {
  id: "7", rule: "queue_backlog", subject: "emails", severity: "warning", state: "firing", message: "queue emails has 1500 waiting jobs",
  value: 1500, threshold: 1000, firstSeen: Date.parse("2026-01-05T10:00:00Z"), lastSeen: Date.parse("2026-01-05T10:00:30Z"),
  resolvedAt: null, ackedAt: null, ackedBy: null,
};

const stops: (() => void)[] = [];
afterEach(() => stops.splice(0).forEach((stop) => stop()));

function deliver(channel: AlertChannel, kind: "firing" | "resolved" = "firing") {
  const failures: string[] = [];
  const notifier = new Notifier([channel], (_c, err) => failures.push((err as Error).message));
  notifier.notify([{ kind, alert: kind === "firing" ? alert : { ...alert, state: "resolved", resolvedAt: alert.lastSeen + 30_000 } }]);
  return { failures, idle: () => notifier.idle() };
}

describe("webhook channel", () => {
  test("posts JSON with a Slack-compatible text and the alert", async () => {
    const r = receiver([200]);
    stops.push(r.stop);
    const d = deliver(webhookChannel({ url: r.url, headers: { "x-team": "ops" } }, { attempts: 3, retryDelayMs: 10, timeoutMs: 1000 }));
    await d.idle();
    expect(d.failures).toEqual([]);
    expect(r.received).toHaveLength(1);
    expect(r.received[0]!.headers.get("content-type")).toBe("application/json");
    expect(r.received[0]!.headers.get("x-team")).toBe("ops");
    expect(r.received[0]!.body).toEqual({
      text: "[spool] FIRING warning queue_backlog (emails): queue emails has 1500 waiting jobs",
      event: "alert.firing",
      alert: { ...alert, firstSeen: "2026-01-05T10:00:00.000Z", lastSeen: "2026-01-05T10:00:30.000Z", resolvedAt: null, ackedAt: null },
    });
  });

  test("retries 5xx, 429 and time-outs with doubling delays until one is accepted", async () => {
    const r = receiver([503, 429, "hang", 200]);
    stops.push(r.stop);
    const d = deliver(webhookChannel({ url: r.url }, { attempts: 5, retryDelayMs: 40, timeoutMs: 150 }), "resolved");
    await d.idle();
    expect(d.failures).toEqual([]);
    expect(r.received).toHaveLength(4);
    expect(r.received.every((x) => x.body.event === "alert.resolved" && x.body.text.startsWith("[spool] RESOLVED queue_backlog"))).toBe(true);
    const gaps = r.received.slice(1).map((x, i) => x.at - r.received[i]!.at);
    expect(gaps[0]).toBeGreaterThanOrEqual(40);
    expect(gaps[1]).toBeGreaterThanOrEqual(80);
    // The third answer hung past the 150 ms time-out, then 160 ms of backoff; the gap is read where
    // the requests arrive, so the third's way to the receiver (up to 75 ms on a loaded machine) is not in it.
    expect(gaps[2]).toBeGreaterThanOrEqual(150 + 160 - 75);
  });

  test("gives up after its attempts, or at once on a 4xx that retrying cannot fix", async () => {
    const down = receiver([500]);
    stops.push(down.stop);
    const d1 = deliver(webhookChannel({ url: down.url }, { attempts: 3, retryDelayMs: 5, timeoutMs: 1000 }));
    await d1.idle();
    expect(down.received).toHaveLength(3);
    expect(d1.failures).toEqual([`webhook ${down.url}: answered 500`]);

    const refused = receiver([400]);
    stops.push(refused.stop);
    const d2 = deliver(webhookChannel({ url: refused.url }, { attempts: 3, retryDelayMs: 5, timeoutMs: 1000 }));
    await d2.idle();
    expect(refused.received).toHaveLength(1);
    expect(d2.failures).toEqual([`webhook ${refused.url}: answered 400`]);
  });

  test("an unreachable receiver is retried, then reported", async () => {
    const gone = receiver([200]);
    const url = gone.url;
    gone.stop();
    const d = deliver(webhookChannel({ url }, { attempts: 2, retryDelayMs: 5, timeoutMs: 1000 }));
    await d.idle();
    expect(d.failures).toHaveLength(1);
    expect(d.failures[0]).toStartWith(`webhook ${url}: `);
  });

  test("notices reach a channel in the order they were given", async () => {
    const r = receiver([503, 200]);
    stops.push(r.stop);
    const notifier = new Notifier([webhookChannel({ url: r.url }, { attempts: 3, retryDelayMs: 10, timeoutMs: 1000 })]);
    notifier.notify([{ kind: "firing", alert }]);
    notifier.notify([{ kind: "resolved", alert: { ...alert, state: "resolved", resolvedAt: alert.lastSeen } }]);
    await notifier.idle();
    expect(r.received.map((x) => x.body.event)).toEqual(["alert.firing", "alert.firing", "alert.resolved"]);
  });

  test("spool serve posts its alerts to --alert-webhook, with --alert-thresholds applied", async () => {
    const r = receiver([200]);
    stops.push(r.stop);
    const data = tempDir();
    const serve = await spawnServe([process.execPath, join(import.meta.dir, "../src/main.ts")], [
      "--data", data, "--alert-webhook", r.url, "--alert-thresholds", '{"queueBacklog": 0}',
    ]);
    stops.push(() => {
      serve.proc.kill("SIGKILL");
      rmSync(data, { recursive: true, force: true });
    });
    expect((await fetch(`${serve.url}/v1/queues/hooked/jobs`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" })).status).toBe(201);
    expect((await fetch(`${serve.url}/v1/schedules/spool:health/trigger`, { method: "POST" })).status).toBe(201);
    await waitFor(() => r.received.some((x) => x.body.alert.rule === "queue_backlog"), 10_000, "the backlog alert at the webhook");
    const backlog = r.received.find((x) => x.body.alert.rule === "queue_backlog")!.body;
    expect(backlog).toMatchObject({ event: "alert.firing", alert: { subject: "hooked", threshold: 0, value: 1 } });
    expect(backlog.text).toMatch(/^\[spool\] FIRING warning queue_backlog \(hooked\): queue hooked has 1 waiting job \(more than 0\); the oldest has waited \d+ (ms|s)$/);
  });

  test("a notice still being retried when spool stops is waited for, not dropped", async () => {
    // Refused twice (retried 1 s, then 2 s later), taken the third time.
    const r = receiver([500, 500, 200]);
    stops.push(r.stop);
    const data = tempDir();
    const server = await startTestServer({
      dataDir: data,
      monitor: monitorConfig({ webhooks: [{ url: r.url }], thresholds: { queueBacklog: 0, diskWarningPercent: 99, diskCriticalPercent: 100 } }),
    });
    stops.push(() => rmSync(data, { recursive: true, force: true }));
    await server.call("POST", "/v1/queues/late/jobs", {});
    await server.monitor.healthTick();
    await waitFor(() => r.received.length === 1, 5000, "the first try");
    await server.stop();
    expect(r.received.map((x) => x.body.event)).toEqual(["alert.firing", "alert.firing", "alert.firing"]);
  }, 20_000);

  test("a second signal (hurry) given before the stop reaches the notices still cuts their wait", async () => {
    // A receiver that takes the connection and never answers.
    let connections = 0;
    const silent = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { open: () => void connections++, data() {} } });
    stops.push(() => silent.stop(true));
    const data = tempDir();
    const server = await startTestServer({
      dataDir: data,
      monitor: monitorConfig({
        webhooks: [{ url: `http://127.0.0.1:${silent.port}/hook` }], webhookDelivery: { attempts: 100, retryDelayMs: 1000, timeoutMs: 60_000 },
        thresholds: { queueBacklog: 0, diskWarningPercent: 99, diskCriticalPercent: 100 },
      }),
    });
    stops.push(() => rmSync(data, { recursive: true, force: true }));
    await server.call("POST", "/v1/queues/late/jobs", {});
    await server.monitor.healthTick();
    await waitFor(() => connections === 1, 5000, "the notice on its way");
    server.hurry();
    const stopped = await Promise.race([server.stop().then(() => "stopped"), Bun.sleep(5000).then(() => "still waiting")]);
    expect(stopped).toBe("stopped");
  }, 20_000);
});
