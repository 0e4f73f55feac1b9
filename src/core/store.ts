/**
 * The Store: the one seam between queue semantics and storage.
 *
 * Stores do mechanics — atomic claims, lanes (only a lane's head is claimable), leases and
 * persistence. The core does policy — validation, defaults, backoff, which state changes
 * are allowed — and passes its decisions in. Every method takes one params object; time
 * arrives as `now` (epoch ms) and a store never reads a clock. Methods that guard a state
 * change return null when the guard fails (an expected race); they throw only on bugs or
 * when storage is unavailable. Nothing here assumes SQL or transactions, so a Redis store
 * can implement each method as one Lua script.
 */
import type { Job, JobError, JobState, NewJob, Progress } from "./job.ts";
import type { QueueConfig, QueueSettings, StateCounts } from "./queue-config.ts";
import type { MonitorStore } from "./monitor-store.ts";
import type { ScheduleStore } from "./schedule-store.ts";
import type { SessionStore } from "./session-store.ts";
import type { WorkerStore } from "./worker-store.ts";

export type EnqueueOutcome = { job: Job; created: boolean };

/**
 * A search reads at most this many jobs per page (the newest below the cursor that match the
 * other filters), so it costs the same whatever the backlog: a page may then hold fewer than
 * `limit` jobs and still have a nextCursor to search on from.
 */
export const SEARCH_WINDOW = 2000;

export type JobListParams = {
  queue?: string;
  state?: JobState;
  key?: string;
  /** Case-insensitive search in id, key and payload text (see SEARCH_WINDOW). */
  q?: string;
  limit: number;
  /** Opaque cursor from a previous page; pages run from newest to oldest. */
  cursor?: string;
};

export type JobPage = { jobs: Job[]; nextCursor: string | null };

export type ClaimParams = {
  queue: string;
  workerId: string;
  max: number;
  leaseMs: number;
  /** Lease token for every job of this claim; the core makes it unguessable. */
  token: string;
  now: number;
};

export type FailParams = {
  id: string;
  token: string;
  error: JobError;
  /**
   * When to run again; null fails the job for good. A job whose cancel was requested is
   * cancelled either way: a request that lands after the retry was decided still holds.
   */
  retryAt: number | null;
  now: number;
};

export type HeartbeatParams = {
  id: string;
  token: string;
  leaseMs: number;
  progress?: Progress;
  checkpoint?: unknown;
  now: number;
};

export type CompleteItem = { id: string; token: string; result?: unknown };

/** What a batch completion tells about each completed job. */
export type CompletedJob = Pick<Job, "id" | "queue" | "key" | "state">;

export type QueueSummary = QueueConfig & { counts: StateCounts };

export const TOKEN_ROLES = ["admin", "producer", "worker", "viewer"] as const;
export type TokenRole = (typeof TOKEN_ROLES)[number];
export type TokenRecord = {
  id: string;
  name: string | null;
  role: TokenRole;
  createdAt: number;
  /** Last authenticated request, recorded at most about once a minute; null when never used. */
  lastUsedAt: number | null;
};

export interface JobStore {
  /** Inserts all jobs or none. An existing (queue, idempotencyKey) yields that job with created=false. */
  jobsEnqueue(p: { jobs: NewJob[]; now: number }): Promise<EnqueueOutcome[]>;
  jobGet(p: { id: string }): Promise<Job | null>;
  jobsList(p: JobListParams): Promise<JobPage>;
  /**
   * Leases up to `max` runnable jobs of a queue: highest priority first, then enqueue order;
   * due delayed jobs count as runnable. Respects pause, the concurrency limit and the rate
   * limit. Only lane heads are ever runnable, so a claim takes at most one job per lane.
   */
  jobsClaim(p: ClaimParams): Promise<Job[]>;
  /**
   * Completes a job leased with this token whose lease has not expired; null otherwise. The
   * completed job keeps the token that completed it (leaseToken), so a resent completion can be
   * recognised and answered with the same success.
   */
  jobComplete(p: CompleteItem & { now: number }): Promise<Job | null>;
  /**
   * Completes many; one entry per item, null where the lease was lost. Answers only what a
   * busy worker needs to know (not the whole job), which keeps batches cheap.
   */
  jobsComplete(p: { items: CompleteItem[]; now: number }): Promise<(CompletedJob | null)[]>;
  /**
   * jobsComplete, then jobsClaim, in one call: offered by a remote store, so a worker that
   * reports its jobs with its next claim (DESIGN §3) pays one round trip for both.
   */
  jobsCompleteAndClaim?(p: { items: CompleteItem[]; claim: ClaimParams }): Promise<{ completed: (CompletedJob | null)[]; jobs: Job[] }>;
  /**
   * Ends an attempt the worker reports as failed; its lease must still be live. The job keeps the
   * token that failed it (until it runs again or is retried by hand), so a resent failure can be
   * recognised; leaseRecover keeps none.
   */
  jobFail(p: FailParams): Promise<Job | null>;
  /** Ends an attempt whose lease ran out (same outcome rules as jobFail); null if it was not expired. */
  leaseRecover(p: FailParams): Promise<Job | null>;
  /**
   * Extends a live lease to the later of its current expiry and now + leaseMs (a heartbeat never
   * shortens it; nor does it pass the attempt's deadline), and records progress/checkpoint; null
   * when the lease is lost.
   */
  jobHeartbeat(p: HeartbeatParams): Promise<Job | null>;
  /**
   * Cancels an unfinished job. Not active, or `force`: cancelled at once. Active without
   * force: only marks cancelRequested. Null when the job is unknown or already final.
   */
  jobCancel(p: { id: string; force: boolean; now: number }): Promise<Job | null>;
  /** Makes a failed or cancelled job run again (attempts reset); null when not retryable. */
  jobRetry(p: { id: string; resetCheckpoint: boolean; now: number }): Promise<Job | null>;
  /** Deletes a finished job; false when unknown or unfinished. */
  jobDelete(p: { id: string; now: number }): Promise<boolean>;
  /**
   * Moves delayed jobs whose runAt has come (at most `limit`) to waiting, so lists and counts
   * show them as runnable before any claim looks; returns the queues that got some. (A claim
   * takes due delayed jobs anyway.)
   */
  jobsPromoteDue(p: { now: number; limit: number }): Promise<{ queue: string; promoted: number }[]>;
  /** Active jobs whose lease ran out by `now`, oldest first. */
  leasesExpired(p: { now: number; limit: number }): Promise<Job[]>;
  /** Skips the failed head of a blocked lane: the lane moves on, the head stays failed. */
  laneSkip(p: { queue: string; key: string; now: number }): Promise<boolean>;
}

