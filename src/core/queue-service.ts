/**
 * QueueService: the queue's public operations. Validates input, applies defaults and the
 * retry policy, calls the store, and turns the store's nulls into errors.
 */
import type { Clock } from "./clock.ts";
import { checkProducerJobs, checkQueueName, resolveEnqueue } from "./enqueue.ts";
import { conflict, leaseLost, notFound, SpoolError, validationFailed } from "./errors.ts";
import { isFinal, isOwnQueue, JOB_STATES, type EnqueueOptions, type Job, type JobState, type Progress } from "./job.ts";
import { defaultQueueConfig, emptyCounts, type QueueConfig, type QueueSettings } from "./queue-config.ts";
import { nextAttemptAt } from "./retry.ts";
import type { ClaimParams, CompletedJob, CompleteItem, EnqueueOutcome, JobListParams, JobPage, QueueSummary, Store } from "./store.ts";
import { Wakeups } from "./wakeups.ts";
import {
  checkCompletions, checkJsonField, checkLimit, DEFAULT_LEASE_MS, failedWith, MAX_BATCH, MAX_CLAIM, MAX_LEASE_MS, MAX_WAIT_MS,
  type BulkOptions, type ClaimRequest, type CompleteOutcome, type FailRequest, type FinishedItem, type FinishOutcome, type HeartbeatRequest,
} from "./work-requests.ts";

/** Expired leases read and recovered together by the lease reaper. */
const REAP_BATCH = 200;

/** A queue with how far behind it is: since when its longest-waiting job has been runnable (null while none waits). */
export type QueueWithBacklog = QueueSummary & { oldestWaiting: number | null };

export type ServiceOptions = {
  store: Store;
  clock: Clock;
  random?: () => number;
  /** How long a queue's config is trusted before it is read again (other processes may change it). */
  configTtlMs?: number;
  /**
   * How often a waiting long poll looks again by itself (for due delayed jobs, a resumed queue,
   * recovered leases, another process's enqueues); an enqueue here wakes it at once. Default 1 s.
   */
  recheckMs?: number;
};

export class QueueService {
  readonly store: Store;
  readonly clock: Clock;
  readonly wakeups = new Wakeups();
  private readonly random: () => number;
  private readonly configTtlMs: number;
  private readonly recheckMs: number;
  private configs = new Map<string, { config: QueueConfig; readAt: number }>();
  private closing = false;
  private readonly stopListening: (() => void)[];
  /** Completes and fails refused because the caller's lease was stale (expired, taken over or cancelled); for metrics. */
  refusedCompletions = 0;

  constructor(options: ServiceOptions) {
    this.store = options.store;
    this.clock = options.clock;
    this.random = options.random ?? Math.random;
    this.configTtlMs = options.configTtlMs ?? 1000;
    this.recheckMs = options.recheckMs ?? 1000;
    this.stopListening = [
      this.store.onRunnable?.((queue) => this.wakeups.wake(queue)),
      // Settings changed through another server are read again at once, not after configTtlMs.
      this.store.onChange?.((change) => change.queue !== undefined && this.configs.delete(change.queue)),
    ].filter((stop) => stop !== undefined);
  }

  async enqueue(queue: string, options: EnqueueOptions): Promise<EnqueueOutcome> {
    const [outcome] = await this.enqueueMany(queue, [options]);
    return outcome!;
  }

  /** All or nothing: one invalid job refuses the whole batch. */
  async enqueueMany(queue: string, jobs: EnqueueOptions[]): Promise<EnqueueOutcome[]> {
    if (jobs.length === 0) return [];
    if (jobs.length > MAX_BATCH) throw validationFailed(`a batch holds at most ${MAX_BATCH} jobs (got ${jobs.length})`);
    checkQueueName(queue);
    checkProducerJobs(jobs);
    const now = this.clock.now();
    const config = await this.queueConfig(queue);
    const outcomes = await this.store.jobsEnqueue({ jobs: resolveEnqueue(queue, jobs, config.defaults, now), now });
    this.wakeups.wake(queue);
    return outcomes;
  }

  async getJob(id: string): Promise<Job> {
    const job = await this.store.jobGet({ id });
    if (!job) throw notFound(`job ${id}`);
    return job;
  }

