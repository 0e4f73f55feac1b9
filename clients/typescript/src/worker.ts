/**
 * SpoolWorker (`client.work(queue, handler, options)`): a pull worker over HTTP. It long-polls
 * for as many jobs as it has free slots, reports the jobs it just ran inside its next claim (one
 * round trip per batch), heartbeats while handlers run, and on stop (worker.stop(), SIGTERM, or
 * an operator's shutdown) claims no more, lets running handlers finish within the grace period
 * and gives back the rest.
 */
import type { ClaimJobsBody, ClaimJobsResponse, FinishedItem, Job } from "./api-types.js";
import { SpoolApiError } from "./errors.js";
import { sleep, type Http } from "./http.js";
import { RunningJob, type Handler } from "./running-job.js";

export type WorkOptions = {
  /** Handlers running at once (default 1). */
  concurrency?: number;
  /** Lease per claim, extended by each heartbeat (default 30 s; 1 s to 1 h). */
  leaseMs?: number;
  /** Time between heartbeats of a running job (default a third of leaseMs). */
  heartbeatMs?: number;
  /** How long one claim waits for a job to arrive (long poll; default 25 s, at most 30 s). */
  waitMs?: number;
  /** How long running handlers get to finish on SIGTERM/SIGINT or an operator's shutdown (default 30 s). */
  graceMs?: number;
  /** Stop gracefully on SIGTERM and SIGINT where `process` exists; a second signal gives running jobs back at once (default true). */
  handleSignals?: boolean;
  /** Identity in GET /v1/workers (default a random id, a name from the queue, and this machine's host name). */
  workerId?: string;
  name?: string;
  host?: string;
  /** Errors the worker survives (a failed claim or heartbeat, an outcome it could not report); default console.error. */
  onError?: (err: unknown) => void;
};

const RETRY_CLAIM_MS = 1000;
/**
 * On stop, a claim out for longer than this is taken to be a long poll waiting for jobs and is
 * aborted; a younger one is let come back (its jobs run within the grace period), since aborting a
 * claim that the server is answering would leave its jobs leased to nobody until the lease expires.
 */
const LONG_POLL_AFTER_MS = 200;
/** A finished job waits at most this long for the next claim to carry it before it is sent on its own. */
const CARRY_WAIT_MS = 20;
/** Results larger than this are sent on their own: a result the server refuses would refuse the whole claim. */
const CARRIED_RESULT_MAX = 16 * 1024;
/** Claim answers that asking again cannot change: the worker stops instead of retrying forever. */
const REFUSALS = new Set([400, 401, 403]);

type Outcome = { item: FinishedItem; size: number };

/** `process` where there is one (Node, Bun, Deno): for signals, the pid and the host name. */
const proc = (globalThis as { process?: { pid?: number; env?: Record<string, string | undefined>; on?: Function; off?: Function } }).process;

/** The host name under Node, Bun and Deno (through node:os); undefined elsewhere. */
function hostName(): Promise<string | undefined> {
  // Not a literal, so bundlers for browsers leave it alone.
  const os = "node:os";
  return (import(os) as Promise<{ hostname(): string }>).then((m) => m.hostname() || undefined, () => undefined);
}

export class SpoolWorker {
  readonly id: string;
  /** Resolves once the worker has stopped and every outcome is reported (or given up on). */
  readonly done: Promise<void>;
  private readonly concurrency: number;
  private readonly leaseMs: number;
  private readonly heartbeatMs: number;
  /** This machine's name, shown in GET /v1/workers (none where there is no node:os). */
  private readonly host: Promise<string | undefined>;
  private readonly waitMs: number;
  private readonly graceMs: number;
  private readonly onError: (err: unknown) => void;
  private readonly running = new Set<RunningJob>();
  /** Outcomes sent on their own, awaited before the worker is done. */
  private readonly sending = new Set<Promise<void>>();
  /** Outcomes waiting for the next claim to carry them. */
  private carried: Outcome[] = [];
  private carryTimer: ReturnType<typeof setTimeout> | undefined;
  /** A claim is out (possibly a long poll), sent at claimSentAt. */
  private claiming = false;
  private claimSentAt = 0;
  private stopping = false;
  private graceTimer: ReturnType<typeof setTimeout> | undefined;
  private graceEndsAt = Infinity;
  private graceOver = false;
  private readonly claimAbort = new AbortController();
  private wake: (() => void) | null = null;
  private removeSignalHandlers = () => {};

