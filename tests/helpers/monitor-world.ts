/** A fresh SQLite store under a TestClock with a QueueService, and shortcuts to run jobs through with known timings. */
import { expect } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { TestClock } from "../../src/core/clock.ts";
import type { EnqueueOptions, Job } from "../../src/core/job.ts";
import { QueueService } from "../../src/core/queue-service.ts";
import { SqliteStore } from "../../src/store/sqlite/sqlite-store.ts";

export type JobPlan = {
  /** Time from enqueue to claim. */
  waitMs?: number;
  /** Time from claim to its end. */
  runMs?: number;
  /** Fail with this error type instead of completing. */
  fail?: string;
  /** Fail without retry (the job ends failed). */
  final?: boolean;
  options?: EnqueueOptions;
};

export class MonitorWorld {
  readonly dir = mkdtempSync(join(tmpdir(), "spool-"));
  readonly clock: TestClock;
  readonly store: SqliteStore;
  readonly svc: QueueService;

  constructor(start = "2026-01-05T10:00:00Z") {
    this.clock = new TestClock(start);
    this.store = new SqliteStore({ path: join(this.dir, "spool.db") });
    // No jitter: retry times are exact.
    this.svc = new QueueService({ store: this.store, clock: this.clock, random: () => 1 });
  }

  now(): number {
    return this.clock.now();
  }

  async enqueue(queue: string, options: EnqueueOptions = {}): Promise<Job> {
    return (await this.svc.enqueue(queue, options)).job;
  }

  async claimOne(queue: string, leaseMs = 3_600_000): Promise<Job> {
    const [job] = await this.svc.claim({ queue, workerId: "w1", leaseMs });
    expect(job).toBeDefined();
    return job!;
  }

  /** Enqueues, waits, claims, runs and completes (or fails) one job; the clock ends at the job's end. */
  async run(queue: string, plan: JobPlan = {}): Promise<Job> {
    const job = await this.enqueue(queue, plan.options);
    this.clock.advance(plan.waitMs ?? 0);
    const claimed = await this.claimOne(queue);
    expect(claimed.id).toBe(job.id);
    this.clock.advance(plan.runMs ?? 0);
    if (plan.fail === undefined) return this.svc.complete({ id: claimed.id, token: claimed.leaseToken! });
    return this.svc.fail({
      id: claimed.id, token: claimed.leaseToken!, error: { message: `${plan.fail} happened`, type: plan.fail }, retry: plan.final ? false : undefined,
    });
  }

  async close(): Promise<void> {
    await this.store.close();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