  async listJobs(p: Partial<JobListParams>): Promise<JobPage> {
    if (p.state !== undefined && !JOB_STATES.includes(p.state)) throw validationFailed(`unknown state "${p.state}"`);
    return this.store.jobsList({ ...p, limit: Math.min(Math.max(p.limit ?? 50, 1), 500) });
  }

  async claim(req: ClaimRequest): Promise<Job[]> {
    return this.claimLoop(req, (p) => this.store.jobsClaim(p));
  }

  /**
   * Completes `items`, then claims as claim() does: a worker's report and its next claim
   * (DESIGN §3). A store that offers jobsCompleteAndClaim runs both in one call; otherwise
   * both are queued at once, completions first. `onOutcomes` hears the completions' outcomes
   * as soon as they are stored, before a long poll that follows ends.
   */
  async completeThenClaim(items: CompleteItem[], req: ClaimRequest, onOutcomes: (outcomes: CompleteOutcome[]) => void): Promise<Job[]> {
    checkCompletions(items);
    const combined = this.store.jobsCompleteAndClaim?.bind(this.store);
    if (!combined || items.length === 0) {
      const [, jobs] = await Promise.all([this.completeChecked(items).then(onOutcomes), this.claim(req)]);
      return jobs;
    }
    let sent = false;
    const jobs = await this.claimLoop(req, async (p) => {
      if (sent) return this.store.jobsClaim(p);
      sent = true;
      const answer = await combined({ items, claim: p });
      onOutcomes(await this.settleCompletions(items, answer.completed));
      return answer.jobs;
    });
    // A claim that ended before its first look (spool stopping, the caller gone) still reports.
    if (!sent) onOutcomes(await this.completeChecked(items));
    return jobs;
  }

  /** Looks for jobs with `look` until some are leased or the wait is over. */
  private async claimLoop(req: ClaimRequest, look: (p: ClaimParams) => Promise<Job[]>): Promise<Job[]> {
    checkQueueName(req.queue);
    const max = Math.min(req.max ?? 1, MAX_CLAIM);
    const leaseMs = Math.min(req.leaseMs ?? DEFAULT_LEASE_MS, MAX_LEASE_MS);
    const waitMs = Math.min(req.waitMs ?? 0, MAX_WAIT_MS);
    const token = crypto.randomUUID();
    const deadline = performance.now() + waitMs;
    for (;;) {
      // A caller that went away (or stopped its worker) leases nothing more.
      if (this.closing || req.signal?.aborted) return [];
      const jobs = await look({ queue: req.queue, workerId: req.workerId, max, leaseMs, token, now: this.clock.now() });
      if (jobs.length > 0) return jobs;
      const remaining = deadline - performance.now();
      if (remaining <= 0 || req.signal?.aborted) return [];
      // Woken by an enqueue; otherwise look again every second for due delayed jobs, a
      // resumed queue or recovered leases.
      await this.wakeups.wait(req.queue, Math.min(remaining, this.recheckMs), req.signal);
    }
  }

  async complete(item: CompleteItem): Promise<Job> {
    checkJsonField(item.result, "result");
    const job = await this.store.jobComplete({ ...item, now: this.clock.now() });
    if (job) {
      this.afterFinish(job);
      return job;
    }
    const resent = await this.completedWith(item);
    if (resent) return resent;
    throw await this.refusal(item.id, true);
  }

  /** The job, when this very token completed it already: a completion resent after its answer was lost. */
  private async completedWith(item: CompleteItem): Promise<Job | null> {
    const current = await this.store.jobGet({ id: item.id });
    return current?.state === "completed" && current.leaseToken === item.token ? current : null;
  }

  /** One outcome per item; a lost lease is reported, not thrown, so the others still complete. */
  async completeMany(items: CompleteItem[]): Promise<CompleteOutcome[]> {
    checkCompletions(items);
    return this.completeChecked(items);
  }

  private async completeChecked(items: CompleteItem[]): Promise<CompleteOutcome[]> {
    return this.settleCompletions(items, await this.store.jobsComplete({ items, now: this.clock.now() }));
  }

  /** Outcomes of completions the store answered (`jobs`, null where it refused). */
  private async settleCompletions(items: CompleteItem[], jobs: (CompletedJob | null)[]): Promise<CompleteOutcome[]> {
    jobs.forEach((job) => job && this.afterFinish(job));
    // Refusals are rare; each is checked for a completion resent after its answer was lost.
    const resent = await Promise.all(items.map((item, i) => (jobs[i] ? true : this.completedWith(item).then(Boolean))));
    this.refusedCompletions += resent.filter((ok) => !ok).length;
    return items.map((item, i) => ({ id: item.id, outcome: resent[i] ? "completed" : "lease_lost" }));
  }