  constructor(
    private readonly http: Http,
    readonly queue: string,
    private readonly handler: Handler,
    private readonly options: WorkOptions = {},
  ) {
    this.concurrency = options.concurrency ?? 1;
    // A worker that may run no job would wait for ever without a word.
    if (!Number.isInteger(this.concurrency) || this.concurrency < 1) throw new RangeError(`concurrency must be a whole number of at least 1 (got ${options.concurrency})`);
    this.leaseMs = options.leaseMs ?? 30_000;
    this.heartbeatMs = options.heartbeatMs ?? Math.max(500, Math.floor(this.leaseMs / 3));
    // A heartbeat every 0 ms would flood the server for as long as a job runs.
    if (!(this.heartbeatMs >= 100 && Number.isFinite(this.heartbeatMs))) throw new RangeError(`heartbeatMs must be at least 100 (got ${options.heartbeatMs})`);
    this.host = options.host !== undefined ? Promise.resolve(options.host) : hostName();
    this.waitMs = options.waitMs ?? 25_000;
    this.graceMs = options.graceMs ?? 30_000;
    this.onError = options.onError ?? ((err) => console.error(`spool worker ${queue}:`, err));
    this.id = options.workerId ?? `ts:${queue}:${proc?.pid ?? "browser"}:${Math.random().toString(36).slice(2, 10)}`;
    if (options.handleSignals !== false) this.handleSignals();
    this.done = this.run().finally(() => this.removeSignalHandlers());
  }

  /** Handlers running now. */
  get active(): number {
    return this.running.size;
  }

  /** Stops claiming and lets running handlers finish, however long they take; resolves when the worker is done. */
  close(): Promise<void> {
    return this.stop(Infinity);
  }

  /**
   * Stops claiming; handlers still running after `graceMs` (default the worker's graceMs) have
   * their signal aborted and their jobs given back to run again at once. A second stop may
   * shorten the grace period. Resolves when the worker is done.
   */
  stop(graceMs = this.graceMs): Promise<void> {
    if (!this.stopping) {
      this.stopping = true;
      const age = this.claiming ? Date.now() - this.claimSentAt : Infinity;
      if (age >= LONG_POLL_AFTER_MS) this.claimAbort.abort();
      else setTimeout(() => this.claimAbort.abort(), LONG_POLL_AFTER_MS - age);
      this.wake?.();
    }
    const endsAt = Date.now() + graceMs;
    if (endsAt < this.graceEndsAt) {
      this.graceEndsAt = endsAt;
      clearTimeout(this.graceTimer);
      if (Number.isFinite(graceMs)) this.graceTimer = setTimeout(() => this.releaseAll(), Math.max(0, graceMs));
    }
    return this.done;
  }

  private async run(): Promise<void> {
    while (!this.stopping) {
      const free = this.concurrency - this.running.size;
      if (free <= 0) {
        await new Promise<void>((resolve) => (this.wake = resolve));
        this.wake = null;
        continue;
      }
      await this.claim(free);
    }
    while (this.running.size > 0) await new Promise<void>((resolve) => (this.wake = resolve));
    clearTimeout(this.graceTimer);
    this.sendCarried();
    while (this.sending.size > 0) await Promise.all([...this.sending]);
  }

  /** One claim for up to `max` jobs, carrying the outcomes that wait. */
  private async claim(max: number): Promise<void> {
    // Resolved before the carried outcomes are taken: none may finish between the two unseen.
    const host = await this.host;
    const outcomes = this.takeCarried();
    const body: ClaimJobsBody = {
      workerId: this.id, max, leaseMs: this.leaseMs, waitMs: this.waitMs,
      name: this.options.name ?? `spool/client ${this.queue}`, queues: [this.queue], concurrency: this.concurrency,
      ...(host ? { host } : {}),
      ...(outcomes.length ? { finished: outcomes.map((o) => o.item) } : {}),
    };
    this.claiming = true;
    this.claimSentAt = Date.now();
    try {
      const { data } = await this.http.request<ClaimJobsResponse>("POST", `/v1/queues/${encodeURIComponent(this.queue)}/claim`, {
        body, signal: this.claimAbort.signal,
        // A long poll is answered after up to waitMs: only past that is a silent server a failure.
        timeoutMs: this.waitMs + this.http.timeoutMs,
      });
      for (const job of data.jobs) this.start(job);
      // Came back after the grace period ended: these jobs go back at once.
      if (this.graceOver) this.releaseAll();
      if (data.control?.shutdown) void this.stop();
    } catch (err) {
      if (err instanceof SpoolApiError && err.status === 413 && outcomes.length > 0) {
        // The results made the claim too large for this server: each goes on its own instead.
        for (const o of outcomes) this.sendAlone(o);
        return;
      }
      // Not known to have arrived: carried again (a resent completion answers the same).
      this.carried.unshift(...outcomes);
      if (this.stopping) return;
      if (err instanceof SpoolApiError && REFUSALS.has(err.status)) {
        this.onError(new Error(`the server refuses this worker's claims, stopping: ${err.message}`, { cause: err }));
        void this.stop();
        return;
      }
      this.onError(err);
      await sleep(RETRY_CLAIM_MS, this.claimAbort.signal).catch(() => {});
    } finally {
      this.claiming = false;
    }
  }

