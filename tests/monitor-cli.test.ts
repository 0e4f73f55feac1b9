/** `spool status`, `spool health` and `spool report daily` as real processes against a real server. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { TestClock } from "../src/core/clock.ts";
import { Monitor } from "../src/monitor/monitor.ts";
import { monitorConfig } from "../src/monitor/monitor-config.ts";
import { claim, enqueue } from "./helpers/api.ts";
import { isStackTrace, runCli, type CliRun } from "./helpers/cli.ts";
import { startTestServer, type TestServer } from "./helpers/server.ts";

let server: TestServer;
const clock = new TestClock("2026-01-05T12:00:00Z");

beforeAll(async () => {
  server = await startTestServer({}, clock);
});
afterAll(() => server.close());

const spool = (args: string[]) => runCli(args, { env: { SPOOL_URL: server.url } });

function ok(run: CliRun): string {
  expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: "" });
  return run.stdout;
}

describe("monitoring commands", () => {
  test("spool report daily with no report yet says how to get one", async () => {
    const run = await spool(["report", "daily"]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("no daily report yet");
    expect(isStackTrace(run.stderr)).toBe(false);
  });

  test("spool status: a row per queue and the total, with the last hour's rates; --json gives the stats", async () => {
    for (let i = 0; i < 4; i++) await enqueue(server, "mail");
    for (const job of await claim(server, "mail", { max: 2 })) {
      clock.advance(1500);
      await server.call("POST", `/v1/jobs/${job.id}/complete`, { token: job.lease.token });
    }
    const out = ok(await spool(["status"]));
    const lines = out.trim().split("\n");
    expect(lines[0]!.split(/\s{2,}/)).toEqual(["QUEUE", "WAITING", "DELAYED", "BLOCKED", "ACTIVE", "COMPLETED", "FAILED", "CANCELLED", "DONE/MIN", "FAILED %", "P95 RUN", "AVG WAIT"]);
    const mail = lines.find((l) => l.startsWith("mail "))!.trim().split(/\s+/);
    expect(mail.slice(0, 10)).toEqual(["mail", "2", "0", "0", "0", "2", "0", "0", "0.03", "0%"]);
    expect(lines.at(-1)).toStartWith("(your queues)");
    const json = JSON.parse(ok(await spool(["status", "--json"])));
    expect(json.queues.find((q: any) => q.queue === "mail").lastHour).toMatchObject({ completed: 2, runTime: { avgMs: 2250 } });
  });

  test("spool health: score, checks and firing alerts; exit code 1 when unhealthy", async () => {
    const healthy = ok(await spool(["health"]));
    expect(healthy).toMatch(/^score\s+100 \(healthy\)$/m);
    expect(healthy).toMatch(/^store\s+ok: sqlite store reachable$/m);
    expect(healthy).toContain("no alerts firing");
    // Thresholds low enough that waiting jobs in two queues nobody works make spool unhealthy.
    await enqueue(server, "nobody");
    clock.advance(1);
    const strict = monitorConfig({ thresholds: { queueBacklog: 0, workerDownMs: 0, diskWarningPercent: 100, diskCriticalPercent: 100 } });
    await new Monitor({ store: server.store, clock, dataDir: null, channels: [], config: strict }).healthTick();
    const run = await spool(["health"]);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^score\s+0 \(unhealthy\)$/m);
    expect(run.stdout).toMatch(/^\d+\s+error\s+worker_down\s+2026-01-05T12:00:03.001Z\s+queue nobody has runnable jobs/m);
    const json = JSON.parse((await spool(["health", "--json"])).stdout);
    expect(json.alerts.map((a: any) => `${a.rule} ${a.subject}`).sort()).toEqual(["queue_backlog mail", "queue_backlog nobody", "worker_down mail", "worker_down nobody"]);
  });

  test("spool report daily [DATE]: the latest stored report or one day's, readable or JSON", async () => {
    clock.set("2026-01-06T02:00:00Z");
    await server.monitor.dailyReport({ timezone: "UTC" });
    const out = ok(await spool(["report", "daily"]));
    expect(out).toStartWith("daily report 2026-01-05 (UTC), made 2026-01-06T02:00:00.000Z");
    expect(out).toMatch(/^completed\s+2 \(100%\)$/m);
    expect(out).toMatch(/^mail\s+4\s+2\s+0\s+0%\s+2\.3s\s+4\.8s$/m);
    expect(out).toMatch(/^2026-01-05\s+2\s+0\s+0%\s+2\.3s$/m);
    expect(out).toMatch(/^12:00  #{40}  2$/m);
    const json = JSON.parse(ok(await spool(["report", "daily", "2026-01-05", "--json"])));
    expect(json).toMatchObject({ date: "2026-01-05", totals: { completed: 2, enqueued: 5 } });
    const missing = await spool(["report", "daily", "2026-01-01"]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("not_found");
  });
});
