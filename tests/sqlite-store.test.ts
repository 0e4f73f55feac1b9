/** SqliteStore: the store contract on a fresh database per case, plus migrations, group commit and claim cost. */
import { Database } from "bun:sqlite";
import { afterAll, describe, expect, test } from "bun:test";
import fs from "node:fs";
import os from "node:os";
import { TestClock } from "../src/core/clock.ts";
import { resolveEnqueue } from "../src/core/enqueue.ts";
import type { NewJob } from "../src/core/job.ts";
import { defaultQueueConfig, type QueueSettings } from "../src/core/queue-config.ts";
import { QueueService } from "../src/core/queue-service.ts";
import { GroupCommit } from "../src/store/sqlite/database.ts";
import { MIGRATIONS } from "../src/store/sqlite/migrations.ts";
import { SqliteStore } from "../src/store/sqlite/sqlite-store.ts";
import { compareIds, START } from "./store-contract/harness.ts";
import { runStoreContract } from "./store-contract/run-store-contract.ts";

const LATEST_MIGRATION = Math.max(...MIGRATIONS.map((m) => m.version));
const folders: string[] = [];
afterAll(() => {
  for (const dir of folders) fs.rmSync(dir, { recursive: true, force: true });
});

function freshPath(): string {
  const dir = fs.mkdtempSync(os.tmpdir() + "/spool-");
  folders.push(dir);
  return dir + "/spool.db";
}

runStoreContract("sqlite", async () => new SqliteStore({ path: freshPath() }), {
  twin: (store) => new SqliteStore({ path: (store as SqliteStore).db.filename }),
});

/** A database as a release that had migrations up to `version` left it, open for the test to fill and close. */
function databaseAt(version: number): { path: string; old: Database } {
  const path = freshPath();
  const old = new Database(path, { create: true, strict: true });
  old.exec("PRAGMA journal_mode = WAL");
  for (const m of MIGRATIONS.filter((m) => m.version <= version)) old.exec(m.sql);
  old.exec(`PRAGMA user_version = ${version}`);
  return { path, old };
}

/** Inserts a waiting job of queue q as the first release wrote one; returns its id. */
function insertOldJob(old: Database, payload = "{}"): number {
  const insert = old.query(
    `INSERT INTO jobs (queue, payload, priority, state, run_at, max_attempts, backoff, created_at)
     VALUES ('q', ?, 5, 'waiting', 0, 3, '{"type":"fixed","delayMs":0}', 0) RETURNING id`,
  );
  return (insert.get(payload) as { id: number }).id;
}

/** A store and a service over it, closed by the caller. */
function open(path = freshPath()) {
  const store = new SqliteStore({ path });
  const clock = new TestClock(START);
  return { path, store, clock, svc: new QueueService({ store, clock }) };
}

function settingsOf(queue: string): QueueSettings {
  const { name: _name, paused: _paused, ...settings } = defaultQueueConfig(queue);
  return settings;
}

const newJobs = (queue: string, payloads: unknown[]): NewJob[] =>
  resolveEnqueue(queue, payloads.map((payload) => ({ payload })), {}, Date.parse(START));

