/**
 * Crash loop: the real executable is killed with SIGKILL at random moments while producers
 * enqueue (with keys) and workers claim, heartbeat, complete and fail. Every request and answer
 * is recorded; afterwards the record is checked against the store: every acknowledged enqueue
 * is there, no job is handed out again after a 200 complete, lanes never run two jobs at once
 * nor out of order, nothing stays active past its lease, and the database is intact.
 * 20 rounds here, 100 with SPOOL_CHAOS=1; every fifth round runs with --durability full.
 */
import { Database } from "bun:sqlite";
import { afterAll, beforeAll, expect, test } from "bun:test";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { postJson, spawnServe, type ServeProcess } from "../helpers/process.ts";
import { tempDir } from "../helpers/server.ts";
import { seededRng } from "./prng.ts";

const ROUNDS = process.env.SPOOL_CHAOS === "1" ? 100 : 20;
const KEYS = ["k0", "k1", "k2", "k3"];
const LEASE_MS = 1500;
const QUEUE = "crash";

const root = join(import.meta.dir, "../..");
const binDir = tempDir("spool-crash-bin-");
const binary = join(binDir, "spool");
const dataDir = tempDir("spool-crash-loop-");

beforeAll(() => {
  const build = Bun.spawnSync(["bun", "run", "scripts/build.ts", binary], { cwd: root, stdout: "pipe", stderr: "pipe" });
  if (build.exitCode !== 0) throw new Error(`build failed: ${build.stderr.toString()}`);
}, 120_000);
afterAll(() => {
  rmSync(binDir, { recursive: true, force: true });
  rmSync(dataDir, { recursive: true, force: true });
});

type Record = {
  /** Acknowledged enqueues: id → key. */
  acked: Map<string, string | null>;
  /** Jobs whose complete was answered 200. */
  completed: Set<string>;
  /** A job handed out by a claim after a 200 complete: must stay empty. */
  reissued: string[];
  requests: number;
};

/** Producers and workers against one server until `stop` says so; every answer goes into the record. */
async function load(server: ServeProcess, record: Record, random: () => number, stop: () => boolean, round: number): Promise<void> {
  const call = async (path: string, body: unknown) => {
    record.requests++;
    return postJson(server.url + path, body);
  };
  const producer = async (p: number) => {
    for (let i = 0; !stop(); i++) {
      const jobs = Array.from({ length: 1 + Math.floor(random() * 4) }, (_, j) => {
        const key = random() < 0.8 ? KEYS[Math.floor(random() * KEYS.length)]! : undefined;
        return { key, payload: { round, p, i, j }, maxAttempts: 5, backoff: { type: "fixed", delayMs: 0 } };
      });
      const res = await call(`/v1/queues/${QUEUE}/jobs/batch`, { jobs });
      if (res.status === 201) res.body.jobs.forEach((job: any) => record.acked.set(job.id, job.key));
    }
  };
  const worker = async (w: number) => {
    while (!stop()) {
      const res = await call(`/v1/queues/${QUEUE}/claim`, { workerId: `w${w}`, max: 3, leaseMs: LEASE_MS, waitMs: 100 });
      for (const job of res.body.jobs ?? []) {
        if (record.completed.has(job.id)) record.reissued.push(job.id);
        const token = job.lease.token;
        const roll = random();
        if (roll < 0.1) continue; // abandoned: its lease must run out and it runs again
        if (roll < 0.25) await call(`/v1/jobs/${job.id}/heartbeat`, { token, extendMs: LEASE_MS });
        if (roll < 0.4) {
          await call(`/v1/jobs/${job.id}/fail`, { token, error: { message: "flaky", type: "Flaky" } });
          continue;
        }
        const done = await call(`/v1/jobs/${job.id}/complete`, { token, result: { by: w } });
        if (done.status === 200) record.completed.add(job.id);
      }
    }
  };
  // A request cut by the kill rejects; that ends its loop.
  const quiet = (p: Promise<void>) => p.catch(() => {});
  await Promise.all([...[0, 1].map((p) => quiet(producer(p))), ...[0, 1, 2].map((w) => quiet(worker(w)))]);
}

