/** What every store-contract case works with: a fresh store, a test clock, the real QueueService, and small helpers. */
import { expect } from "bun:test";
import { TestClock } from "../../src/core/clock.ts";
import { SpoolError } from "../../src/core/errors.ts";
import type { EnqueueOptions, Job, JobState } from "../../src/core/job.ts";
import { defaultQueueConfig, type QueueSettings } from "../../src/core/queue-config.ts";
import { QueueService } from "../../src/core/queue-service.ts";
import type { Store } from "../../src/core/store.ts";

export const START = "2026-01-01T00:00:00Z";

/** One case's world. `jitter` is what the service's random source returns: 1 means no jitter reduction. */
export class Ctx {
  readonly clock = new TestClock(START);
  readonly svc: QueueService;
  jitter = 1;

  private readonly twins: { store: Store; svc: QueueService }[] = [];

  constructor(readonly store: Store, private readonly openTwin?: (store: Store) => Store) {
    this.svc = new QueueService({ store, clock: this.clock, random: () => this.jitter });
  }

  /**
   * A second store over the same data (another process's view: a second connection to the same
   * database or Redis) with a service of its own on the same clock; closed with the case.
   */
  twin(): { store: Store; svc: QueueService } {
    if (!this.openTwin) throw new Error("this store contract run opens no second store over the same data");
    const store = this.openTwin(this.store);
    const twin = { store, svc: new QueueService({ store, clock: this.clock, random: () => this.jitter }) };
    this.twins.push(twin);
    return twin;
  }

  now(): number {
    return this.clock.now();
  }

  async enqueue(queue: string, options: EnqueueOptions = {}): Promise<Job> {
    return (await this.svc.enqueue(queue, options)).job;
  }

  /** Claims with a generous lease unless told otherwise. */
  async claim(queue: string, max = 1, leaseMs = 60_000, workerId = "w1"): Promise<Job[]> {
    return this.svc.claim({ queue, workerId, max, leaseMs });
  }

  /** Claims exactly one job and returns it; fails the case when nothing was runnable. */
  async claimOne(queue: string, leaseMs = 60_000): Promise<Job> {
    const jobs = await this.claim(queue, 1, leaseMs);
    expect(jobs).toHaveLength(1);
    return jobs[0]!;
  }

  async complete(job: Job, result: unknown = null): Promise<Job> {
    return this.svc.complete({ id: job.id, token: job.leaseToken!, result });
  }

  async failWith(job: Job, options: { type?: string; message?: string; retry?: boolean; retryInMs?: number } = {}): Promise<Job> {
    return this.svc.fail({
      id: job.id,
      token: job.leaseToken!,
      error: { message: options.message ?? "boom", type: options.type },
      retry: options.retry,
      retryInMs: options.retryInMs,
    });
  }

  async state(id: string): Promise<JobState> {
    return (await this.svc.getJob(id)).state;
  }

  async states(ids: string[]): Promise<JobState[]> {
    return Promise.all(ids.map((id) => this.state(id)));
  }

  /** Writes a queue's whole config from the defaults plus the given changes. */
  async configure(queue: string, changes: Partial<QueueSettings>) {
    const { name: _name, paused: _paused, ...base } = defaultQueueConfig(queue);
    return this.svc.putQueue(queue, { ...base, ...changes });
  }

  async close(): Promise<void> {
    for (const twin of this.twins.splice(0)) {
      await twin.svc.stop();
      await twin.store.close();
    }
    await this.svc.stop();
    await this.store.close();
  }
}

/**
 * Awaits a refusal and checks its code and status, and, given `paths`, that its details and
 * message name exactly those fields; returns the error for further checks.
 */
export async function refused(promise: Promise<unknown>, code: string, status: number, paths?: string[]): Promise<SpoolError> {
  let caught: unknown;
  try {
    await promise;
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(SpoolError);
  const err = caught as SpoolError;
  expect({ code: err.code, status: err.status }).toEqual({ code, status });
  if (paths) {
    expect((err.details as { path: string }[]).map((d) => d.path).sort()).toEqual([...paths].sort());
    for (const p of paths) expect(err.message).toContain(p);
  }
  return err;
}

/** Ids are opaque strings that increase in enqueue order; compared digit-aware so "10" follows "9". */
export function compareIds(a: string, b: string): number {
  return a.localeCompare(b, "en", { numeric: true });
}

export const ids = (jobs: Job[]) => jobs.map((j) => j.id);

/** Registers one named case; the runner gives each case a fresh Ctx and closes it afterwards. */
export type ContractCase = (name: string, body: (ctx: Ctx) => Promise<void>) => void;
