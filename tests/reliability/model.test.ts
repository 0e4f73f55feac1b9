/**
 * Model-based: random sequences of enqueue, claim, heartbeat, complete, fail, lease expiry,
 * cancel, retry and restart run against the real SQLite store under a test clock, and after
 * every step the store is compared with a small model: every job is there, counters match the
 * jobs, a lane has one runnable head and the rest blocked, attempts stay within their limit,
 * states move only as the transitions table allows, a completion is final, a held lease is
 * honoured and an expired one refused, and a restart changes nothing.
 */
import { expect, test } from "bun:test";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { TestClock } from "../../src/core/clock.ts";
import { SpoolError } from "../../src/core/errors.ts";
import { TRANSITIONS, type Job, type JobState } from "../../src/core/job.ts";
import { QueueService } from "../../src/core/queue-service.ts";
import { SqliteStore } from "../../src/store/sqlite/sqlite-store.ts";
import { tempDir } from "../helpers/server.ts";
import { seededRng } from "./prng.ts";

const SEQUENCES = process.env.SPOOL_CHAOS === "1" ? 400 : 60;
const STEPS = 60;
const QUEUES = ["q0", "q1"];
const KEYS = ["k0", "k1", undefined];
const LEASE_MS = 10_000;

type Held = { id: string; token: string };

/** Every state reachable from `from` in at most two moves (one operation can pass through one more, e.g. a due delayed job claimed). */
function reachable(from: JobState): Set<JobState> {
  const out = new Set<JobState>([from]);
  for (const a of TRANSITIONS[from]) {
    out.add(a);
    for (const b of TRANSITIONS[a]) out.add(b);
  }
  return out;
}

