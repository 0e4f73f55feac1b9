/** In-process handlers under a test clock: results, failures with types, progress and checkpoints, heartbeats, cancel, timeout, shutdown. */
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { TestClock } from "../src/core/clock.ts";
import { SqliteStore } from "../src/store/sqlite/sqlite-store.ts";
import { JobAborted, JobFailure, openSpool, type Job, type Spool } from "../src/index.ts";
import { tempDir } from "./helpers/server.ts";
import { waitFor } from "./helpers/wait.ts";

let dir: string;
let clock: TestClock;
let store: SqliteStore;
let spool: Spool;

beforeEach(async () => {
  dir = tempDir("spool-inproc-");
  clock = new TestClock("2026-01-01T00:00:00Z");
  store = new SqliteStore({ path: join(dir, "spool.db") });
  spool = await openSpool({ store, clock });
});

afterEach(async () => {
  await spool.close(0);
  rmSync(dir, { recursive: true, force: true });
});

/** A promise with its resolve, for handlers that wait on the test. */
function gate<T = void>() {
  let open!: (value: T) => void;
  const opened = new Promise<T>((resolve) => (open = resolve));
  return { open, opened };
}

async function jobNow(id: string): Promise<Job> {
  return spool.getJob(id);
}

async function settledJob(id: string, states = ["completed", "failed", "cancelled"]): Promise<Job> {
  await waitFor(async () => states.includes((await jobNow(id)).state), 5000, `job ${id} to reach ${states.join("/")}`);
  return jobNow(id);
}

/** Resolves with the handler's abort reason once its signal aborts. */
const aborted = (signal: AbortSignal) =>
  new Promise<unknown>((resolve) => (signal.aborted ? resolve(signal.reason) : signal.addEventListener("abort", () => resolve(signal.reason))));

