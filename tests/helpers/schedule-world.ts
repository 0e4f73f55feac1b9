/** A fresh SQLite store in a temp folder with a TestClock, QueueService, ScheduleService and Scheduler over it. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { TestClock } from "../../src/core/clock.ts";
import type { Job } from "../../src/core/job.ts";
import { QueueService } from "../../src/core/queue-service.ts";
import { ScheduleService } from "../../src/scheduler/schedule-service.ts";
import { Scheduler } from "../../src/scheduler/scheduler.ts";
import { SqliteStore } from "../../src/store/sqlite/sqlite-store.ts";

export class ScheduleWorld {
  readonly dir = mkdtempSync(join(tmpdir(), "spool-"));
  readonly path = join(this.dir, "spool.db");
  readonly clock: TestClock;
  readonly store: SqliteStore;
  readonly svc: QueueService;
  readonly schedules: ScheduleService;
  readonly scheduler: Scheduler;
  private extra: SqliteStore[] = [];

  constructor(start = "2026-01-01T00:00:00Z", options: { historyKeep?: number } = {}) {
    this.clock = new TestClock(start);
    this.store = new SqliteStore({ path: this.path });
    // Long polls never look again by themselves here: only a fire (or an enqueue) wakes them.
    this.svc = new QueueService({ store: this.store, clock: this.clock, recheckMs: 600_000 });
    this.schedules = new ScheduleService(this.svc, options);
    this.scheduler = this.newScheduler(this.svc, options);
  }

  /** Another scheduler over the same service (same store handle). */
  newScheduler(svc = this.svc, options: { historyKeep?: number } = {}): Scheduler {
    return new Scheduler({ service: svc, builtinTimezone: "UTC", ...options });
  }

  /** A second SqliteStore handle on the same database file, as another process would have. */
  openSecondStore(): { store: SqliteStore; svc: QueueService } {
    const store = new SqliteStore({ path: this.path });
    this.extra.push(store);
    return { store, svc: new QueueService({ store, clock: this.clock }) };
  }

  at(iso: string): number {
    return Date.parse(iso);
  }

  /** Moves the clock to `iso` and runs one scheduler pass. */
  async tickAt(iso: string, scheduler = this.scheduler) {
    this.clock.set(iso);
    return scheduler.tick();
  }

  /** Every job of a queue, oldest first. */
  async jobs(queue: string): Promise<Job[]> {
    return (await this.svc.listJobs({ queue, limit: 500 })).jobs.reverse();
  }

  /** The fire times (ISO) of a queue's jobs, read from their idempotency keys. */
  async fireTimes(queue: string): Promise<string[]> {
    return (await this.jobs(queue)).map((j) => j.idempotencyKey!.replace(/^schedule:.*?:(?=\d{4}-)/, ""));
  }

  async close(): Promise<void> {
    for (const store of this.extra) await store.close();
    await this.svc.stop();
    await this.store.close();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export { refused } from "../store-contract/harness.ts";
