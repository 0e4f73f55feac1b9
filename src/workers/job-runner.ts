/**
 * JobRunner: runs one queue's jobs with an in-process handler. Claims for the free slots
 * (on a remote store two at once, each for half of them), long-polling when the queue is
 * empty; completions go out in batches; heartbeats, timeouts and cancellation are handled
 * for the handler.
 */
import { hostname } from "node:os";
import type { Job } from "../core/job.ts";
import type { QueueService } from "../core/queue-service.ts";
import { SpoolError, validationFailed } from "../core/errors.ts";
import { NAME_RULE, QUEUE_NAME } from "../core/job.ts";
import { DEFAULT_LEASE_MS, MAX_LEASE_MS, MAX_WAIT_MS, MAX_WORKER_CONCURRENCY } from "../core/work-requests.ts";
import { quietLog } from "../quiet-log.ts";
import { CompletionBatch } from "./completion-batch.ts";
import type { Handler } from "./handler.ts";
import { RunningJob } from "./running-job.ts";
import { claimAsWorker } from "./worker-calls.ts";
import type { WorkerControl, WorkerIdentity, WorkerRegistry } from "./worker-registry.ts";

export type WorkOptions = {
  /** Jobs run at once (default 1). */
  concurrency?: number;
  /** Lease per claim and per heartbeat (default 30 s). */
  leaseMs?: number;
  /** How often a running job's lease is extended (default a third of leaseMs, at most 5 s). */
  heartbeatMs?: number;
  /** Shown in GET /v1/workers. */
  name?: string;
  /** Stable id for the registry (default: queue, host, process id and a random suffix). */
  workerId?: string;
  /** Where unexpected errors go (storage trouble while claiming or reporting); default console.error. */
  onError?: (err: unknown) => void;
};

const isIntIn = (v: unknown, min: number, max: number) => typeof v === "number" && Number.isInteger(v) && v >= min && v <= max;

/** What is wrong with a worker's queue name and options, or null: checked before it starts, not found out at its first claim. */
export function workProblem(queue: unknown, o: WorkOptions): string | null {
  if (typeof queue !== "string" || !QUEUE_NAME.test(queue)) return `"${String(queue)}" is not a queue name (${NAME_RULE})`;
  if (o.concurrency !== undefined && !isIntIn(o.concurrency, 1, MAX_WORKER_CONCURRENCY)) return `concurrency must be a whole number from 1 to ${MAX_WORKER_CONCURRENCY}`;
  if (o.leaseMs !== undefined && !isIntIn(o.leaseMs, 1000, MAX_LEASE_MS)) return `leaseMs must be a whole number of ms from 1000 to ${MAX_LEASE_MS}`;
  const leaseMs = o.leaseMs ?? DEFAULT_LEASE_MS;
  if (o.heartbeatMs !== undefined && !isIntIn(o.heartbeatMs, 10, leaseMs - 1)) return `heartbeatMs must be a whole number of ms from 10 to less than leaseMs (${leaseMs})`;
  if (o.name !== undefined && (typeof o.name !== "string" || o.name.length > 200)) return "name must be text of at most 200 characters";
  if (o.workerId !== undefined && (typeof o.workerId !== "string" || o.workerId.length === 0 || o.workerId.length > 200)) return "workerId must be text of 1 to 200 characters";
  return null;
}

export type RunnerDeps = { service: QueueService; registry: WorkerRegistry; completions?: CompletionBatch };

/** Idle claims wait this long, so the worker is seen at least this often while the queue is empty. */
const IDLE_WAIT_MS = Math.min(10_000, MAX_WAIT_MS);
/** How long a handler may go on after its attempt ended (and its signal aborted) before its slot goes to the next job. */
const ABANDON_AFTER_MS = 5000;
/** Pause after a failed claim before trying again. */
const CLAIM_RETRY_MS = 1000;
/**
 * Claims out at once on a remote store. With one, the store and the handlers take turns: the
 * store idles while the jobs of the last claim run and report, and they wait while it answers
 * the next claim. (On a store in this process a second claim only splits the first.)
 */
const REMOTE_CLAIMS_OUT = 2;

