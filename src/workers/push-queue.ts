/**
 * PushQueue: delivers one queue's jobs to its target, at most `target.concurrency` at once
 * (default 10). Each queue has its own claims and its own slots, so a slow target holds up
 * only its own queue.
 */
import { SpoolError } from "../core/errors.ts";
import type { Job } from "../core/job.ts";
import type { PushTarget } from "../core/queue-config.ts";
import type { QueueService } from "../core/queue-service.ts";
import { MAX_WAIT_MS } from "../core/work-requests.ts";
import type { CompletionBatch } from "./completion-batch.ts";
import { DEFAULT_TARGET_TIMEOUT_MS } from "../core/queue-config.ts";
import { deliver } from "./push-delivery.ts";
import { claimAsWorker } from "./worker-calls.ts";
import type { WorkerIdentity, WorkerRegistry } from "./worker-registry.ts";

/** How often a delivery in flight looks whether its job was asked to cancel. */
const CANCEL_CHECK_MS = 1000;

export const DEFAULT_TARGET_CONCURRENCY = 10;
const IDLE_WAIT_MS = Math.min(10_000, MAX_WAIT_MS);
/** Leases outlast the request by this much, so an answer that arrives in time is always recorded. */
const LEASE_MARGIN_MS = 30_000;

export type PushQueueDeps = {
  service: QueueService;
  registry: WorkerRegistry;
  completions: CompletionBatch;
  host: string;
  onError: (err: unknown) => void;
  /** An operator asked this queue's deliveries to shut down (POST /v1/workers/{id}/shutdown); they have stopped. */
  onShutdown: (queue: string) => void;
};

export class PushQueue {
  readonly stopped: Promise<void>;
  private target: PushTarget;
  private secrets: string[] = [];
  private inflight = new Set<Promise<void>>();
  private stopping = false;
  private readonly claimAbort = new AbortController();
  /** Aborts deliveries still in flight when the grace period ends. */
  private readonly release = new AbortController();
  private slotFreed: (() => void) | null = null;

  constructor(
    private readonly deps: PushQueueDeps,
    readonly queue: string,
    target: PushTarget,
    secrets: string[],
  ) {
    this.target = target;
    this.secrets = secrets;
    this.stopped = this.loop();
  }

  /** The target or its secrets changed; the next claims and deliveries use the new ones. */
  update(target: PushTarget, secrets: string[]): void {
    this.target = target;
    this.secrets = secrets;
    // Waiting for a slot to come free: a raised concurrency may have made some.
    this.slotFreed?.();
  }

  get active(): number {
    return this.inflight.size;
  }

  /** Stops claiming; deliveries still in flight after graceMs are aborted and their jobs given back. */
  async stop(graceMs = Infinity): Promise<void> {
    this.stopping = true;
    this.claimAbort.abort();
    this.slotFreed?.();
    if (Number.isFinite(graceMs)) {
      const timer = setTimeout(() => this.release.abort(), Math.max(0, graceMs));
      await this.stopped;
      clearTimeout(timer);
    } else {
      await this.stopped;
    }
  }

  private identity(): WorkerIdentity {
    return {
      id: `push:${this.queue}@${this.deps.host}:${process.pid}`,
      kind: "push",
      name: `push ${this.queue} → ${new URL(this.target.url).host}`,
      host: this.deps.host,
      queues: [this.queue],
      concurrency: this.concurrency(),
    };
  }

  private concurrency(): number {
    return this.target.concurrency ?? DEFAULT_TARGET_CONCURRENCY;
  }

  private async loop(): Promise<void> {
    while (!this.stopping) {
      const free = this.concurrency() - this.inflight.size;
      if (free <= 0) {
        await new Promise<void>((resolve) => (this.slotFreed = resolve));
        this.slotFreed = null;
        continue;
      }
      const timeoutMs = this.target.timeoutMs ?? DEFAULT_TARGET_TIMEOUT_MS;
      try {
        const { jobs, control } = await claimAsWorker(this.deps, {
          queue: this.queue, identity: this.identity(), max: free, leaseMs: timeoutMs + LEASE_MARGIN_MS, waitMs: IDLE_WAIT_MS,
          signal: this.claimAbort.signal,
        });
        for (const job of jobs) this.track(this.deliverOne(job, timeoutMs));
        if (control.shutdown) {
          this.stopping = true;
          this.deps.onShutdown(this.queue);
        }
        // A stopped service answers every claim empty at once; looping on would never yield.
        if (jobs.length === 0 && this.deps.service.stopped) this.stopping = true;
      } catch (err) {
        this.deps.onError(err);
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
    }
    while (this.inflight.size > 0) await Promise.all(this.inflight);
  }

  private track(delivery: Promise<void>): void {
    this.inflight.add(delivery);
    void delivery.finally(() => {
      this.inflight.delete(delivery);
      this.slotFreed?.();
    });
  }

  private async deliverOne(job: Job, targetTimeoutMs: number): Promise<void> {
    const { service, completions } = this.deps;
    const now = service.clock.now();
    const timeoutMs = job.deadlineAt === null ? targetTimeoutMs : Math.min(targetTimeoutMs, job.deadlineAt - now);
    // spool is this job's worker: a cancel asked while the target has not answered, or the job
    // gone from under it (cancelled with force, deleted), ends the delivery, as a handler's signal
    // would end it (looked at once a second; most answer sooner).
    const cancel = new AbortController();
    const watch = setInterval(() => void this.toStop(job).then((stop) => stop && cancel.abort()), CANCEL_CHECK_MS);
    let outcome;
    try {
      outcome = await deliver({
        job, target: this.target, secrets: this.secrets, timeoutMs, signal: this.release.signal, cancelled: cancel.signal, nowS: Math.floor(now / 1000),
      });
    } finally {
      clearInterval(watch);
    }
    try {
      if (outcome.completed) await completions.complete({ id: job.id, token: job.leaseToken!, result: outcome.result });
      else await service.fail({ id: job.id, token: job.leaseToken!, ...outcome.failure });
    } catch (err) {
      // Cancelled with force, or expired: the job has moved on without us.
      if (!(err instanceof SpoolError && (err.code === "lease_lost" || err.code === "not_found"))) this.deps.onError(err);
    }
  }

  /** Whether the delivery of `job` should stop: a cancel was asked, or its lease is no longer this delivery's. */
  private async toStop(job: Job): Promise<boolean> {
    try {
      const now = await this.deps.service.getJob(job.id);
      return now.cancelRequested || now.state !== "active" || now.leaseToken !== job.leaseToken;
    } catch (err) {
      return err instanceof SpoolError && err.code === "not_found";
    }
  }
}
