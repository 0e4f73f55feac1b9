/**
 * ExecWorker (`spool work QUEUE --exec CMD`): a pull worker over HTTP that runs CMD for each
 * job. It long-polls for as many jobs as it has free slots, heartbeats while a command runs,
 * kills the command on cancel or timeout, and on stop (SIGTERM, or an operator's shutdown)
 * claims no more, lets running commands finish within the grace period and gives back the rest.
 */
import { hostname } from "node:os";
import { jsonValueProblem } from "../core/json-value.ts";
import { GIVEN_BACK } from "../core/retry.ts";
import { runCommand, type CommandOutcome, type CommandRun, type KillReason } from "./exec-command.ts";
import { HttpError, LOST, WorkerHttpClient, type ClaimedJob, type FinishedItem } from "./http-worker-client.ts";

export type ExecWorkerOptions = {
  url: string;
  token?: string;
  queue: string;
  command: string;
  concurrency: number;
  leaseMs: number;
  graceMs: number;
  name?: string;
  workerId?: string;
  /** stdout beyond this fails the job (default 1 MiB, the server's default body limit). */
  maxOutputBytes?: number;
  log?: (line: string) => void;
};

const CLAIM_WAIT_MS = 25_000;
const RETRY_MS = 1000;
/** Results up to this size (JSON) ride with the next claim; larger ones are sent on their own. */
const DEFERRED_RESULT_MAX = 16 * 1024;
/** Claim answers that will not change by asking again: stop instead of retrying forever. */
const REFUSALS = new Set([400, 401, 403]);

/**
 * A job's outcome to report, and its log line. One that waits for the next claim (a long poll
 * that may answer many seconds later) is logged as the command ends (`logged`), and again only
 * should the server not record it (its lease was lost); one sent alone is logged once answered.
 */
type Finished = { item: FinishedItem; line: (outcome: string) => string; logged?: boolean };

export class ExecWorker {
  readonly id: string;
  private readonly client: WorkerHttpClient;
  private readonly log: (line: string) => void;
  private readonly running = new Map<string, { run: CommandRun; done: Promise<void> }>();
  private stopping = false;
  /** Why the worker gave up (the server refuses it), or null. */
  fatal: string | null = null;
  private readonly claimAbort = new AbortController();
  private slotFreed: (() => void) | null = null;
  private stopWait: (() => void) | null = null;
  /** A claim is on its way (possibly a long poll): a job that ends meanwhile is reported on its own. */
  private claiming = false;
  /** Jobs that ended while no claim was out, sent with the next one (one round trip per batch), and what to log. */
  private finished: Finished[] = [];

  constructor(private readonly o: ExecWorkerOptions) {
    this.id = o.workerId ?? `exec:${o.queue}@${hostname()}:${process.pid}:${crypto.randomUUID().slice(0, 8)}`;
    this.client = new WorkerHttpClient({ url: o.url, token: o.token });
    this.log = o.log ?? ((line) => console.error(line));
  }