export class JobRunner {
  readonly id: string;
  readonly queue: string;
  /** Resolves once the runner has stopped claiming and every job it ran is finished or released. */
  readonly stopped: Promise<void>;
  private readonly identity: WorkerIdentity;
  private readonly concurrency: number;
  private readonly leaseMs: number;
  private readonly heartbeatMs: number;
  private readonly completions: CompletionBatch;
  private readonly onError: (err: unknown) => void;
  private running = new Map<string, { job: RunningJob; done: Promise<void> }>();
  /** Completions and failures on their way to the store; a slot is free again before they land. */
  private reports = new Set<Promise<void>>();
  private stopping = false;
  private readonly claimAbort = new AbortController();
  /** Slots asked for by claims not yet answered. */
  private promised = 0;
  private claimsOut = 0;
  private readonly maxClaimsOut: number;
  /** Jobs asked for per claim: with two claims out, one is in the store while the other's jobs run. */
  private readonly claimSize: number;
  /** After a failed claim, no new claim before this (performance.now()). */
  private pausedUntil = 0;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  /** Wakes the loop (the only one that waits for a change). */
  private wake: (() => void) | null = null;
  private ticker: ReturnType<typeof setInterval> | null = null;

  constructor(
    private readonly deps: RunnerDeps,
    queue: string,
    private readonly handler: Handler,
    options: WorkOptions = {},
  ) {
    const problem = workProblem(queue, options);
    if (problem) throw validationFailed(`cannot work queue ${queue}: ${problem}`);
    this.queue = queue;
    this.concurrency = options.concurrency ?? 1;
    this.maxClaimsOut = deps.service.store.remote ? REMOTE_CLAIMS_OUT : 1;
    this.claimSize = Math.ceil(this.concurrency / this.maxClaimsOut);
    this.leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
    this.heartbeatMs = options.heartbeatMs ?? Math.min(this.leaseMs / 3, 5000);
    this.completions = deps.completions ?? new CompletionBatch(deps.service);
    this.onError = options.onError ?? quietLog(`spool: worker for queue ${queue}:`);
    const host = hostname();
    const name = options.name ?? `${queue} (in-process)`;
    this.id = options.workerId ?? `${queue}@${host}:${process.pid}:${crypto.randomUUID().slice(0, 8)}`;
    this.identity = { id: this.id, kind: "in-process", name, host, queues: [queue], concurrency: this.concurrency };
    this.stopped = this.loop();
  }

  /** Jobs being handled now. */
  get active(): number {
    return this.running.size;
  }