export interface QueueStore {
  queueGet(p: { queue: string }): Promise<QueueSummary | null>;
  queuesList(): Promise<QueueSummary[]>;
  /** Changes the given settings; those left out keep their value. */
  queuePut(p: { queue: string; settings: Partial<QueueSettings>; now: number }): Promise<QueueConfig>;
  queuePause(p: { queue: string; paused: boolean; now: number }): Promise<QueueConfig>;
  /**
   * Deletes the queue's jobs in the given final or waiting-like state, oldest first; returns how
   * many. With `limit`, at most that many (one bounded batch of a bulk action); without, all.
   */
  queuePurge(p: { queue: string; state: JobState; limit?: number; now: number }): Promise<number>;
  /**
   * Makes the queue's failed jobs run again, oldest first (at most `limit` when given); with
   * `errorType`, only those whose last error has that type. Returns how many.
   */
  queueRetryFailed(p: { queue: string; errorType?: string; limit?: number; now: number }): Promise<number>;
  /** Cancels the queue's waiting, delayed and blocked jobs (at most `limit` when given); returns how many. */
  queueCancelWaiting(p: { queue: string; limit?: number; now: number }): Promise<number>;
  /** Earliest runAt of a delayed job in the queue, for long-poll wake-ups. */
  queueNextRunAt(p: { queue: string }): Promise<number | null>;
  /**
   * Since when the queue's longest-waiting job has been runnable (its runAt): of the first
   * waiting job of each priority in enqueue order, the earliest; null when none waits. How far
   * behind a queue is, read through the claim order's own index, never a scan of the backlog.
   */
  queueOldestWaiting(p: { queue: string }): Promise<number | null>;
}

export interface TokenStore {
  tokenCreate(p: { hash: string; role: TokenRole; name: string | null; now: number }): Promise<TokenRecord>;
  tokenFind(p: { hash: string }): Promise<TokenRecord | null>;
  tokensCount(): Promise<number>;
  /** Every token, oldest first. */
  tokensList(): Promise<TokenRecord[]>;
  /** Deletes a token and all its sessions at once; false when the id is unknown. */
  tokenRevoke(p: { id: string; now: number }): Promise<boolean>;
  /** Records a use of the token; lastUsedAt never moves back. */
  tokenTouch(p: { id: string; now: number }): Promise<void>;
  /**
   * A number that changes whenever another process may have changed the tokens (SQLite: another
   * connection committed). Token lookups cached while it stays the same are exact; a store
   * without it gets its cached lookups checked again after a short while instead.
   */
  tokensVersion?(): number;
}

export interface Store extends JobStore, QueueStore, TokenStore, SessionStore, ScheduleStore, WorkerStore, MonitorStore {
  readonly kind: "sqlite" | "redis";
  /**
   * Each call is a round trip to another process (Redis): a caller that keeps two calls out
   * has the store work on one while it handles the answer of the other. Calls of a store in
   * this process run on its own thread, so there is nothing to overlap.
   */
  readonly remote: boolean;
  /** A cheap round trip to storage, for readiness. */
  ping(): Promise<boolean>;
  /**
   * Calls `listener` with a queue's name when another process may have made jobs of that queue
   * runnable (a store shared by several servers); returns a function that stops listening. A
   * store used by one process only has no such method: its service wakes its own claims.
   */
  onRunnable?(listener: (queue: string) => void): () => void;
  /**
   * Calls `listener` when another process changed something this one keeps a copy of (a store
   * shared by several servers): a queue's settings, the tokens, a worker asked to shut down.
   * The copies are still refreshed on their own after a short while, so a message lost (a
   * reconnect) costs no more than that.
   */
  onChange?(listener: (change: StoreChange) => void): () => void;
  close(): Promise<void>;
}

/** What onChange tells: the queue whose settings changed, that tokens were revoked, or the worker asked to shut down. */
export type StoreChange = { queue?: string; tokens?: boolean; worker?: string };

/**
 * A store that can write a consistent copy of itself to a file while it keeps serving
 * (SQLite). A Redis store relies on Redis's own persistence (RDB, AOF) instead.
 */
export interface BackupStore {
  /** Writes the copy to `path`, which must not exist. */
  backupTo(p: { path: string }): Promise<void>;
}

export function canBackup(store: Store): store is Store & BackupStore {
  return typeof (store as Partial<BackupStore>).backupTo === "function";
}

/** How much disk a store's files take now: the database and its write-ahead log (SQLite). */
export type StoreFiles = { databaseBytes: number; walBytes: number };

/**
 * A store that keeps its data in files of this machine (SQLite), so an operator can see their
 * size. A Redis store keeps none here.
 */
export interface FileStore {
  files(): StoreFiles;
}

export function hasFiles(store: Store): store is Store & FileStore {
  return typeof (store as Partial<FileStore>).files === "function";
}