describe("outcomes", () => {
  test("the handler's return value becomes the result", async () => {
    spool.work("emails", async (job) => ({ sent: (job.payload as { to: string }).to, attempt: job.attempts }));
    const job = await spool.enqueue("emails", { to: "ada@example.com" });
    expect(await settledJob(job.id)).toMatchObject({ state: "completed", result: { sent: "ada@example.com", attempt: 1 } });
  });

  test("the handler gets the job as it is stored while running, every field but its lease token", async () => {
    const seen = gate<Record<string, unknown>>();
    const release = gate();
    spool.work("emails", async (job) => {
      seen.open({ ...job });
      await release.opened;
    });
    const job = await spool.enqueue("emails", { to: "ada@example.com" }, { key: "k", priority: 7, timeoutMs: 60_000 });
    const handed = await seen.opened;
    const { leaseToken, ...stored } = await jobNow(job.id);
    expect(leaseToken).toEqual(expect.any(String));
    expect(handed).toEqual(stored);
    release.open();
    await settledJob(job.id);
  });

  test("returning nothing completes with a null result", async () => {
    spool.work("emails", () => {});
    const job = await spool.enqueue("emails", 1);
    expect(await settledJob(job.id)).toMatchObject({ state: "completed", result: null });
  });

  test("a result that is not storable JSON fails that job for good as invalid_result; jobs completed beside it still complete", async () => {
    spool.work("emails", (job) => (job.payload === "bad" ? { n: Infinity } : "ok"), { concurrency: 4 });
    const good = await spool.enqueue("emails", "good");
    const bad = await spool.enqueue("emails", "bad");
    expect(await settledJob(bad.id)).toMatchObject({ state: "failed", errors: [{ type: "invalid_result" }] });
    expect(await settledJob(good.id)).toMatchObject({ state: "completed", result: "ok" });
  });

  test("a result read into JSON once: one whose toJSON gives what JSON cannot hold, or that holds itself, fails that job alone; jobs completed in the same batch complete", async () => {
    class Row {
      constructor(readonly id: unknown) {}
      toJSON() {
        return { id: this.id };
      }
    }
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    const results: Record<string, () => unknown> = { bigint: () => new Row(1n), infinite: () => new Row(Infinity), circular: () => circular, row: () => new Row(7) };
    spool.work("rows", (job) => (job.payload in results ? results[job.payload as string]!() : "ok"), { concurrency: 10 });
    const jobs = await Promise.all(["ok", "bigint", "ok", "infinite", "circular", "ok", "row"].map((p) => spool.enqueue("rows", p)));
    const done = await Promise.all(jobs.map((j) => settledJob(j.id)));
    expect(done.map((j) => [j.payload, j.state, j.errors[0]?.type ?? null])).toEqual([
      ["ok", "completed", null], ["bigint", "failed", "invalid_result"], ["ok", "completed", null], ["infinite", "failed", "invalid_result"],
      ["circular", "failed", "invalid_result"], ["ok", "completed", null], ["row", "completed", null],
    ]);
    expect(done[4]!.errors[0]!.message).toBe("the handler's result must not contain itself (a circular structure)");
    expect(done[6]!.result).toEqual({ id: 7 });
  });

  test("a result or a thrown value whose reading throws (a getter, a proxy's trap, toString) fails the attempt, and the process carries on", async () => {
    const revoked = Proxy.revocable({}, {});
    revoked.revoke();
    const handlers: Record<string, () => unknown> = {
      getter: () => ({ get x() { throw new Error("boom"); } }),
      keys: () => new Proxy({}, { ownKeys() { throw new Error("no keys"); } }),
      thrownObject: () => { throw { toString() { throw new Error("no text"); }, toJSON() { throw new Error("no json"); } }; },
      thrownMessage: () => { throw Object.defineProperty(new Error(), "message", { get() { throw new Error("no message"); } }); },
      thrownRevoked: () => { throw revoked.proxy; },
    };
    spool.work("weird", (job) => handlers[job.payload as string]!(), { concurrency: 5 });
    const jobs = await Promise.all(Object.keys(handlers).map((p) => spool.enqueue("weird", p, { maxAttempts: 1 })));
    const done = await Promise.all(jobs.map((j) => settledJob(j.id)));
    expect(done.map((j) => [j.payload, j.state])).toEqual(Object.keys(handlers).map((p) => [p, "failed"]));
    expect(done[0]!.errors[0]).toMatchObject({ type: "invalid_result", message: "the handler's result could not be read as JSON: boom" });
    expect(done[2]!.errors[0]!.message).toContain("could not be read");
    // The worker is still at work.
    spool.work("after", () => "still here");
    expect(await settledJob((await spool.enqueue("after", null)).id)).toMatchObject({ state: "completed", result: "still here" });
  });

  test("a thrown error fails the attempt with its class name as type", async () => {
    class PaymentDeclined extends Error {}
    spool.work("pay", () => {
      throw new PaymentDeclined("card declined");
    });
    const job = await spool.enqueue("pay", {}, { maxAttempts: 1 });
    const done = await settledJob(job.id);
    expect(done.state).toBe("failed");
    expect(done.errors).toHaveLength(1);
    expect(done.errors[0]).toMatchObject({ attempt: 1, type: "PaymentDeclined", message: "card declined" });
    expect(done.errors[0]!.stack).toContain("card declined");
  });

  test("an explicit type wins, and retry: false fails for good despite attempts left", async () => {
    spool.work("pay", async () => {
      throw new JobFailure("no such account", { type: "invalid_account", retry: false });
    });
    const job = await spool.enqueue("pay", {}, { maxAttempts: 5 });
    const done = await settledJob(job.id);
    expect(done).toMatchObject({ state: "failed", attempts: 1 });
    expect(done.errors[0]).toMatchObject({ type: "invalid_account", message: "no such account" });
  });

  test("a failed attempt runs again per the backoff and the queue's retry policy by type", async () => {
    await spool.service.putQueue("pay", { ...(await spool.service.getQueue("pay")), retryPolicy: { noRetry: ["fatal"] } });
    let calls = 0;
    spool.work("pay", async () => {
      calls++;
      if (calls === 1) throw Object.assign(new Error("flaky"), { type: "network" });
      if (calls === 2) throw Object.assign(new Error("broken"), { type: "fatal" });
      return "never";
    });
    const job = await spool.enqueue("pay", {}, { maxAttempts: 5, backoff: { type: "fixed", delayMs: 0 } });
    const done = await settledJob(job.id);
    expect(done).toMatchObject({ state: "failed", attempts: 2 });
    expect(done.errors.map((e) => e.type)).toEqual(["network", "fatal"]);
  });

  test("a thrown non-Error fails with type Error and its text", async () => {
    spool.work("odd", () => {
      throw "plain string";
    });
    const job = await spool.enqueue("odd", {}, { maxAttempts: 1 });
    expect((await settledJob(job.id)).errors[0]).toMatchObject({ type: "Error", message: "plain string" });
  });
});