  /**
   * Finishes what a worker ran (DESIGN §3: the `finished` list of a claim) in the order given:
   * each run of completions as one batch, failures each under the retry policy. A stale token
   * refuses that item alone.
   */
  async finishMany(items: FinishedItem[]): Promise<FinishOutcome[]> {
    if (items.length > MAX_BATCH) throw validationFailed(`a batch holds at most ${MAX_BATCH} items (got ${items.length})`);
    // Every completion is checked before anything is finished: a refused batch changes nothing.
    checkCompletions(items.filter((i): i is CompleteItem => !("error" in i)));
    const outcomes: FinishOutcome[] = [];
    for (let i = 0; i < items.length; ) {
      const item = items[i]!;
      if ("error" in item) {
        outcomes.push(await this.failOutcome(item));
        i++;
        continue;
      }
      let end = i + 1;
      while (end < items.length && !("error" in items[end]!)) end++;
      outcomes.push(...(await this.completeChecked(items.slice(i, end) as CompleteItem[])));
      i = end;
    }
    return outcomes;
  }

  /** A failure of the `finished` list: retrying or failed, or lease_lost when its token no longer holds. */
  private async failOutcome(item: FailRequest): Promise<FinishOutcome> {
    try {
      const job = await this.fail(item);
      return { id: item.id, outcome: job.state === "waiting" || job.state === "delayed" ? "retrying" : "failed" };
    } catch (err) {
      if (!(err instanceof SpoolError) || (err.code !== "lease_lost" && err.code !== "not_found")) throw err;
      return { id: item.id, outcome: "lease_lost" };
    }
  }

  async fail(req: FailRequest): Promise<Job> {
    const current = await this.store.jobGet({ id: req.id });
    if (!current) throw notFound(`job ${req.id}`);
    if (failedWith(current, req.token)) return current;
    if (current.state !== "active" || current.leaseToken !== req.token) throw this.staleCompletion(req.id);
    const now = this.clock.now();
    const type = req.error.type ?? "Error";
    const config = await this.queueConfig(current.queue);
    const retryAt = nextAttemptAt({
      job: current, errorType: type, retry: req.retry, retryInMs: req.retryInMs, policy: config.retryPolicy, now, random: this.random,
    });
    const error = { attempt: current.attempts, type, message: req.error.message, stack: req.error.stack, at: now };
    const job = await this.store.jobFail({ id: req.id, token: req.token, error, retryAt, now });
    if (!job) {
      // The same failure may have landed meanwhile (a resend racing its original).
      const after = await this.store.jobGet({ id: req.id });
      if (after && failedWith(after, req.token)) return after;
      throw this.staleCompletion(req.id);
    }
    this.afterFinish(job);
    return job;
  }

  async heartbeat(req: HeartbeatRequest): Promise<Job> {
    checkJsonField(req.checkpoint, "checkpoint");
    const leaseMs = Math.min(req.extendMs ?? DEFAULT_LEASE_MS, MAX_LEASE_MS);
    const job = await this.store.jobHeartbeat({
      id: req.id, token: req.token, leaseMs, progress: req.progress, checkpoint: req.checkpoint, now: this.clock.now(),
    });
    if (!job) throw await this.refusal(req.id);
    return job;
  }

  async cancel(id: string, force = false): Promise<Job> {
    const current = await this.getJob(id);
    if (isFinal(current.state)) throw conflict(`job ${id} is already ${current.state}`);
    const job = await this.store.jobCancel({ id, force, now: this.clock.now() });
    if (!job) throw conflict(`job ${id} finished before it could be cancelled`);
    this.afterFinish(job);
    return job;
  }

  async retry(id: string, resetCheckpoint = false): Promise<Job> {
    const current = await this.getJob(id);
    if (current.state !== "failed" && current.state !== "cancelled") throw conflict(`job ${id} is ${current.state}; only failed or cancelled jobs can be retried`);
    const job = await this.store.jobRetry({ id, resetCheckpoint, now: this.clock.now() });
    if (!job) throw conflict(`job ${id} changed state before it could be retried`);
    this.wakeups.wake(job.queue);
    return job;
  }