describe("SqliteStore", () => {
  test("a new database gets every migration, in WAL mode", async () => {
    const { store } = open();
    try {
      expect((store.db.query("PRAGMA user_version").get() as { user_version: number }).user_version).toBe(LATEST_MIGRATION);
      expect((store.db.query("PRAGMA journal_mode").get() as { journal_mode: string }).journal_mode).toBe("wal");
      const names = (store.db.query("SELECT name FROM sqlite_master").all() as { name: string }[]).map((r) => r.name);
      expect(names).toEqual(expect.arrayContaining(["jobs", "lanes", "queues", "queue_counts", "tokens", "jobs_runnable"]));
    } finally {
      await store.close();
    }
  });

  test("a database from the first release is brought up to date on open and keeps its jobs and tokens", async () => {
    const { path, old } = databaseAt(1);
    const id = insertOldJob(old, '{"n":1}');
    old.query("INSERT INTO tokens (id, hash, role, name, created_at) VALUES ('t1', 'h1', 'worker', 'ci', 5)").run();
    old.close();
    const { store, svc } = open(path);
    try {
      expect((store.db.query("PRAGMA user_version").get() as { user_version: number }).user_version).toBe(LATEST_MIGRATION);
      expect(await svc.getJob(String(id))).toMatchObject({ queue: "q", payload: { n: 1 }, state: "waiting" });
      expect(await store.tokensList()).toEqual([{ id: "t1", name: "ci", role: "worker", createdAt: 5, lastUsedAt: null }]);
    } finally {
      await store.close();
    }
  });

  test("reopening an existing database keeps its jobs, lanes, config and counts", async () => {
    const first = open();
    await first.svc.putQueue("q", { ...settingsOf("q"), concurrency: 3, laneOnFailure: "block" });
    const head = (await first.svc.enqueue("q", { key: "k", payload: { n: 1 } })).job;
    const next = (await first.svc.enqueue("q", { key: "k" })).job;
    const done = (await first.svc.enqueue("q", { payload: "done" })).job;
    const [claimed] = await first.svc.claim({ queue: "q", workerId: "w", max: 1 });
    expect(claimed!.id).toBe(head.id);
    await first.svc.complete({ id: head.id, token: claimed!.leaseToken!, result: 42 });
    const leases = await first.svc.claim({ queue: "q", workerId: "w", max: 2 });
    expect(leases.map((j) => j.id)).toEqual([next.id, done.id]);
    await first.svc.enqueue("q", { payload: "left waiting" });
    const counts = (await first.svc.getQueue("q")).counts;
    await first.store.close();

    const again = open(first.path);
    try {
      expect((again.store.db.query("PRAGMA user_version").get() as { user_version: number }).user_version).toBe(LATEST_MIGRATION);
      expect(await again.svc.getJob(head.id)).toMatchObject({ state: "completed", result: 42, payload: { n: 1 } });
      const queue = await again.svc.getQueue("q");
      expect(queue).toMatchObject({ concurrency: 3, laneOnFailure: "block" });
      expect(queue.counts).toEqual(counts);
      expect(queue.counts).toMatchObject({ completed: 1, active: 2, waiting: 1 });
      // The lane is still held by the job that took over from the head.
      expect((await again.svc.enqueue("q", { key: "k" })).job.state).toBe("blocked");
      const later = (await again.svc.enqueue("q", {})).job;
      expect(compareIds(later.id, done.id)).toBeGreaterThan(0);
      // Leases taken before the restart are still honoured.
      expect((await again.svc.complete({ id: done.id, token: leases[1]!.leaseToken! })).state).toBe("completed");
    } finally {
      await again.store.close();
    }
  });

  test("concurrent enqueues and claims resolve, are all readable, and never lease a job twice", async () => {
    const { path, store, svc } = open();
    try {
      const singles = Array.from({ length: 400 }, (_, i) => svc.enqueue("q", { payload: i }));
      const batches = Array.from({ length: 10 }, (_, b) => svc.enqueueMany("q", Array.from({ length: 10 }, (_, i) => ({ payload: 1000 + b * 10 + i }))));
      const outcomes = [...(await Promise.all(singles)), ...(await Promise.all(batches)).flat()];
      expect(new Set(outcomes.map((o) => o.job.id)).size).toBe(500);
      const reader = new Database(path, { readonly: true });
      try {
        expect((reader.query("SELECT COUNT(*) AS n FROM jobs").get() as { n: number }).n).toBe(500);
      } finally {
        reader.close();
      }
      const claims = await Promise.all(Array.from({ length: 12 }, (_, i) => svc.claim({ queue: "q", workerId: `w${i}`, max: 50 })));
      const leased = claims.flat().map((j) => j.id);
      expect(leased).toHaveLength(500);
      expect(new Set(leased).size).toBe(500);
      expect((await svc.getQueue("q")).counts).toMatchObject({ active: 500, waiting: 0 });
    } finally {
      await store.close();
    }
  });


  test("the jobs an enqueue, a claim, a heartbeat and a completion answer with are the rows as stored", async () => {
    // The store writes these rows without RETURNING and answers with what it wrote: a column
    // default or a lease computed otherwise than in SQL would show here as a difference.
    const { store, svc, clock } = open();
    try {
      const stored = async (job: { id: string }) => svc.getJob(job.id);
      const enqueued = [
        await svc.enqueue("q", { payload: { n: 1 } }),
        await svc.enqueue("q", { payload: [1, "two"], key: "k", priority: 9, maxAttempts: 7, timeoutMs: 5_000, idempotencyKey: "once" }),
        await svc.enqueue("q", { payload: null, delayMs: 60_000, backoff: { type: "fixed", delayMs: 10 } }),
        ...(await svc.enqueueMany("q", [{ payload: "a" }, { payload: "b", key: "k" }])),
      ];
      for (const { job } of enqueued) expect(job).toEqual(await stored(job));
      clock.advance(1_000);
      const claimed = await svc.claim({ queue: "q", workerId: "w1", max: 10, leaseMs: 30_000 });
      expect(claimed.map((j) => j.payload)).toEqual([[1, "two"], { n: 1 }, "a"]);
      for (const job of claimed) expect(job).toEqual(await stored(job));
      // The job with a 5 s timeout: its lease ends at its deadline, not after the 30 s asked for.
      expect(claimed[0]!.leaseExpiresAt).toBe(claimed[0]!.startedAt! + 5_000);
      clock.advance(1_000);
      const beat = await svc.heartbeat({ id: claimed[1]!.id, token: claimed[1]!.leaseToken!, extendMs: 60_000, progress: 50, checkpoint: { page: 2 } });
      expect(beat).toEqual(await stored(beat));
      expect(beat).toMatchObject({ progress: 50, checkpoint: { page: 2 }, leaseExpiresAt: clock.now() + 60_000 });
      const capped = await svc.heartbeat({ id: claimed[0]!.id, token: claimed[0]!.leaseToken!, extendMs: 60_000 });
      expect(capped).toEqual(await stored(capped));
      expect(capped.leaseExpiresAt).toBe(claimed[0]!.deadlineAt);
      const completed = await svc.complete({ id: claimed[0]!.id, token: claimed[0]!.leaseToken!, result: { ok: true } });
      expect(completed).toEqual(await stored(completed));
      expect(completed).toMatchObject({ state: "completed", result: { ok: true }, leaseExpiresAt: null });
      // The lane "k" is handed on to the job behind the completed one.
      expect((await stored(enqueued[4]!.job)).state).toBe("waiting");
    } finally {
      await store.close();
    }
  });
  test("a failing write inside a group commit does not lose the writes around it", async () => {
    const { store, svc } = open();
    try {
      const now = Date.parse(START);
      const broken = { ...newJobs("q", ["broken"])[0]!, priority: null as unknown as number };
      const before = Array.from({ length: 10 }, (_, i) => store.jobsEnqueue({ jobs: newJobs("q", [i]), now }));
      // A valid job and an invalid one in one write: the write fails as a whole.
      const failing = store.jobsEnqueue({ jobs: [...newJobs("q", ["half"]), broken], now });
      const after = Array.from({ length: 10 }, (_, i) => store.jobsEnqueue({ jobs: newJobs("q", [100 + i]), now }));
      const settled = await Promise.allSettled([...before, failing, ...after]);
      expect(settled.map((s) => s.status)).toEqual([...Array(10).fill("fulfilled"), "rejected", ...Array(10).fill("fulfilled")]);
      const { jobs } = await svc.listJobs({ queue: "q", limit: 100 });
      expect(jobs.map((j) => j.payload).sort((a, b) => Number(a) - Number(b))).toEqual([
        ...Array.from({ length: 10 }, (_, i) => i),
        ...Array.from({ length: 10 }, (_, i) => 100 + i),
      ]);
      // The failed write's count and event went with it; the others' are all there.
      expect((await svc.getQueue("q")).counts.waiting).toBe(20);
      const logged = await store.eventsAfter({ afterId: 0, filters: { queue: "q" }, limit: 100, now });
      expect(logged.events.map((e) => e.jobId)).toEqual(jobs.map((j) => j.id).reverse());
      expect((await svc.enqueue("q", { payload: "next" })).created).toBe(true);
    } finally {
      await store.close();
    }
  });

  test("events of writes sharing a transaction (job changes, an alert, a write rolled back) each take their own id, and each job's row names its own", async () => {
    const { store, svc } = open();
    try {
      const now = Date.parse(START);
      await svc.enqueueMany("q", [{ payload: "first" }, { payload: "second" }]);
      const [held] = await svc.claim({ queue: "q", workerId: "w", max: 1 });
      const broken = { ...newJobs("q", ["broken"])[0]!, priority: null as unknown as number };
      // Queued together, these share one transaction; the failing one is rolled back to its savepoint.
      const writes = [
        store.jobsEnqueue({ jobs: newJobs("q", ["a"]), now }),
        store.eventAppend({ type: "alert.firing", queue: "q", data: { rule: "test" }, now }),
        store.jobsEnqueue({ jobs: [...newJobs("q", ["half"]), broken], now }),
        svc.complete({ id: held!.id, token: held!.leaseToken! }),
        svc.claim({ queue: "q", workerId: "w", max: 1 }),
        store.jobsEnqueue({ jobs: newJobs("q", ["b"]), now }),
      ];
      expect((await Promise.allSettled(writes)).map((r) => r.status)).toEqual(["fulfilled", "fulfilled", "rejected", "fulfilled", "fulfilled", "fulfilled"]);
      const logged = (await store.eventsAfter({ afterId: 0, filters: {}, limit: 100, now })).events;
      const ids = logged.map((e) => e.id);
      expect(new Set(ids).size).toBe(ids.length);
      expect(ids).toEqual([...ids].sort((a, b) => a - b));
      expect(logged.filter((e) => e.type === "alert.firing")).toHaveLength(1);
      const { jobs } = await svc.listJobs({ queue: "q", limit: 100 });
      expect(jobs.map((j) => j.payload).sort()).toEqual(["a", "b", "first", "second"]);
      for (const job of jobs) {
        const timeline = await store.jobEvents({ jobId: job.id, limit: 100, now });
        expect(timeline.map((e) => e.id)).toEqual(logged.filter((e) => e.jobId === job.id).map((e) => e.id));
        expect(timeline.length).toBeGreaterThan(0);
      }
      const named = (store.db.query("SELECT event_ids FROM jobs").all() as { event_ids: string }[]).flatMap((r) => r.event_ids.split(",").map(Number));
      expect(named.sort((a, b) => a - b)).toEqual(logged.filter((e) => e.jobId !== null).map((e) => e.id));
    } finally {
      await store.close();
    }
  });

  test("claims that share a transaction keep a queue's concurrency: each sees the jobs the ones before it leased", async () => {
    const { store, svc } = open();
    try {
      await svc.putQueue("q", { concurrency: 2 });
      await svc.enqueueMany("q", Array.from({ length: 5 }, (_, i) => ({ payload: i })));
      // Queued in one turn, the three claims run in one transaction, before its counts are written.
      const claims = await Promise.all([1, 2, 3].map((w) => svc.claim({ queue: "q", workerId: `w${w}`, max: 1 })));
      expect(claims.map((jobs) => jobs.length)).toEqual([1, 1, 0]);
      expect((await svc.getQueue("q")).counts).toMatchObject({ waiting: 3, active: 2 });
    } finally {
      await store.close();
    }
  });

  test("a worker's figures between two writes of its row are read with it, and written when the store closes", async () => {
    const path = freshPath();
    const store = new SqliteStore({ path, workerFiguresEveryMs: 60_000 });
    const svc = new QueueService({ store, clock: new TestClock(START) });
    const row = () => store.db.query("SELECT processed, failed FROM workers WHERE id = 'w'").get();
    await store.workerSeen({ id: "w", forgetShutdownAfterMs: 60_000, now: Date.parse(START) });
    await svc.enqueueMany("q", Array.from({ length: 3 }, () => ({})));
    const [a, b, c] = await svc.claim({ queue: "q", workerId: "w", max: 3 });
    await svc.complete({ id: a!.id, token: a!.leaseToken! });
    expect(row()).toEqual({ processed: 1, failed: 0 });
    await svc.complete({ id: b!.id, token: b!.leaseToken! });
    await svc.fail({ id: c!.id, token: c!.leaseToken!, error: { message: "x" }, retry: false });
    // Within the interval the row keeps its first figures; reads add the rest.
    expect(row()).toEqual({ processed: 1, failed: 0 });
    expect(await store.workerGet({ id: "w", now: Date.parse(START) })).toMatchObject({ processed: 2, failed: 1 });
    expect((await store.workersList({ now: Date.parse(START) }))[0]).toMatchObject({ processed: 2, failed: 1 });
    await store.close();
    const reopened = new SqliteStore({ path });
    try {
      expect(reopened.db.query("SELECT processed, failed FROM workers WHERE id = 'w'").get()).toEqual({ processed: 2, failed: 1 });
    } finally {
      await reopened.close();
    }
  });

  test("writes queued together commit in one transaction; one that fails is undone alone, the batch run again with each write in a savepoint of its own", async () => {
    const path = freshPath();
    const db = new Database(path, { create: true, strict: true });
    db.exec("PRAGMA journal_mode = WAL");
    db.exec("CREATE TABLE t (n INTEGER NOT NULL)");
    const reader = new Database(path, { readonly: true });
    const committed = () => (reader.query("SELECT COUNT(*) AS c FROM t").get() as { c: number }).c;
    try {
      const writer = new GroupCommit(db);
      const runs = [0, 0, 0, 0, 0];
      const insert = (n: number) => () => (runs[n - 1]!++, db.query("INSERT INTO t (n) VALUES (?)").run(n).changes);
      // None fails: each write runs once.
      await Promise.all([writer.write(insert(4)), writer.write(insert(5))]);
      expect(runs).toEqual([0, 0, 0, 1, 1]);
      const first = writer.write(insert(1));
      const failing = writer.write(() => {
        runs[1]!++;
        db.query("INSERT INTO t (n) VALUES (2)").run();
        throw new Error("refused after writing");
      });
      const seenByLast = writer.write(() => ({ inTransaction: db.inTransaction, committedElsewhere: committed(), n: insert(3)() }));
      expect(await first).toBe(1);
      await expect(failing).rejects.toThrow("refused after writing");
      // The last write ran in the same open transaction: the first row was not yet committed.
      expect(await seenByLast).toEqual({ inTransaction: true, committedElsewhere: 2, n: 1 });
      // The first and the failing write ran again once the failure undid the batch; the last ran after it.
      expect(runs).toEqual([2, 2, 1, 1, 1]);
      expect((db.query("SELECT n FROM t ORDER BY n").all() as { n: number }[]).map((r) => r.n)).toEqual([1, 3, 4, 5]);
      expect(committed()).toBe(4);
    } finally {
      reader.close();
      db.close();
    }
  });

  test("listing one state across queues reads each queue's newest through jobs_by_queue_state, never a walk of all jobs", async () => {
    const { path, store, svc } = open();
    try {
      for (const queue of ["a", "b", "c"]) {
        await svc.enqueueMany(queue, Array.from({ length: 300 }, () => ({})));
        const done = await svc.claim({ queue, workerId: "w", max: 300 });
        await svc.completeMany(done.slice(1).map((j) => ({ id: j.id, token: j.leaseToken! })));
        await svc.fail({ id: done[0]!.id, token: done[0]!.leaseToken!, error: { message: "x" }, retry: false });
      }
      let page: Awaited<ReturnType<typeof svc.listJobs>> | undefined;
      const statements = await statementsRun(store, async () => (page = await svc.listJobs({ state: "failed", limit: 2 })));
      expect(page!.jobs.map((j) => j.queue)).toEqual(["c", "b"]);
      const listing = statements.filter((sql) => sql.includes("FROM jobs"));
      expect(listing.length).toBeGreaterThan(0);
      for (const sql of listing) {
        const plan = explain(path, sql);
        expect({ sql, plan: plan.filter((d) => /^SCAN /.test(d) || d.includes("jobs_by_queue_state")) })
          .toEqual({ sql, plan: [expect.stringContaining("jobs_by_queue_state")] });
      }
    } finally {
      await store.close();
    }
  });

  test("retention reads finished jobs through jobs_by_queue_state, only up to the first job created after its cutoff", async () => {
    const { path, store, svc, clock } = open();
    try {
      const finishAll = async (n: number) => {
        await svc.enqueueMany("q", Array.from({ length: n }, () => ({})));
        const done = await svc.claim({ queue: "q", workerId: "w", max: n });
        await svc.completeMany(done.map((j) => ({ id: j.id, token: j.leaseToken! })));
      };
      await finishAll(300);
      clock.advance(60_000);
      const cutoff = clock.now();
      await finishAll(300);
      let deleted = 0;
      const statements = await statementsRun(store, async () => {
        deleted = (await store.jobsPrune({ queue: "q", state: "completed", finishedBefore: cutoff, limit: 1000, now: clock.now() })).deleted;
      });
      expect(deleted).toBe(300);
      expect((await svc.getQueue("q")).counts.completed).toBe(300);
      const reads = statements.filter((sql) => sql.includes("FROM jobs") && !sql.startsWith("DELETE"));
      expect(reads.length).toBe(1);
      expect(explain(path, reads[0]!)).toEqual(["SEARCH jobs USING INDEX jobs_by_queue_state (queue=? AND state=? AND id>?)"]);
      // Read in id order, the first of the jobs kept ends the read: a second pass deletes nothing.
      expect((await store.jobsPrune({ queue: "q", state: "completed", finishedBefore: cutoff, limit: 1000, now: clock.now() })).deleted).toBe(0);
    } finally {
      await store.close();
    }
  });

  test("retention's later batches of a pass start after what the batch before read: jobs kept early in the queue are read once, not once a batch", async () => {
    const { store, svc, clock } = open();
    try {
      // 1200 jobs enqueued first (low priority) finish after the cutoff; 400 enqueued after them finish before it.
      await svc.enqueueMany("q", Array.from({ length: 1000 }, () => ({ priority: 0 })));
      await svc.enqueueMany("q", Array.from({ length: 200 }, () => ({ priority: 0 })));
      await svc.enqueueMany("q", Array.from({ length: 400 }, () => ({ priority: 10 })));
      const early = await svc.claim({ queue: "q", workerId: "w", max: 400 });
      await svc.completeMany(early.map((j) => ({ id: j.id, token: j.leaseToken! })));
      clock.advance(60_000);
      const cutoff = clock.now();
      const late = await svc.claim({ queue: "q", workerId: "w", max: 1000 });
      const late2 = await svc.claim({ queue: "q", workerId: "w", max: 1000 });
      for (const batch of [late, late2]) await svc.completeMany(batch.map((j) => ({ id: j.id, token: j.leaseToken! })));
      const pass = { queue: "q", state: "completed" as const, finishedBefore: cutoff, limit: 100, now: clock.now() };
      const first = await store.jobsPrune(pass);
      expect(first.deleted).toBe(100);
      // Each read of job rows the batch makes (a statement run, however often it is prepared).
      const db = store.db;
      const query = db.query;
      let reads = 0;
      db.query = ((sql: string) => {
        const statement = query.call(db, sql);
        if (!sql.includes("FROM jobs") || sql.startsWith("DELETE")) return statement;
        const all = statement.all.bind(statement);
        return Object.assign(Object.create(statement), { all: (...args: unknown[]) => (reads++, all(...(args as []))) });
      }) as typeof db.query;
      let second = { deleted: 0 };
      try {
        second = await store.jobsPrune({ ...pass, resumeAfter: first.resumeAfter });
      } finally {
        db.query = query;
      }
      expect(second.deleted).toBe(100);
      // From the start, the 1200 kept jobs would take five reads of 256 before the first expired one.
      expect(reads).toBe(1);
    } finally {
      await store.close();
    }
  });

  test("waiting jobs of several priorities and active jobs are listed newest first through the claim's indexes, never a walk of all jobs", async () => {
    const { path, store, svc } = open();
    try {
      const made = await svc.enqueueMany("q", Array.from({ length: 40 }, (_, i) => ({ payload: i, priority: i % 3 })));
      await svc.enqueueMany("other", Array.from({ length: 5 }, () => ({})));
      const active = await svc.claim({ queue: "q", workerId: "w", max: 7 });
      const leased = new Set(active.map((j) => j.id));
      const newestFirst = (ids: readonly string[]) => [...ids].sort((a, b) => Number(b) - Number(a));
      for (const [state, expected] of [["waiting", made.map((m) => m.job.id).filter((id) => !leased.has(id))], ["active", [...leased]]] as const) {
        const seen: string[] = [];
        let cursor: string | undefined;
        const statements = await statementsRun(store, async () => {
          do {
            const page = await svc.listJobs({ queue: "q", state, limit: 6, cursor });
            seen.push(...page.jobs.map((j) => j.id));
            cursor = page.nextCursor ?? undefined;
          } while (cursor !== undefined);
        });
        expect(seen).toEqual(newestFirst(expected));
        for (const sql of statements.filter((sql) => sql.includes("FROM jobs"))) {
          expect({ sql, plan: explain(path, sql).filter((d) => /^SCAN jobs$/.test(d)) }).toEqual({ sql, plan: [] });
        }
      }
    } finally {
      await store.close();
    }
  });

  test("a job's timeline is read through the ids on its row, one event at a time, never a walk of the log", async () => {
    const { path, store, svc, clock } = open();
    try {
      await svc.enqueueMany("other", Array.from({ length: 500 }, () => ({})));
      const job = (await svc.enqueue("q", { maxAttempts: 2 })).job;
      const [claimed] = await svc.claim({ queue: "q", workerId: "w", max: 1 });
      await svc.fail({ id: job.id, token: claimed!.leaseToken!, error: { message: "no" }, retryInMs: 0 });
      clock.advance(1);
      const [again] = await svc.claim({ queue: "q", workerId: "w", max: 1 });
      await svc.complete({ id: job.id, token: again!.leaseToken! });
      const eventIds = (store.db.query("SELECT event_ids FROM jobs WHERE id = ?").get(Number(job.id)) as { event_ids: string }).event_ids;
      let timeline: { id: number; type: string }[] = [];
      const statements = await statementsRun(store, async () => {
        timeline = await store.jobEvents({ jobId: job.id, limit: 100, now: clock.now() });
      });
      expect(timeline.map((e) => e.type)).toEqual(["job.enqueued", "job.started", "job.retrying", "job.started", "job.completed"]);
      expect(eventIds).toBe(timeline.map((e) => e.id).join(","));
      const plan = explain(path, statements.find((sql) => sql.includes("FROM jobs"))!);
      expect(plan).toContain("SEARCH jobs USING INTEGER PRIMARY KEY (rowid=?)");
      expect(plan).toContain("SEARCH events USING INTEGER PRIMARY KEY (rowid=?)");
      expect(plan.filter((d) => /^SCAN (events|jobs)\b/.test(d))).toEqual([]);
    } finally {
      await store.close();
    }
  });

  test("a database from before timelines on job rows keeps its jobs' timelines, and its events_by_job index is dropped", async () => {
    const { path, old } = databaseAt(9);
    const [a, b] = [insertOldJob(old), insertOldJob(old)];
    const logEvent = old.query("INSERT INTO events (at, type, queue, job_id, state) VALUES (?, ?, 'q', ?, ?)");
    // Interleaved, as two jobs' events are in the log; an alert event has no job.
    logEvent.run(1, "job.enqueued", a, "waiting");
    logEvent.run(2, "job.enqueued", b, "waiting");
    old.query("INSERT INTO events (at, type, queue, data) VALUES (3, 'alert.firing', 'q', '{}')").run();
    logEvent.run(4, "job.started", a, "active");
    old.close();
    const { store } = open(path);
    try {
      const types = async (id: number) => (await store.jobEvents({ jobId: String(id), limit: 10, now: 0 })).map((e) => [e.id, e.type]);
      expect(await types(a)).toEqual([[1, "job.enqueued"], [4, "job.started"]]);
      expect(await types(b)).toEqual([[2, "job.enqueued"]]);
      expect(store.db.query("SELECT name FROM sqlite_master WHERE name = 'events_by_job'").all()).toEqual([]);
    } finally {
      await store.close();
    }
  });

  test("a database from before give-backs were counted apart counts its unfinished jobs' give-backs from their errors", async () => {
    const { path, old } = databaseAt(10);
    const errors = (...types: string[]) => JSON.stringify(types.map((type, i) => ({ attempt: i + 1, type, message: "m", at: 0 })));
    const ids = [insertOldJob(old), insertOldJob(old), insertOldJob(old)];
    const set = old.query("UPDATE jobs SET state = ?, attempts = ?, errors = ? WHERE id = ?");
    set.run("waiting", 3, errors("shutdown", "Boom", "shutdown"), ids[0]!);
    set.run("delayed", 1, errors("Boom"), ids[1]!);
    // A finished job is counted too: it is shown as attempts against maxAttempts.
    set.run("failed", 2, errors("shutdown", "Boom"), ids[2]!);
    old.close();
    const { store, svc } = open(path);
    try {
      expect(await Promise.all(ids.map(async (id) => (await svc.getJob(String(id))).givenBack))).toEqual([2, 0, 1]);
    } finally {
      await store.close();
    }
  });

  test("a lane hands on to its next job through jobs_lane, never walking the key's finished jobs", async () => {
    const { path, store, svc } = open();
    try {
      // A key with a long history: 500 jobs run and completed one after another.
      for (let i = 0; i < 5; i++) {
        await svc.enqueueMany("q", Array.from({ length: 100 }, () => ({ key: "tenant" })));
        for (let k = 0; k < 100; k++) {
          const [job] = await svc.claim({ queue: "q", workerId: "w", max: 1 });
          await svc.complete({ id: job!.id, token: job!.leaseToken! });
        }
      }
      const [head] = (await svc.enqueueMany("q", [{ key: "tenant" }, { key: "tenant" }])).map((o) => o.job);
      const [claimed] = await svc.claim({ queue: "q", workerId: "w", max: 1 });
      expect(claimed!.id).toBe(head!.id);
      const statements = await statementsRun(store, () => svc.complete({ id: claimed!.id, token: claimed!.leaseToken! }));
      const handOn = statements.find((sql) => sql.includes("state = 'blocked'") && sql.startsWith("SELECT"));
      expect(explain(path, handOn!)).toEqual(["SEARCH jobs USING INDEX jobs_lane (queue=? AND key=?)"]);
      expect((await svc.listJobs({ queue: "q", state: "waiting", limit: 10 })).jobs).toHaveLength(1);
    } finally {
      await store.close();
    }
  });

  test("a claim reads runnable jobs through jobs_runnable and never scans the jobs table", async () => {
    const { path, store, svc } = open();
    try {
      await svc.putQueue("q", { ...settingsOf("q"), concurrency: 5000, rateLimit: { max: 100_000, intervalMs: 1000 } });
      const lanes = Array.from({ length: 2000 }, (_, i) => ({ key: `k${i % 20}` }));
      for (let i = 0; i < lanes.length; i += 1000) await svc.enqueueMany("q", lanes.slice(i, i + 1000));
      await svc.enqueueMany("q", Array.from({ length: 1000 }, (_, i) => ({ payload: i })));
      const done = await svc.claim({ queue: "q", workerId: "w", max: 1000 });
      await svc.completeMany(done.map((j) => ({ id: j.id, token: j.leaseToken! })));
      await svc.enqueueMany("q", Array.from({ length: 500 }, () => ({ delayMs: 60_000 })));
      await svc.enqueueMany("q", Array.from({ length: 50 }, () => ({})));

      for (const analyzed of [false, true]) {
        if (analyzed) store.db.exec("ANALYZE");
        const statements = await statementsRun(store, () => svc.claim({ queue: "q", workerId: "w", max: 10 }));
        const plans = statements.map((sql) => ({ sql, plan: explain(path, sql) }));
        const claimPlan = plans.find((p) => p.plan.some((d) => d.includes("jobs_runnable")));
        expect(claimPlan).toBeDefined();
        expect(claimPlan!.plan.some((d) => d.includes("TEMP B-TREE"))).toBe(false);
        for (const { sql, plan } of plans) {
          expect({ sql, scans: plan.filter((d) => /^SCAN /.test(d)) }).toEqual({ sql, scans: [] });
        }
      }
    } finally {
      await store.close();
    }
  });
});

/** The SQL an action runs, captured at the database handle. */
async function statementsRun(store: SqliteStore, action: () => Promise<unknown>): Promise<string[]> {
  const db = store.db;
  const query = db.query;
  const seen: string[] = [];
  db.query = ((sql: string) => {
    seen.push(sql);
    return query.call(db, sql);
  }) as Database["query"];
  try {
    await action();
  } finally {
    db.query = query;
  }
  expect(seen.length).toBeGreaterThan(0);
  return [...new Set(seen)];
}

/**
 * The plan of one statement, read on a connection of its own: under bun:sqlite, explaining a
 * write statement leaves it in progress on its connection, which would block the store's COMMIT.
 */
function explain(path: string, sql: string): string[] {
  const db = new Database(path, { readonly: true });
  try {
    return (db.query(`EXPLAIN QUERY PLAN ${sql}`).all() as { detail: string }[]).map((r) => r.detail);
  } finally {
    db.close();
  }
}