  /** Runs until stopped; resolves once every job is finished or given back. */
  async run(): Promise<void> {
    this.log(`spool work: ${this.id} running \`${this.o.command}\` for queue ${this.o.queue} (concurrency ${this.o.concurrency})`);
    while (!this.stopping) {
      const free = this.o.concurrency - this.running.size;
      if (free <= 0) {
        await new Promise<void>((resolve) => (this.slotFreed = resolve));
        this.slotFreed = null;
        continue;
      }
      const sending = this.finished;
      this.finished = [];
      this.claiming = true;
      try {
        const { jobs, control, finished } = await this.client.claim(
          this.o.queue,
          {
            workerId: this.id, max: free, leaseMs: this.o.leaseMs, waitMs: CLAIM_WAIT_MS, name: this.o.name ?? `spool work ${this.o.queue}`,
            host: hostname(), queues: [this.o.queue], concurrency: this.o.concurrency,
            ...(sending.length ? { finished: sending.map((f) => f.item) } : {}),
          },
          this.claimAbort.signal,
        );
        sending.forEach((f, i) => this.logAnswered(f, finished?.[i]?.outcome ?? "unknown"));
        for (const job of jobs) this.start(job);
        if (control?.shutdown) this.stop("an operator asked this worker to shut down");
      } catch (err) {
        if (err instanceof HttpError && err.status === 413 && sending.length > 0) {
          // The results made the claim too large for this server: each goes on its own instead.
          for (const f of sending) await this.sendAlone(f);
          continue;
        }
        // Not known to have arrived: sent again with the next claim (a resent completion answers the same).
        this.finished.unshift(...sending);
        if (this.stopping) break;
        if (err instanceof HttpError && REFUSALS.has(err.status)) {
          // Asking again cannot help: a wrong token, a role that may not claim, a bad queue name.
          this.fatal = `the server refuses this worker's claims: ${err.message}`;
          this.stop(this.fatal);
          break;
        }
        this.log(`spool work: claim failed: ${(err as Error).message}; retrying in ${RETRY_MS / 1000} s`);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, RETRY_MS);
          this.stopWait = () => (clearTimeout(timer), resolve());
        });
        this.stopWait = null;
      } finally {
        this.claiming = false;
      }
    }
    await this.finishOrRelease();
    await this.reportFinished();
  }

  /** Reports the jobs still waiting for a claim to carry them, one request each (the worker is stopping). */
  private async reportFinished(): Promise<void> {
    const left = this.finished;
    this.finished = [];
    for (const f of left) await this.sendAlone(f);
  }

  /** One outcome in a request of its own; a result the server cannot take fails the job for good. */
  private async sendAlone(finished: Finished): Promise<void> {
    const { item } = finished;
    try {
      if ("error" in item) {
        // The job's id goes in the path: the fail request's body refuses fields it does not know.
        const { id, ...failure } = item;
        const answer = await this.client.fail(id, failure);
        return this.logAnswered(finished, answer === LOST ? "lease_lost" : answer);
      }
      const answer = await this.client.complete(item.id, item.token, item.result);
      this.logAnswered(finished, answer === LOST ? "lease_lost" : answer);
    } catch (err) {
      if (!(err instanceof HttpError) && !this.stopping) {
        // No answer (the server restarting, say): not known to have arrived, so it goes again
        // with the next claim, which keeps trying until the server answers.
        this.finished.push(finished);
        this.slotFreed?.();
        return this.log(`spool work: job ${item.id}: could not report its outcome yet (${(err as Error).message}); trying again with the next claim`);
      }
      const refused = err instanceof HttpError && (err.status === 413 || err.status === 400);
      if ("error" in item || !refused) {
        return this.log(`spool work: job ${item.id}: could not report its outcome: ${(err as Error).message}; the lease will expire and it runs again`);
      }
      // A result the server will never take: running the command again would make the same.
      const error = err.status === 413
        ? { type: "result_too_large", message: `the command's result is larger than the server accepts: ${err.message}` }
        : { type: "invalid_result", message: `the server refuses the command's result: ${err.message}` };
      await this.client.fail(item.id, { token: item.token, error, retry: false }).catch(() => {});
      this.log(`spool work: job ${item.id} failed: ${error.message}`);
    }
  }

  /** Stops claiming; running commands get the grace period, then are killed and their jobs given back. */
  stop(why: string): void {
    if (this.stopping) return;
    this.stopping = true;
    this.log(`spool work: stopping (${why}); ${this.running.size} job(s) running, grace ${Math.round(this.o.graceMs / 1000)} s`);
    this.claimAbort.abort();
    this.slotFreed?.();
    this.stopWait?.();
  }

  /** Ends the grace period now: running commands are killed and their jobs given back. */
  releaseAll(): void {
    for (const { run } of this.running.values()) run.kill("shutdown");
  }

  private async finishOrRelease(): Promise<void> {
    const timer = setTimeout(() => this.releaseAll(), this.o.graceMs);
    while (this.running.size > 0) await Promise.all([...this.running.values()].map((r) => r.done));
    clearTimeout(timer);
  }

  private start(job: ClaimedJob): void {
    const run = runCommand({
      command: this.o.command,
      payload: job.payload,
      env: { SPOOL_JOB_ID: job.id, SPOOL_ATTEMPT: String(job.attempts), SPOOL_QUEUE: job.queue },
      maxOutputBytes: this.o.maxOutputBytes ?? 1024 * 1024,
    });
    const done = this.follow(job, run).finally(() => {
      this.running.delete(job.id);
      this.slotFreed?.();
    });
    this.running.set(job.id, { run, done });
  }

  /** Heartbeats and the job's timeout while the command runs, then the report of its outcome. */
  private async follow(job: ClaimedJob, run: CommandRun): Promise<void> {
    const started = performance.now();
    const beat = setInterval(() => void this.heartbeat(job, run), this.o.leaseMs / 3);
    const timeout = job.timeoutMs === null ? undefined : setTimeout(() => run.kill("timeout"), job.timeoutMs);
    if (this.stopping) run.kill("shutdown");
    let outcome: CommandOutcome;
    try {
      outcome = await run.outcome;
    } finally {
      clearInterval(beat);
      clearTimeout(timeout);
    }
    const took = `${((performance.now() - started) / 1000).toFixed(1)} s`;
    try {
      await this.report(job, outcome, took);
    } catch (err) {
      this.log(`spool work: job ${job.id}: could not report its outcome: ${(err as Error).message}; the lease will expire and it runs again`);
    }
  }

  private async report(job: ClaimedJob, outcome: CommandOutcome, took: string): Promise<void> {
    const token = job.lease.token;
    if (outcome.kind === "completed" || outcome.kind === "failed") {
      const finished: Finished =
        outcome.kind === "completed"
          ? {
              item: { id: job.id, token, result: outcome.result },
              line: (o) => (o === "lease_lost" ? `spool work: job ${job.id} finished after its lease was lost (${took}); not recorded` : `spool work: job ${job.id} completed (${took})`),
            }
          : {
              item: { id: job.id, token, ...outcome.failure },
              line: (o) => `spool work: job ${job.id} failed (${took}): ${outcome.failure.error.message}${o === "lease_lost" ? " (lease lost; not recorded)" : ""}`,
            };
      if (this.deferrable(outcome.kind === "completed" ? outcome.result : null)) this.defer(finished);
      else await this.sendAlone(finished);
      return;
    }
    const failure = KILLED[outcome.reason](job);
    if (failure) await this.client.fail(job.id, { token, ...failure });
    this.log(`spool work: job ${job.id} stopped (${outcome.reason}, ${took})`);
  }

  /**
   * Whether an outcome waits for the next claim to carry it: only while no claim is out (one
   * that is, may be a long poll), and only a result the server surely takes (a refused one
   * would refuse the whole claim).
   */
  private deferrable(result: unknown): boolean {
    if (this.claiming || this.stopping) return false;
    return JSON.stringify(result ?? null).length <= DEFERRED_RESULT_MAX && jsonValueProblem(result ?? null) === null;
  }

  private defer(finished: Finished): void {
    this.log(finished.line(""));
    this.finished.push({ ...finished, logged: true });
    this.slotFreed?.();
  }

  /** The log line of an outcome the server answered, unless it was written as the command ended and the server recorded it. */
  private logAnswered(finished: Finished, outcome: string): void {
    if (!finished.logged || outcome === "lease_lost") this.log(finished.line(outcome));
  }

  private async heartbeat(job: ClaimedJob, run: CommandRun): Promise<void> {
    try {
      const answer = await this.client.heartbeat(job.id, job.lease.token, this.o.leaseMs);
      if (answer === LOST) return run.kill("lease_lost");
      if (answer.cancelRequested) run.kill("cancelled");
      if (answer.control?.shutdown) this.stop("an operator asked this worker to shut down");
    } catch (err) {
      this.log(`spool work: heartbeat for job ${job.id} failed: ${(err as Error).message}`);
    }
  }
}

/**
 * What to report when spool killed the command itself: nothing when the job is no longer
 * ours, nor after a timeout (the lease ends at the job's deadline and the server records the
 * attempt as timed out).
 */
const KILLED: Record<KillReason, (job: ClaimedJob) => { error: { type: string; message: string }; retryInMs?: number } | null> = {
  timeout: () => null,
  cancelled: () => ({ error: { type: "cancelled", message: "the job was cancelled; the command was killed" } }),
  shutdown: () => ({ error: { type: GIVEN_BACK, message: "the worker shut down before the command finished" }, retryInMs: 0 }),
  lease_lost: () => null,
};