  async deleteJob(id: string): Promise<void> {
    const current = await this.getJob(id);
    if (!isFinal(current.state)) throw conflict(`job ${id} is ${current.state}; only finished jobs can be deleted (cancel it first)`);
    if (!(await this.store.jobDelete({ id, now: this.clock.now() }))) throw conflict(`job ${id} changed state before it could be deleted`);
  }

  /**
   * Recovers every expired lease: the attempt counts and fails as lease_expired (or timeout).
   * Run by the lease-reaper duty. Leases are read REAP_BATCH at a time and a batch's recoveries
   * are sent together, so they share transactions (a mass expiry, a fleet of workers lost at
   * once, is not one commit per job); the ids of the recovered jobs are the answer, not the
   * jobs, whose payloads a long drain would otherwise hold in memory to the end.
   */
  async reapExpiredLeases(): Promise<string[]> {
    const recovered: string[] = [];
    for (;;) {
      const now = this.clock.now();
      const expired = await this.store.leasesExpired({ now, limit: REAP_BATCH });
      const done = await Promise.all(expired.map((job) => this.recoverLease(job, now)));
      for (const job of done) {
        if (!job) continue;
        recovered.push(job.id);
        this.afterFinish(job);
      }
      if (expired.length < REAP_BATCH) return recovered;
    }
  }

  private async recoverLease(job: Job, now: number): Promise<Job | null> {
    const timedOut = job.deadlineAt !== null && job.leaseExpiresAt !== null && job.leaseExpiresAt >= job.deadlineAt;
    const type = timedOut ? "timeout" : "lease_expired";
    // The worker that held it is named: once the job runs again, its workerId is the next one's.
    const holder = job.workerId === null ? "" : ` (${job.workerId})`;
    const message = timedOut
      ? `attempt ran past its timeout of ${job.timeoutMs} ms${job.workerId === null ? "" : ` on worker ${job.workerId}`}`
      : `the worker's lease${holder} expired before it completed or failed the job`;
    const config = await this.queueConfig(job.queue);
    const retryAt = nextAttemptAt({ job, errorType: type, policy: config.retryPolicy, now, random: this.random });
    const error = { attempt: job.attempts, type, message, at: now };
    return this.store.leaseRecover({ id: job.id, token: job.leaseToken!, error, retryAt, now });
  }

  async listQueues(): Promise<QueueSummary[]> {
    return this.store.queuesList();
  }

  /** An unknown queue reads as an empty one with default config, not an error. */
  async getQueue(queue: string): Promise<QueueSummary> {
    checkQueueName(queue);
    return (await this.store.queueGet({ queue })) ?? { ...defaultQueueConfig(queue), counts: emptyCounts() };
  }

  /** Every queue as an operator reads it: counts, config, and how far behind it is. */
  async listQueuesWithBacklog(): Promise<QueueWithBacklog[]> {
    return Promise.all((await this.listQueues()).map((q) => this.withBacklog(q)));
  }

  /** One queue as an operator reads it (an unknown queue reads as empty). */
  async getQueueWithBacklog(queue: string): Promise<QueueWithBacklog> {
    return this.withBacklog(await this.getQueue(queue));
  }

  /** The queue with since when its longest-waiting job has been runnable: read only when jobs wait. */
  private async withBacklog(q: QueueSummary): Promise<QueueWithBacklog> {
    return { ...q, oldestWaiting: q.counts.waiting > 0 ? await this.store.queueOldestWaiting({ queue: q.name }) : null };
  }

  /** Changes the given settings of a queue; those left out keep their value. */
  async putQueue(queue: string, settings: Partial<QueueSettings>): Promise<QueueConfig> {
    // As with a pause: a rate limit could starve spool's own queue, a target send its jobs elsewhere.
    if (isOwnQueue(queue) && (settings.rateLimit || settings.target)) {
      throw conflict(`${queue} is spool's own queue: its jobs run the health checks, retention and reports, so it takes no rate limit or push target`);
    }
    checkQueueName(queue);
    const config = await this.store.queuePut({ queue, settings, now: this.clock.now() });
    this.configs.delete(queue);
    this.wakeups.wake(queue);
    return config;
  }