  private start(job: Job & { lease: { token: string; expiresAt: string } }): void {
    const running = new RunningJob(job, {
      http: this.http, leaseMs: this.leaseMs, heartbeatMs: this.heartbeatMs, onError: this.onError,
      onControl: (control) => void (control.shutdown && this.stop()),
    });
    this.running.add(running);
    // The slot frees before the outcome is handed on, so the claim that carries it can fill the slot.
    // A job given back at the end of the grace period is no longer in `running`: its outcome was reported then.
    running
      .run(this.handler)
      .then(
        (outcome) => {
          if (this.running.delete(running) && outcome) this.finish(outcome);
        },
        (err) => {
          this.running.delete(running);
          this.onError(err);
        },
      )
      .finally(() => this.wake?.());
  }

  /** Ends the grace period: running handlers are aborted and their jobs given back. */
  private releaseAll(): void {
    this.graceOver = true;
    for (const running of this.running) {
      const outcome = running.release();
      this.running.delete(running);
      if (outcome) this.sendAlone(outcome);
    }
    this.wake?.();
  }

  /** A handler ended: its outcome rides with the next claim when one is coming soon, else goes on its own. */
  private finish(outcome: Outcome): void {
    if (this.stopping || outcome.size > CARRIED_RESULT_MAX) return this.sendAlone(outcome);
    this.carried.push(outcome);
    if (!this.claiming) this.wake?.();
    // A claim is out and may be a long poll: give it a moment to come back, then send on its own.
    else this.carryTimer ??= setTimeout(() => this.sendCarried(), CARRY_WAIT_MS);
  }

  private takeCarried(): Outcome[] {
    clearTimeout(this.carryTimer);
    this.carryTimer = undefined;
    const outcomes = this.carried;
    this.carried = [];
    return outcomes;
  }

  private sendCarried(): void {
    for (const o of this.takeCarried()) this.sendAlone(o);
  }

  private sendAlone(outcome: Outcome): void {
    const sent = this.report(outcome.item)
      .catch(this.onError)
      .finally(() => this.sending.delete(sent));
    this.sending.add(sent);
  }

  /**
   * Completes or fails one job in a request of its own, resent after a network error for as long
   * as the lease could last (a resent outcome with the same token gets the same answer). A result
   * the server cannot take fails the job for good; a lost lease is no error of ours.
   */
  private async report(item: FinishedItem): Promise<void> {
    const retryMs = Math.max(this.http.retryMs, this.leaseMs);
    const path = `/v1/jobs/${encodeURIComponent(item.id)}`;
    try {
      if ("error" in item) {
        const { id: _id, ...body } = item;
        await this.http.request("POST", `${path}/fail`, { body, retryMs });
      } else {
        try {
          await this.http.request("POST", `${path}/complete`, { body: { token: item.token, result: item.result }, retryMs });
        } catch (err) {
          if (!(err instanceof SpoolApiError && err.status === 413)) throw err;
          const error = { type: "result_too_large", message: `the handler's result is larger than the server accepts: ${err.message}` };
          await this.http.request("POST", `${path}/fail`, { body: { token: item.token, error, retry: false }, retryMs });
        }
      }
    } catch (err) {
      if (err instanceof SpoolApiError && (err.status === 409 || err.status === 404)) return;
      throw err;
    }
  }

  private handleSignals(): void {
    if (typeof proc?.on !== "function" || typeof proc.off !== "function") return;
    let signals = 0;
    const onSignal = () => {
      if (++signals === 1) void this.stop();
      else this.releaseAll();
    };
    proc.on("SIGTERM", onSignal);
    proc.on("SIGINT", onSignal);
    this.removeSignalHandlers = () => {
      proc.off!("SIGTERM", onSignal);
      proc.off!("SIGINT", onSignal);
    };
  }
}