async function everyJob(svc: QueueService): Promise<Map<string, Job>> {
  const jobs = new Map<string, Job>();
  let cursor: string | undefined;
  do {
    const page = await svc.listJobs({ limit: 500, cursor });
    for (const job of page.jobs) jobs.set(job.id, job);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return jobs;
}

/** Refusals the model expects (a lost lease, a job no longer in the right state) are fine; anything else fails the test. */
async function expected<T>(p: Promise<T>): Promise<T | SpoolError> {
  try {
    return await p;
  } catch (err) {
    if (err instanceof SpoolError && err.status === 409) return err;
    throw err;
  }
}

async function runSequence(seed: number): Promise<void> {
  const rng = seededRng(seed);
  const random = () => rng.next();
  const pick = <T>(list: readonly T[]): T => rng.pick(list);
  const dir = tempDir("spool-model-");
  const clock = new TestClock("2026-05-01T00:00:00Z");
  const path = join(dir, "spool.db");
  let store = new SqliteStore({ path });
  let svc = new QueueService({ store, clock, random });
  const enqueued = new Set<string>();
  let held: Held[] = [];
  let stale: Held[] = [];
  let last = new Map<string, Job>();
  const completed = new Set<string>();
  const context = (step: number, op: string) => `seed ${seed}, step ${step} (${op})`;

  try {
    for (let step = 0; step < STEPS; step++) {
      const roll = random();
      let op = "";
      if (roll < 0.3) {
        op = "enqueue";
        const key = pick(KEYS);
        const { job } = await svc.enqueue(pick(QUEUES), { key, maxAttempts: 1 + Math.floor(random() * 3), backoff: { type: "fixed", delayMs: 0 } });
        enqueued.add(job.id);
      } else if (roll < 0.5) {
        op = "claim";
        const jobs = await svc.claim({ queue: pick(QUEUES), workerId: "w", max: 1 + Math.floor(random() * 3), leaseMs: LEASE_MS });
        for (const job of jobs) {
          expect({ at: context(step, op), id: job.id, was: last.get(job.id)?.state ?? "new" }).not.toMatchObject({ was: "blocked" });
          held.push({ id: job.id, token: job.leaseToken! });
        }
      } else if (roll < 0.62 && held.length) {
        op = "complete";
        const h = held.splice(Math.floor(random() * held.length), 1)[0]!;
        const done = await svc.complete(h);
        expect(done.state).toBe("completed");
        completed.add(h.id);
      } else if (roll < 0.72 && held.length) {
        op = "fail";
        const h = held.splice(Math.floor(random() * held.length), 1)[0]!;
        const retry = random() < 0.7;
        const before = last.get(h.id);
        const failed = await svc.fail({ ...h, error: { message: "boom", type: "Boom" }, retry });
        const attempts = failed.attempts;
        const expectFinal = !retry || attempts >= failed.maxAttempts;
        expect({ at: context(step, op), final: failed.state === "failed" }).toEqual({ at: context(step, op), final: expectFinal });
        expect(before === undefined || attempts >= before.attempts).toBe(true);
      } else if (roll < 0.77 && held.length) {
        op = "heartbeat";
        const h = pick(held);
        expect((await svc.heartbeat({ ...h, extendMs: LEASE_MS })).state).toBe("active");
      } else if (roll < 0.82) {
        op = "expire";
        clock.advance(LEASE_MS + 1);
        await svc.reapExpiredLeases();
        stale.push(...held);
        held = [];
      } else if (roll < 0.88) {
        op = "cancel";
        const unfinished = [...last.values()].filter((j) => !["completed", "failed", "cancelled"].includes(j.state));
        if (unfinished.length) {
          const job = pick(unfinished);
          await expected(svc.cancel(job.id, true));
          held = held.filter((h) => h.id !== job.id);
        }
      } else if (roll < 0.94) {
        op = "retry";
        const ended = [...last.values()].filter((j) => j.state === "failed" || j.state === "cancelled");
        if (ended.length) await expected(svc.retry(pick(ended).id, random() < 0.5));
      } else {
        op = "restart";
        await svc.stop();
        await store.close();
        store = new SqliteStore({ path });
        svc = new QueueService({ store, clock, random });
        const after = await everyJob(svc);
        for (const [id, job] of last) {
          expect({ at: context(step, op), id, state: after.get(id)?.state, attempts: after.get(id)?.attempts }).toEqual({ at: context(step, op), id, state: job.state, attempts: job.attempts });
        }
      }
      // A lease that ran out is refused, whatever happened since.
      if (stale.length && random() < 0.3) {
        const s = stale.pop()!;
        const answer = await expected(svc.complete(s));
        expect({ at: context(step, "stale complete"), id: s.id, refused: answer instanceof SpoolError }).toEqual({ at: context(step, "stale complete"), id: s.id, refused: true });
      }
      last = await checkModel(svc, enqueued, last, completed, context(step, op));
    }
  } finally {
    await svc.stop();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function checkModel(svc: QueueService, enqueued: Set<string>, previous: Map<string, Job>, completed: Set<string>, at: string): Promise<Map<string, Job>> {
  const jobs = await everyJob(svc);
  expect({ at, missing: [...enqueued].filter((id) => !jobs.has(id)) }).toEqual({ at, missing: [] });
  for (const queue of QUEUES) {
    const { counts } = await svc.getQueue(queue);
    const listed = { waiting: 0, delayed: 0, blocked: 0, active: 0, completed: 0, failed: 0, cancelled: 0 };
    for (const job of jobs.values()) if (job.queue === queue) listed[job.state]++;
    expect({ at, queue, counts }).toEqual({ at, queue, counts: listed });
  }
  const lanes = new Map<string, Job[]>();
  for (const job of jobs.values()) {
    if (job.attempts > job.maxAttempts) throw new Error(`${at}: job ${job.id} has ${job.attempts} attempts of ${job.maxAttempts}`);
    const before = previous.get(job.id);
    if (before && !reachable(before.state).has(job.state)) throw new Error(`${at}: job ${job.id} moved ${before.state} → ${job.state}`);
    if (completed.has(job.id) && job.state !== "completed") throw new Error(`${at}: completed job ${job.id} is now ${job.state}`);
    if (job.key !== null && !["completed", "failed", "cancelled"].includes(job.state)) {
      const lane = `${job.queue}/${job.key}`;
      lanes.set(lane, [...(lanes.get(lane) ?? []), job]);
    }
  }
  for (const [lane, unfinished] of lanes) {
    const heads = unfinished.filter((j) => j.state !== "blocked");
    expect({ at, lane, heads: heads.length }).toEqual({ at, lane, heads: 1 });
  }
  return jobs;
}

test(`${SEQUENCES} random sequences of ${STEPS} steps keep the store and the model in agreement`, async () => {
  const base = Number(process.env.SPOOL_SEED ?? Date.now() % 1_000_000);
  console.log(`model: seeds ${base}…${base + SEQUENCES - 1} (SPOOL_SEED=${base} repeats them)`);
  for (let i = 0; i < SEQUENCES; i++) await runSequence(base + i);
}, 120_000);
