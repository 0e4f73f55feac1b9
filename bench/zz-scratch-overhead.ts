/**
 * What monitoring costs the queue: in-process end-to-end throughput (enqueue beforehand, then
 * claim + no-op + complete loops) on SQLite, without monitoring (its triggers dropped) and
 * with it (event triggers, aggregates folded by the health task, which runs every second here
 * — 30 times more often than spool:health — and an SSE client reading every event over HTTP).
 * Rounds alternate; medians are printed. `bun bench/monitor-overhead.ts [JOBS] [ROUNDS]`
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { systemClock } from "../src/core/clock.ts";
import { QueueService } from "../src/core/queue-service.ts";
import { EventFeed } from "../src/monitor/event-feed.ts";
import { eventStream } from "../src/monitor/event-stream.ts";
import { Monitor } from "../src/monitor/monitor.ts";
import { SqliteStore } from "../src/store/sqlite/sqlite-store.ts";

const JOBS = Number(process.argv[2] ?? 20_000);
const ROUNDS = Number(process.argv[3] ?? 5);
const CONCURRENCIES = [1, 10];
const MONITOR_TRIGGERS = ["jobs_event_insert", "jobs_event_update", "lanes_event_handon"];
/** Reads the stream at argv[1], says "ready" once connected and prints how many events it got when told to stop. */
const SSE_CLIENT = `
  let n = 0;
  const res = await fetch(process.argv[1]);
  console.log("ready");
  process.on("SIGTERM", () => { console.log(n); process.exit(0); });
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  for (;;) { const { value, done } = await reader.read(); if (done) break; n += (decoder.decode(value).match(/^id: /gm) ?? []).length; }
`;

type Setup = { svc: QueueService; stop: () => Promise<{ eventsStreamed: number }> };

function open(): { store: SqliteStore; svc: QueueService; dir: string } {
  const dir = mkdtempSync(join(tmpdir(), "spool-bench-"));
  const store = new SqliteStore({ path: join(dir, "spool.db") });
  return { store, svc: new QueueService({ store, clock: systemClock }), dir };
}

async function withoutMonitoring(): Promise<Setup> {
  const { store, svc, dir } = open();
  for (const name of MONITOR_TRIGGERS) store.db.exec(`DROP TRIGGER ${name}`);
  return {
    svc,
    stop: async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
      return { eventsStreamed: 0 };
    },
  };
}

async function withMonitoring(): Promise<Setup> {
  const { store, svc, dir } = open();
  const monitor = new Monitor({ store, clock: systemClock, dataDir: dir, channels: [] });
  let ticking: Promise<unknown> = Promise.resolve();
  const health = process.env.NO_HEALTH ? undefined : setInterval(() => {
    ticking = ticking.then(() => monitor.healthTick()).catch((err) => console.error("health:", err));
  }, 1000);
  const feed = new EventFeed(store, systemClock);
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    idleTimeout: 0,
    fetch: () => new Response(eventStream({ store, feed, clock: systemClock, filters: {}, afterId: 0 }), { headers: { "content-type": "text/event-stream" } }),
  });
  if (process.env.NO_SSE) return { svc, stop: async () => { clearInterval(health); await ticking; await store.close(); rmSync(dir, { recursive: true, force: true }); return { eventsStreamed: 0 }; } };
  const client = Bun.spawn([process.execPath, "-e", SSE_CLIENT, `http://127.0.0.1:${server.port}/`], { stdout: "pipe", stderr: "inherit" });
  const output = client.stdout.getReader();
  await output.read();
  return {
    svc,
    stop: async () => {
      clearInterval(health);
      await ticking;
      client.kill("SIGTERM");
      let printed = "";
      for (let chunk = await output.read(); !chunk.done; chunk = await output.read()) printed += new TextDecoder().decode(chunk.value);
      const eventsStreamed = Number(printed.trim().split("\n").at(-1));
      server.stop(true);
      await store.close();
      rmSync(dir, { recursive: true, force: true });
      return { eventsStreamed };
    },
  };
}

async function drain(svc: QueueService, queue: string, concurrency: number): Promise<number> {
  let done = 0;
  const loop = async (w: number) => {
    for (;;) {
      const [job] = await svc.claim({ queue, workerId: `bench-${w}`, max: 1 });
      if (!job) return;
      await svc.complete({ id: job.id, token: job.leaseToken! });
      done++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, (_, w) => loop(w)));
  return done;
}

/** Jobs per second for each concurrency, on one fresh store. */
async function measure(setup: () => Promise<Setup>): Promise<{ rates: number[]; eventsStreamed: number }> {
  const { svc, stop } = await setup();
  const rates: number[] = [];
  for (const c of CONCURRENCIES) {
    const queue = `e2e-c${c}`;
    for (let i = 0; i < JOBS; i += 1000) await svc.enqueueMany(queue, Array.from({ length: Math.min(1000, JOBS - i) }, (_, j) => ({ payload: { n: i + j } })));
    const t0 = performance.now();
    const done = await drain(svc, queue, c);
    if (done !== JOBS) throw new Error(`completed ${done} of ${JOBS}`);
    rates.push((done * 1000) / (performance.now() - t0));
  }
  const { eventsStreamed } = await stop();
  return { rates, eventsStreamed };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const results = { without: [] as number[][], with: [] as number[][] };
let streamed = 0;
for (let round = 0; round < ROUNDS; round++) {
  results.without.push((await measure(withoutMonitoring)).rates);
  const monitored = await measure(withMonitoring);
  results.with.push(monitored.rates);
  streamed = monitored.eventsStreamed;
  console.error(`round ${round + 1}/${ROUNDS}: without ${results.without.at(-1)!.map((r) => r.toFixed(0)).join(" / ")}, with ${monitored.rates.map((r) => r.toFixed(0)).join(" / ")} jobs/s`);
}
console.log(`in-process end-to-end, ${JOBS} jobs per run, median of ${ROUNDS} alternating rounds (jobs/s):`);
CONCURRENCIES.forEach((c, i) => {
  const off = median(results.without.map((r) => r[i]!));
  const on = median(results.with.map((r) => r[i]!));
  console.log(`  concurrency ${String(c).padStart(2)}: without monitoring ${off.toFixed(0).padStart(6)}   with monitoring ${on.toFixed(0).padStart(6)}   (${(((on - off) / off) * 100).toFixed(1)} %)`);
});
console.log(`  the SSE client received ${streamed} events in the last monitored round`);