describe("concurrency and claims", () => {
  test("runs at most `concurrency` jobs at once, and claims several per round trip", async () => {
    const jobs = await spool.enqueueMany("thumbs", Array.from({ length: 7 }, (_, i) => ({ payload: i })));
    const release = gate();
    let running = 0;
    let most = 0;
    const started: string[] = [];
    spool.work("thumbs", async (job) => {
      started.push(job.id);
      most = Math.max(most, ++running);
      await release.opened;
      running--;
      return job.payload;
    }, { concurrency: 3 });
    await waitFor(() => started.length === 3, 5000, "three handlers to start");
    // The three were leased by one claim: they share its lease token.
    const tokens = new Set(await Promise.all(started.map(async (id) => (await jobNow(id)).leaseToken)));
    expect(tokens.size).toBe(1);
    release.open();
    for (const job of jobs) expect(await settledJob(job.id)).toMatchObject({ state: "completed", result: job.payload });
    expect(most).toBe(3);
  });

  test("an idle worker long-polls: an enqueue starts the handler without a poll interval", async () => {
    // This spool's long polls never look again by themselves within the test: a start at all is the wake-up.
    await spool.close(0);
    store = new SqliteStore({ path: join(dir, "spool.db") });
    spool = await openSpool({ store, clock, longPollRecheckMs: 600_000 });
    const started = gate<string>();
    spool.work("mail", (job) => started.open(job.id));
    // Let the worker reach its long poll on the empty queue.
    await waitFor(() => spool.service.wakeups.waiting > 0, 5000, "the worker to wait on the queue");
    const job = await spool.enqueue("mail", 1);
    expect(await started.opened).toBe(job.id);
  });

  test("a worker whose queue service stopped under it stops too, and the process keeps running its timers", async () => {
    spool.work("mail", () => "ok");
    await waitFor(() => spool.service.wakeups.waiting > 0, 5000, "the worker to wait on the queue");
    await spool.service.stop();
    // A worker looping on claims that answer empty at once would starve every timer.
    await new Promise((resolve) => setTimeout(resolve, 20));
    await spool.stopWorkers(0);
    expect(spool.service.stopped).toBe(true);
  });

  test("the queue's concurrency limit holds across workers", async () => {
    await spool.service.putQueue("limited", { ...(await spool.service.getQueue("limited")), concurrency: 2 });
    await spool.enqueueMany("limited", Array.from({ length: 6 }, (_, i) => ({ payload: i })));
    const release = gate();
    let running = 0;
    let most = 0;
    const handler = async () => {
      most = Math.max(most, ++running);
      await release.opened;
      running--;
    };
    spool.work("limited", handler, { concurrency: 3 });
    spool.work("limited", handler, { concurrency: 3 });
    await waitFor(() => running === 2, 5000, "two jobs to run");
    expect((await spool.service.getQueue("limited")).counts.active).toBe(2);
    release.open();
    await waitFor(async () => (await spool.service.getQueue("limited")).counts.completed === 6, 5000, "all six to complete");
    expect(most).toBe(2);
  });
});