  /**
   * Stops claiming and waits for the running jobs; those still running after `graceMs` are
   * released (their signal aborts and they run again at once, on any worker) and the
   * runner stops without waiting for handlers that ignore their signal.
   */
  async stop(graceMs = Infinity): Promise<void> {
    this.requestStop();
    if (Number.isFinite(graceMs)) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const graceOver = new Promise<"grace over">((resolve) => (timer = setTimeout(() => resolve("grace over"), Math.max(0, graceMs))));
      const outcome = await Promise.race([this.allDone(), graceOver]);
      clearTimeout(timer);
      if (outcome === "grace over") {
        await Promise.all([...this.running.values()].map(({ job }) => job.release()));
        return;
      }
    }
    await this.stopped;
  }

  private requestStop(): void {
    if (this.stopping) return;
    this.stopping = true;
    this.claimAbort.abort();
    this.changed();
  }

  private async loop(): Promise<void> {
    this.ticker = setInterval(() => this.tick(), Math.max(10, this.heartbeatMs / 2));
    try {
      while (!this.stopping) {
        const free = this.concurrency - this.running.size - this.promised;
        if (free <= 0 || this.claimsOut >= this.maxClaimsOut || performance.now() < this.pausedUntil) {
          await this.nextChange();
          continue;
        }
        const max = Math.min(free, this.claimSize);
        this.promised += max;
        this.claimsOut++;
        void this.claimFor(max).finally(() => {
          this.promised -= max;
          this.claimsOut--;
          this.changed();
        });
      }
      while (this.claimsOut > 0) await this.nextChange();
      await this.allDone();
    } finally {
      clearInterval(this.ticker);
      clearTimeout(this.retryTimer);
    }
  }

  /**
   * One claim for up to `max` free slots; its jobs start as soon as it answers. On a remote
   * store it carries the completions not sent yet, so reporting and claiming is one call.
   */
  private async claimFor(max: number): Promise<void> {
    const taken = this.maxClaimsOut > 1 ? this.completions.take() : undefined;
    let answer;
    try {
      answer = await claimAsWorker(this.deps, {
        queue: this.queue, identity: this.identity, max, leaseMs: this.leaseMs, waitMs: IDLE_WAIT_MS, signal: this.claimAbort.signal,
        completing: taken,
      });
    } catch (err) {
      taken?.fail(err);
      this.onError(err);
      this.pausedUntil = performance.now() + CLAIM_RETRY_MS;
      clearTimeout(this.retryTimer);
      this.retryTimer = setTimeout(() => this.changed(), CLAIM_RETRY_MS);
      return;
    }
    for (const job of answer.jobs) this.start(job);
    this.obey(answer.control);
    // A stopped service answers every claim empty at once; looping on would never yield.
    if (answer.jobs.length === 0 && this.deps.service.stopped) this.requestStop();
  }

  /** Resolves at the next freed slot, answered claim or stop request. */
  private nextChange(): Promise<void> {
    return new Promise<void>((resolve) => (this.wake = resolve));
  }

  private changed(): void {
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }

  private start(claimed: Job): void {
    const job = new RunningJob(claimed, {
      ...this.deps,
      completions: this.completions,
      leaseMs: this.leaseMs,
      onControl: (control) => this.obey(control),
      onError: this.onError,
    });
    // The ticker notices a passed deadline too; this timer makes a timeout exact.
    const clock = this.deps.service.clock;
    const deadline = claimed.deadlineAt === null ? undefined : setTimeout(() => job.checkDeadline(clock.now()), claimed.deadlineAt - clock.now());
    const done = this.run(job).finally(() => {
      clearTimeout(deadline);
      // Its slot may have been given up already (abandon()), and the job claimed again since.
      if (this.running.get(claimed.id)?.job === job) this.running.delete(claimed.id);
      this.changed();
    });
    this.running.set(claimed.id, { job, done });
  }

  private async run(job: RunningJob): Promise<void> {
    let result: unknown;
    try {
      result = await this.handler(job.handlerJob(), job.context());
    } catch (thrown) {
      this.track(job.failed(thrown));
      return;
    }
    this.track(job.succeeded(result));
  }

  /** Keeps an outcome's report until it is stored; one that fails is logged, never left unhandled (which would end the process). */
  private track(report: Promise<void>): void {
    const settled = report.catch(this.onError);
    this.reports.add(settled);
    void settled.finally(() => this.reports.delete(settled));
  }

  /**
   * Heartbeats jobs whose last one is heartbeatMs old, times out jobs past their deadline, and
   * gives up the slots of handlers that went on ABANDON_AFTER_MS past the end of their attempt.
   */
  private tick(): void {
    const now = this.deps.service.clock.now();
    const due = performance.now() - this.heartbeatMs;
    for (const [id, { job }] of this.running) {
      job.checkDeadline(now);
      const ended = job.abandonedFor(ABANDON_AFTER_MS, now);
      if (ended) this.abandon(id, ended.type);
      else if (job.lastBeatAt <= due) job.heartbeat().catch(this.onError);
    }
  }

  /**
   * A handler that ignores its signal would hold its slot for as long as it runs (for good, if
   * it never settles) and the queue would stall behind it: the slot goes to the next job, and
   * the handler, which JavaScript cannot stop, is left to finish on its own.
   */
  private abandon(id: string, why: string): void {
    this.running.delete(id);
    // One line in the log (our own error), not a stack: nothing here failed but the handler's manners.
    this.onError(new SpoolError("handler_ignored_signal", 500, `the handler of job ${id} still runs ${ABANDON_AFTER_MS / 1000} s after its attempt ended (${why}) without heeding ctx.signal; its slot goes to the next job`));
    this.changed();
  }

  private obey(control: WorkerControl): void {
    if (control.shutdown) this.requestStop();
  }

  /** Every handler has returned and every outcome is stored. */
  private async allDone(): Promise<void> {
    while (this.running.size > 0 || this.reports.size > 0) {
      await Promise.all([...[...this.running.values()].map((r) => r.done), ...this.reports]);
    }
  }
}