async function get(server: ServeProcess, path: string) {
  const res = await fetch(server.url + path);
  return res.json() as Promise<any>;
}

async function allJobs(server: ServeProcess): Promise<any[]> {
  const jobs: any[] = [];
  let cursor: string | null = null;
  do {
    const page = await get(server, `/v1/jobs?queue=${QUEUE}&limit=500${cursor ? `&cursor=${cursor}` : ""}`);
    jobs.push(...page.jobs);
    cursor = page.nextCursor;
  } while (cursor);
  return jobs;
}

/** No key has two active jobs. */
async function expectOneActivePerLane(server: ServeProcess): Promise<void> {
  const active = (await get(server, `/v1/jobs?queue=${QUEUE}&state=active&limit=500`)).jobs.filter((j: any) => j.key !== null);
  const keys = active.map((j: any) => j.key);
  expect(keys.length).toBe(new Set(keys).size);
}

test(`${ROUNDS} rounds of SIGKILL under load lose nothing acknowledged and break no promise`, async () => {
  const seed = Number(process.env.SPOOL_SEED ?? Date.now() % 1_000_000);
  console.log(`crash loop: seed ${seed} (SPOOL_SEED=${seed} repeats it)`);
  const rng = seededRng(seed);
  const random = () => rng.next();
  const record: Record = { acked: new Map(), completed: new Set(), reissued: [], requests: 0 };
  for (let round = 0; round < ROUNDS; round++) {
    const durability = round % 5 === 4 ? "full" : "normal";
    const server = await spawnServe([binary], ["--data", dataDir, "--durability", durability, "--grace", "0s"]);
    await expectOneActivePerLane(server);
    let stopped = false;
    const running = load(server, record, random, () => stopped, round);
    await Bun.sleep(150 + Math.floor(random() * 450)); // the moment of the crash is the point of the test
    server.proc.kill("SIGKILL");
    await server.proc.exited;
    stopped = true;
    await running;
  }

  // One more start: let every lease run out and every job finish.
  const server = await spawnServe([binary], ["--data", dataDir]);
  try {
    const deadline = performance.now() + 60_000;
    for (;;) {
      const res = await postJson(`${server.url}/v1/queues/${QUEUE}/claim`, { workerId: "drain", max: 50, leaseMs: 10_000, waitMs: 500 });
      for (const job of res.body.jobs) {
        if (record.completed.has(job.id)) record.reissued.push(job.id);
        await postJson(`${server.url}/v1/jobs/${job.id}/complete`, { token: job.lease.token, result: { by: "drain" } });
      }
      const { counts } = await get(server, `/v1/queues/${QUEUE}`);
      if (counts.waiting + counts.delayed + counts.blocked + counts.active === 0) break;
      if (performance.now() > deadline) throw new Error(`not drained: ${JSON.stringify(counts)}`);
    }
    const jobs = await allJobs(server);
    const byId = new Map(jobs.map((j) => [j.id, j]));
    const missing = [...record.acked.keys()].filter((id) => !byId.has(id));
    console.log(`crash loop: ${ROUNDS} rounds, ${record.requests} requests, ${record.acked.size} acknowledged jobs, ${record.completed.size} completions answered 200; missing ${missing.length}, handed out again ${record.reissued.length}`);
    expect(missing).toEqual([]);
    expect(record.reissued).toEqual([]);
    for (const id of record.completed) expect(byId.get(id)?.state).toBe("completed");
    // Lanes in order: a job of a lane started only after the one before it had finished.
    for (const key of KEYS) {
      const lane = jobs.filter((j) => j.key === key).sort((a, b) => Number(a.id) - Number(b.id));
      for (let i = 1; i < lane.length; i++) {
        expect(Date.parse(lane[i].startedAt)).toBeGreaterThanOrEqual(Date.parse(lane[i - 1].finishedAt));
      }
    }
  } finally {
    server.proc.kill("SIGTERM");
    await server.proc.exited;
  }
  const db = new Database(join(dataDir, "spool.db"), { readonly: true });
  expect((db.query("PRAGMA integrity_check").get() as { integrity_check: string }).integrity_check).toBe("ok");
  db.close();
}, 300_000);