describe("progress, checkpoints and heartbeats", () => {
  test("progress and checkpoint are stored; the next attempt resumes from the checkpoint", async () => {
    const seen: unknown[] = [];
    const stored = gate();
    const proceed = gate();
    spool.work("import", async (job, ctx) => {
      seen.push(job.checkpoint);
      if (job.attempts === 1) {
        await ctx.progress({ current: 50, total: 100, message: "half" });
        await ctx.checkpoint({ row: 50 });
        stored.open();
        await proceed.opened;
        throw new Error("crashed mid-way");
      }
      return { resumedFrom: job.checkpoint };
    });
    const job = await spool.enqueue("import", {}, { backoff: { type: "fixed", delayMs: 0 } });
    await stored.opened;
    expect(await jobNow(job.id)).toMatchObject({ state: "active", progress: { current: 50, total: 100, message: "half" }, checkpoint: { row: 50 } });
    proceed.open();
    expect(await settledJob(job.id)).toMatchObject({ state: "completed", attempts: 2, result: { resumedFrom: { row: 50 } } });
    expect(seen).toEqual([null, { row: 50 }]);
  });

  test("progress that is not 0–100 or {current, total, message} is refused", async () => {
    const outcome = gate<string>();
    spool.work("import", async (_job, ctx) => {
      const refused = await ctx.progress(150).then(() => "stored", (err) => err.code);
      outcome.open(refused);
    });
    await spool.enqueue("import", {});
    expect(await outcome.opened).toBe("validation_failed");
  });

  test("a checkpoint that is not storable JSON is refused", async () => {
    const outcome = gate<string>();
    spool.work("import", async (_job, ctx) => outcome.open(await ctx.checkpoint({ page: NaN }).then(() => "stored", (err) => err.code)));
    await spool.enqueue("import", {});
    expect(await outcome.opened).toBe("validation_failed");
  });

  test("heartbeats keep the lease alive past its length while the handler runs", async () => {
    const release = gate();
    spool.work("long", () => release.opened, { leaseMs: 30_000, heartbeatMs: 20 });
    const job = await spool.enqueue("long", {});
    await waitFor(async () => (await jobNow(job.id)).state === "active", 5000, "the job to start");
    const firstLease = (await jobNow(job.id)).leaseExpiresAt!;
    for (let i = 0; i < 3; i++) {
      const before = (await jobNow(job.id)).leaseExpiresAt!;
      clock.advance(20_000);
      await waitFor(async () => (await jobNow(job.id)).leaseExpiresAt! > before, 5000, "a heartbeat to extend the lease");
      expect(await spool.service.reapExpiredLeases()).toEqual([]);
    }
    expect((await jobNow(job.id)).leaseExpiresAt!).toBe(firstLease + 60_000);
    release.open();
    expect(await settledJob(job.id)).toMatchObject({ state: "completed", errors: [] });
  });
});

describe("ctx.signal", () => {
  test("a cancel aborts the signal; the handler's rethrow ends the job cancelled", async () => {
    const started = gate<AbortSignal>();
    spool.work("render", async (_job, ctx) => {
      started.open(ctx.signal);
      throw await aborted(ctx.signal);
    }, { heartbeatMs: 20 });
    const job = await spool.enqueue("render", {});
    const signal = await started.opened;
    await spool.service.cancel(job.id);
    const reason = await aborted(signal);
    expect(reason).toBeInstanceOf(JobAborted);
    expect((reason as JobAborted).type).toBe("cancelled");
    expect(await settledJob(job.id)).toMatchObject({ state: "cancelled" });
  });

  test("a forced cancel aborts the signal and the handler's later result is refused", async () => {
    const started = gate<AbortSignal>();
    const finish = gate();
    spool.work("render", async (_job, ctx) => {
      started.open(ctx.signal);
      await finish.opened;
      return "too late";
    }, { heartbeatMs: 20 });
    const job = await spool.enqueue("render", {});
    const signal = await started.opened;
    await spool.service.cancel(job.id, true);
    expect(((await aborted(signal)) as JobAborted).type).toBe("lease_lost");
    finish.open();
    await waitFor(() => spool.runningWorkers[0]!.active === 0, 5000, "the handler to finish");
    expect(await jobNow(job.id)).toMatchObject({ state: "cancelled", result: null });
  });

  test("a handler that first looks at its signal after it was given back finds it aborted, with the reason", async () => {
    const started = gate();
    const look = gate();
    const looked = gate<AbortSignal>();
    spool.work("render", async (_job, ctx) => {
      started.open();
      await look.opened;
      looked.open(ctx.signal);
    });
    await spool.enqueue("render", {});
    await started.opened;
    // Closing without grace gives the running job back, telling its handler to stop, before it resolves.
    await spool.close(0);
    look.open();
    const signal = await looked.opened;
    expect(signal.aborted).toBe(true);
    expect((signal.reason as JobAborted).type).toBe("shutdown");
  });

  test("past timeoutMs the signal aborts and the attempt fails as timeout", async () => {
    const started = gate<AbortSignal>();
    spool.work("slow", async (_job, ctx) => {
      started.open(ctx.signal);
      await aborted(ctx.signal);
      return "ignored after the timeout";
    }, { heartbeatMs: 20 });
    const job = await spool.enqueue("slow", {}, { timeoutMs: 5000, backoff: { type: "fixed", delayMs: 60_000 } });
    const signal = await started.opened;
    clock.advance(4000);
    // A few heartbeat ticks (every 10 ms here) see the clock before the deadline: no abort yet.
    await Bun.sleep(50);
    expect(signal.aborted).toBe(false);
    clock.advance(1000);
    expect(((await aborted(signal)) as JobAborted).type).toBe("timeout");
    const failed = await settledJob(job.id, ["delayed"]);
    expect(failed.errors[0]).toMatchObject({ attempt: 1, type: "timeout" });
    expect(failed.result).toBeNull();
  });

  test("a handler that ignores its signal past its timeout gives up its slot 5 s later, so the queue goes on", async () => {
    const errors: string[] = [];
    spool.work("stuck", (job) => (job.payload === "hang" ? new Promise(() => {}) : "done"), {
      concurrency: 1, heartbeatMs: 20, onError: (err) => errors.push((err as Error).message),
    });
    const hung = await spool.enqueue("stuck", "hang", { timeoutMs: 1000, maxAttempts: 1 });
    await waitFor(async () => (await jobNow(hung.id)).state === "active", 5000, "the hanging job to start");
    const next = await spool.enqueue("stuck", "next");
    clock.advance(1000);
    expect((await settledJob(hung.id)).errors[0]).toMatchObject({ type: "timeout" });
    // Its handler still runs and holds the one slot: the next job waits.
    await Bun.sleep(100);
    expect((await jobNow(next.id)).state).toBe("waiting");
    clock.advance(5000);
    expect(await settledJob(next.id)).toMatchObject({ state: "completed", result: "done" });
    expect(errors).toEqual([`the handler of job ${hung.id} still runs 5 s after its attempt ended (timeout) without heeding ctx.signal; its slot goes to the next job`]);
  });
});

