/**
 * The WorkerStore: the registry of workers (who claims, from where, how much they ran) and
 * the signing secrets of push targets.
 *
 * Like the Store, every method takes one params object with time as `now`. A store keeps
 * `processed` and `failed` itself as jobs leave `active` (completed → processed; a failed or
 * expired attempt → failed), counted for the worker that held the job, and reads `active`
 * live from the jobs a worker holds.
 */

/** A worker not seen for this long is offline. */
export const ONLINE_WINDOW_MS = 30_000;

/** How a worker reaches spool: over HTTP (any language, the exec worker), in-process, or spool's push dispatcher. */
export type WorkerKind = "http" | "in-process" | "push";

export type WorkerRecord = {
  id: string;
  kind: WorkerKind;
  name: string | null;
  host: string | null;
  queues: string[];
  concurrency: number | null;
  /** Jobs it holds leased now. */
  active: number;
  /** Attempts it completed and attempts that failed (including expired leases) while it held them. */
  processed: number;
  failed: number;
  firstSeenAt: number;
  lastSeenAt: number;
  /** Set by an operator; answered as `control: {shutdown: true}` until the worker goes away. */
  shutdownRequestedAt: number | null;
};

/** Who a worker is; fields left out keep their stored value. */
export type WorkerIdentity = {
  id: string;
  kind?: WorkerKind;
  name?: string;
  host?: string;
  queues?: string[];
  concurrency?: number;
};

export type WorkerSeenParams = WorkerIdentity & {
  /**
   * A worker seen again after this long unseen is a new run of it: a shutdown request left
   * from its previous run is dropped, so a restarted worker does not stop at once.
   */
  forgetShutdownAfterMs: number;
  now: number;
};

/** A push target's signing secrets: the current one, and the one it replaced (still signed with for a while). */
export type TargetSecret = { queue: string; secret: string; previousSecret: string | null; rotatedAt: number | null; createdAt: number };

export interface WorkerStore {
  /** Records that a worker is alive (creating it on first sight); returns whether a shutdown is requested for it. */
  workerSeen(p: WorkerSeenParams): Promise<{ shutdownRequested: boolean }>;
  /** Every known worker, by id. */
  workersList(p: { now: number }): Promise<WorkerRecord[]>;
  workerGet(p: { id: string; now: number }): Promise<WorkerRecord | null>;
  /** Asks a worker to shut down; null when the worker is unknown. */
  workerRequestShutdown(p: { id: string; now: number }): Promise<WorkerRecord | null>;
  /** Forgets workers last seen before `seenBefore`; returns how many. */
  workersPrune(p: { seenBefore: number; now: number }): Promise<number>;
  /** The queue's target secret; `secret` becomes it when the queue has none yet. */
  targetSecretEnsure(p: { queue: string; secret: string; now: number }): Promise<TargetSecret>;
  /** Replaces the queue's target secret, keeping the current one as `previousSecret`. */
  targetSecretRotate(p: { queue: string; secret: string; now: number }): Promise<TargetSecret>;
}
