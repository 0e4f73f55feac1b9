/** SIGTERM to a real `spool serve` process with jobs in flight: nothing lost, nothing run twice after a completion. */
import { afterEach, beforeEach, expect, test } from "bun:test";
import { existsSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { postJson, spawnServe, type ServeProcess } from "./helpers/process.ts";
import { tempDir } from "./helpers/server.ts";
import { waitFor } from "./helpers/wait.ts";

const MAIN = join(import.meta.dir, "../src/main.ts");

let dir: string;
let running: ServeProcess[] = [];

beforeEach(() => {
  dir = tempDir("spool-shutdown-");
  // In-process handlers: each run is logged, so a job run twice would show.
  writeFileSync(
    join(dir, "jobs.ts"),
    `import { appendFileSync } from "node:fs";
const log = (line: string) => appendFileSync(${JSON.stringify(join(dir, "runs.log"))}, line + "\\n");
export const handlers = {
  inproc: {
    concurrency: 2,
    handler: async (job: any) => {
      log("start " + job.id);
      await Bun.sleep(job.payload.ms);
      log("end " + job.id);
      return { ran: job.id };
    },
  },
  stuck: async (job: any) => {
    log("start " + job.id);
    // The first attempt outlasts any grace period; the next one is quick.
    if (job.attempts === 1) await Bun.sleep(60_000);
    return { attempt: job.attempts };
  },
};
`,
  );
});

afterEach(async () => {
  for (const s of running) s.proc.kill("SIGKILL");
  await Promise.all(running.map((s) => s.proc.exited));
  running = [];
  rmSync(dir, { recursive: true, force: true });
});

async function serve(grace: string): Promise<ServeProcess> {
  const s = await spawnServe([process.execPath, MAIN], ["--data", join(dir, "data"), "--handlers", join(dir, "jobs.ts"), "--grace", grace]);
  running.push(s);
  return s;
}

const get = async (url: string, path: string) => (await (await fetch(url + path)).json()) as any;

const runs = () => (existsSync(join(dir, "runs.log")) ? readFileSync(join(dir, "runs.log"), "utf8").trim().split("\n") : []);

test("SIGTERM: in-process jobs finish, HTTP workers complete what they hold, long polls answer empty; after a restart every job ran once", async () => {
  const first = await serve("10s");
  const inproc = (await postJson(`${first.url}/v1/queues/inproc/jobs/batch`, { jobs: Array.from({ length: 6 }, (_, i) => ({ payload: { ms: 200 + i } })) })).body.jobs;
  const http = (await postJson(`${first.url}/v1/queues/http/jobs/batch`, { jobs: Array.from({ length: 6 }, (_, i) => ({ payload: i })) })).body.jobs;
  await waitFor(() => runs().filter((l) => l.startsWith("start")).length >= 2, 10_000, "two in-process jobs to start");

  // An HTTP worker holds three jobs, and another waits in a long poll on an empty queue.
  const held = (await postJson(`${first.url}/v1/queues/http/claim`, { workerId: "http-1", max: 3, leaseMs: 60_000 })).body.jobs;
  expect(held).toHaveLength(3);
  const longPoll = postJson(`${first.url}/v1/queues/idle/claim`, { workerId: "http-2", waitMs: 30_000 });
  await waitFor(async () => (await get(first.url, "/v1/workers")).workers.some((w: any) => w.id === "http-2"), 5000, "the long poll to be open");

  first.proc.kill("SIGTERM");
  // Answered (its 30 s are far from up) rather than cut when the process exits.
  const answered = await longPoll;
  expect(answered).toEqual({ status: 200, body: { jobs: [] } });
  // While the grace period lasts, claims get nothing, and what the worker holds can still be completed.
  expect((await postJson(`${first.url}/v1/queues/http/claim`, { workerId: "http-1", max: 3 })).body.jobs).toEqual([]);
  for (const job of held) {
    expect((await postJson(`${first.url}/v1/jobs/${job.id}/complete`, { token: job.lease.token, result: "by http-1" })).status).toBe(200);
  }
  expect(await first.proc.exited).toBe(0);
  expect(first.output()).toContain("SIGTERM received");
  // The database was checkpointed: nothing is left in the write-ahead log.
  const wal = join(dir, "data", "spool.db-wal");
  expect(!existsSync(wal) || statSync(wal).size === 0).toBe(true);
  const startedBeforeStop = runs().filter((l) => l.startsWith("start")).length;
  expect(runs().filter((l) => l.startsWith("end"))).toHaveLength(startedBeforeStop);

  const second = await serve("10s");
  for (const job of inproc) {
    await waitFor(async () => (await get(second.url, `/v1/jobs/${job.id}`)).state === "completed", 10_000, `in-process job ${job.id}`);
  }
  const rest = (await postJson(`${second.url}/v1/queues/http/claim`, { workerId: "http-3", max: 10 })).body.jobs;
  expect(rest.map((j: any) => j.id).sort()).toEqual(http.filter((j: any) => !held.some((h: any) => h.id === j.id)).map((j: any) => j.id).sort());
  for (const job of held) expect(await get(second.url, `/v1/jobs/${job.id}`)).toMatchObject({ state: "completed", attempts: 1, result: "by http-1" });
  for (const job of inproc) {
    expect(runs().filter((l) => l === `start ${job.id}`)).toHaveLength(1);
    expect(await get(second.url, `/v1/jobs/${job.id}`)).toMatchObject({ attempts: 1, result: { ran: job.id } });
  }
});

test("past the grace period a running in-process job is given back, and runs again after the restart, even on its last attempt", async () => {
  const first = await serve("300ms");
  const job = (await postJson(`${first.url}/v1/queues/stuck/jobs`, { payload: {}, maxAttempts: 1 })).body;
  await waitFor(() => runs().includes(`start ${job.id}`), 10_000, "the job to start");
  first.proc.kill("SIGTERM");
  expect(await first.proc.exited).toBe(0);

  const second = await serve("300ms");
  await waitFor(async () => (await get(second.url, `/v1/jobs/${job.id}`)).state === "completed", 10_000, "the job to run again");
  const done = await get(second.url, `/v1/jobs/${job.id}`);
  expect(done).toMatchObject({ attempts: 2, result: { attempt: 2 } });
  expect(done.errors).toHaveLength(1);
  expect(done.errors[0]).toMatchObject({ attempt: 1, type: "shutdown" });
});

test("a second SIGTERM cuts the grace period short: the running job is given back, no HTTP worker is waited for", async () => {
  const first = await serve("60s");
  const stuck = (await postJson(`${first.url}/v1/queues/stuck/jobs`, { payload: {} })).body;
  await postJson(`${first.url}/v1/queues/http/jobs`, { payload: {} });
  await waitFor(() => runs().includes(`start ${stuck.id}`), 10_000, "the job to start");
  const held = (await postJson(`${first.url}/v1/queues/http/claim`, { workerId: "http-1", leaseMs: 60_000 })).body.jobs;
  expect(held).toHaveLength(1);
  first.proc.kill("SIGTERM");
  await waitFor(() => first.output().includes("send it again to stop now"), 5000, "the first signal to be taken");
  const t0 = performance.now();
  first.proc.kill("SIGTERM");
  expect(await first.proc.exited).toBe(0);
  // Well inside the 60 s of grace that neither job would have left unused.
  expect(performance.now() - t0).toBeLessThan(15_000);
  expect(first.output()).toContain("SIGTERM received again");

  const second = await serve("1s");
  await waitFor(async () => (await get(second.url, `/v1/jobs/${stuck.id}`)).state === "completed", 10_000, "the job to run again");
  expect(await get(second.url, `/v1/jobs/${stuck.id}`)).toMatchObject({ attempts: 2, result: { attempt: 2 } });
  // The HTTP worker's job stays leased to it until its lease ends.
  expect(await get(second.url, `/v1/jobs/${held[0].id}`)).toMatchObject({ state: "active", workerId: "http-1" });
});

test("SIGTERM with open event streams: the streams end and the process exits", async () => {
  const s = await serve("1s");
  const streams = await Promise.all([fetch(`${s.url}/v1/events`), fetch(`${s.url}/v1/events?queue=q`)]);
  const bodies = streams.map((res) => res.text());
  // A stream that is connected but never read from must not hold the shutdown either.
  const unread = await fetch(`${s.url}/v1/events`);
  expect(unread.status).toBe(200);
  s.proc.kill("SIGTERM");
  expect(await s.proc.exited).toBe(0);
  for (const body of await Promise.all(bodies)) expect(body).toStartWith("retry: 1000");
});