describe("stopping", () => {
  test("stop() stops claiming and waits for running jobs to finish", async () => {
    const release = gate();
    const started = gate();
    const worker = spool.work("q", async () => {
      started.open();
      await release.opened;
      return "done";
    });
    const first = await spool.enqueue("q", 1);
    await started.opened;
    const stopping = worker.stop();
    const second = await spool.enqueue("q", 2);
    release.open();
    await stopping;
    expect(await jobNow(first.id)).toMatchObject({ state: "completed", result: "done" });
    expect(await jobNow(second.id)).toMatchObject({ state: "waiting", attempts: 0 });
  });

  test("stop(grace) releases jobs still running after the grace period: they run again at once", async () => {
    const started = gate<AbortSignal>();
    const worker = spool.work("q", async (_job, ctx) => {
      started.open(ctx.signal);
      await new Promise(() => {});
    });
    const job = await spool.enqueue("q", 1);
    const signal = await started.opened;
    await worker.stop(10);
    expect(((await aborted(signal)) as JobAborted).type).toBe("shutdown");
    const released = await jobNow(job.id);
    expect(released).toMatchObject({ state: "waiting", attempts: 1 });
    expect(released.errors[0]).toMatchObject({ type: "shutdown" });
  });

  test("a shutdown request from an operator stops the worker after its running job", async () => {
    const release = gate();
    const started = gate();
    const worker = spool.work("q", async () => {
      started.open();
      await release.opened;
    }, { heartbeatMs: 20 });
    const job = await spool.enqueue("q", 1);
    await started.opened;
    await spool.workers.requestShutdown(worker.id);
    // The next heartbeat answer carries the request; the worker stops claiming.
    const second = await spool.enqueue("q", 2);
    release.open();
    await worker.stopped;
    expect(await jobNow(job.id)).toMatchObject({ state: "completed" });
    expect(await jobNow(second.id)).toMatchObject({ state: "waiting" });
  });
});

describe("registry", () => {
  test("an in-process worker is listed with its identity and counts", async () => {
    let n = 0;
    const worker = spool.work("reg", async () => {
      if (++n === 2) throw new Error("boom");
    }, { concurrency: 4, name: "reg worker" });
    const jobs = await spool.enqueueMany("reg", [{ payload: 1 }, { payload: 2, maxAttempts: 1 }, { payload: 3 }]);
    for (const job of jobs) await settledJob(job.id);
    const listed = (await spool.workers.list()).find((w) => w.id === worker.id);
    expect(listed).toMatchObject({
      kind: "in-process", name: "reg worker", queues: ["reg"], concurrency: 4, active: 0, processed: 2, failed: 1, online: true,
    });
    clock.advance(31_000);
    expect((await spool.workers.get(worker.id)).online).toBe(false);
  });
});