  async pauseQueue(queue: string, paused: boolean): Promise<QueueConfig> {
    checkQueueName(queue);
    // Paused, spool's own queue would stop health checks (and with them every alert) without a word.
    if (paused && isOwnQueue(queue)) {
      throw conflict(`${queue} is spool's own queue: its jobs run the health checks, retention and reports; pause one of its schedules instead`);
    }
    const config = await this.store.queuePause({ queue, paused, now: this.clock.now() });
    this.configs.delete(queue);
    if (!paused) this.wakeups.wake(queue);
    return config;
  }

  /** Deletes the queue's jobs in one state (not active); with `limit`, one bounded batch. Returns how many. */
  async purgeQueue(queue: string, state: JobState, options: BulkOptions = {}): Promise<number> {
    checkQueueName(queue);
    if (!JOB_STATES.includes(state)) throw validationFailed(`unknown state "${state}"`);
    if (state === "active") throw conflict("active jobs cannot be purged; cancel them with force first");
    return this.store.queuePurge({ queue, state, limit: checkLimit(options.limit), now: this.clock.now() });
  }

  /**
   * Runs the queue's failed jobs again — with `errorType`, only those whose last error has that
   * type; with `limit`, one bounded batch. Returns how many.
   */
  async retryFailed(queue: string, options: BulkOptions & { errorType?: string } = {}): Promise<number> {
    checkQueueName(queue);
    if (options.errorType !== undefined && options.errorType.length === 0) throw validationFailed("errorType must not be empty", [{ path: "errorType", message: "must not be empty" }]);
    const n = await this.store.queueRetryFailed({ queue, errorType: options.errorType, limit: checkLimit(options.limit), now: this.clock.now() });
    if (n > 0) this.wakeups.wake(queue);
    return n;
  }

  /** Cancels the queue's waiting, delayed and blocked jobs; with `limit`, one bounded batch. Returns how many. */
  async cancelWaiting(queue: string, options: BulkOptions = {}): Promise<number> {
    checkQueueName(queue);
    return this.store.queueCancelWaiting({ queue, limit: checkLimit(options.limit), now: this.clock.now() });
  }

  async skipLaneHead(queue: string, key: string): Promise<void> {
    if (!(await this.store.laneSkip({ queue, key, now: this.clock.now() }))) {
      throw conflict(`lane "${key}" of queue ${queue} is not blocked by a failed job`);
    }
    this.wakeups.wake(queue);
  }

  /**
   * Shows delayed jobs whose time has come as waiting (a claim would take them anyway), in
   * bounded steps, and wakes the claims waiting on their queues; returns how many moved. Run
   * by the delayed-promotion duty.
   */
  async promoteDueJobs(limit = 1000): Promise<number> {
    let moved = 0;
    for (;;) {
      const promoted = await this.store.jobsPromoteDue({ now: this.clock.now(), limit });
      const n = promoted.reduce((sum, q) => sum + q.promoted, 0);
      for (const { queue } of promoted) this.wakeups.wake(queue);
      moved += n;
      if (n < limit) return moved;
    }
  }

  /** True once stop() was called: every claim answers empty at once from then on. */
  get stopped(): boolean {
    return this.closing;
  }

  /** Stops claiming: open long polls answer empty at once. */
  async stop(): Promise<void> {
    this.closing = true;
    for (const stop of this.stopListening) stop();
    this.wakeups.wakeAll();
  }

  async queueConfig(queue: string): Promise<QueueConfig> {
    const cached = this.configs.get(queue);
    const at = performance.now();
    if (cached && at - cached.readAt < this.configTtlMs) return cached.config;
    const config = (await this.store.queueGet({ queue })) ?? defaultQueueConfig(queue);
    this.configs.set(queue, { config, readAt: at });
    return config;
  }

  /** A finished job may have handed its lane to the next job, or freed a slot of a limited queue: let waiting claims look. */
  private afterFinish(job: Pick<Job, "queue" | "key" | "state">): void {
    const limited = this.configs.get(job.queue)?.config.concurrency != null;
    if (job.key !== null || job.state === "waiting" || limited) this.wakeups.wake(job.queue);
  }

  private async refusal(id: string, completing = false) {
    if (!(await this.store.jobGet({ id }))) return notFound(`job ${id}`);
    return completing ? this.staleCompletion(id) : leaseLost(id);
  }

  private staleCompletion(id: string) {
    this.refusedCompletions++;
    return leaseLost(id);
  }
}
