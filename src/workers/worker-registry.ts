/** The worker registry's policy: who counts as online, how often sightings are written, shutdown requests. */
import type { Clock } from "../core/clock.ts";
import { conflict, notFound } from "../core/errors.ts";
import { isOwnQueue } from "../core/job.ts";
import type { Store } from "../core/store.ts";
import { MAX_WAIT_MS } from "../core/work-requests.ts";
import { ONLINE_WINDOW_MS, type WorkerIdentity, type WorkerRecord } from "../core/worker-store.ts";

export type { WorkerIdentity };

/** What a worker is told in its claim and heartbeat answers. */
export type WorkerControl = { shutdown?: boolean };

export type WorkerView = WorkerRecord & { online: boolean };

/** A worker of spool's own (each server's maintenance worker): it takes only spool's queues. */
export const isOwnWorker = (worker: { queues: readonly string[] }) => worker.queues.length > 0 && worker.queues.every(isOwnQueue);

/**
 * Why a worker cannot be asked to shut down, or null when it can: spool runs it itself, and
 * nothing would start it again short of a restart. A server's maintenance worker runs the health
 * checks (alerts would stop); a push worker delivers its queue (the queue would stall).
 */
export function whyNoShutdown(worker: Pick<WorkerRecord, "id" | "kind" | "queues">): string | null {
  if (isOwnWorker(worker)) {
    return `worker ${worker.id} is spool's own maintenance worker (health checks, retention, reports) and cannot be shut down; stop its server instead`;
  }
  if (worker.kind === "push") {
    return `worker ${worker.id} is spool delivering ${worker.queues.join(", ")} to its push target and cannot be shut down; pause the queue, or remove its target, to stop deliveries`;
  }
  return null;
}

/**
 * `identity`: the last written sighting that described the worker (null while none did);
 * `claimed`: when it last claimed from each queue, for a worker that does not name its queues.
 */
type Sighting = { writtenAt: number; identity: WorkerIdentity | null; control: Promise<WorkerControl>; claimed?: Map<string, number> };

export type WorkerRegistryOptions = {
  store: Store;
  clock: Clock;
  /** A worker's sightings are written at most this often (its identity changing writes at once). */
  refreshMs?: number;
  /**
   * Other servers share the store (Redis): a shutdown asked through one of them reaches this
   * one only through the store, so an open long poll reads it there every SHARED_SHUTDOWN_CHECK_MS.
   */
  shared?: boolean;
};

/** How often a long poll on a shared store looks for a shutdown asked through another server. */
const SHARED_SHUTDOWN_CHECK_MS = 1000;

export class WorkerRegistry {
  private readonly store: Store;
  private readonly clock: Clock;
  private readonly refreshMs: number;
  private readonly shared: boolean;
  private sightings = new Map<string, Sighting>();
  private trimmedAt = -Infinity;
  /** Open long polls by worker id, so a shutdown request answers them at once. */
  private polls = new Map<string, Set<AbortController>>();
  private closing: { closed: Promise<void>; close: () => void } | null = null;

  constructor(options: WorkerRegistryOptions) {
    this.store = options.store;
    this.clock = options.clock;
    this.refreshMs = options.refreshMs ?? 1000;
    this.shared = options.shared ?? false;
    // A shutdown asked through another server: the next claim or heartbeat here reads it, and an open long poll ends.
    this.store.onChange?.((change) => change.worker !== undefined && this.shutdownAsked(change.worker));
  }

  /**
   * Records that a worker is alive and returns its control. Busy workers claim and heartbeat
   * many times a second; their sightings are written once per refreshMs and the answer in
   * between is the last one read.
   */
  seen(identity: WorkerIdentity, claimedFrom?: string): Promise<WorkerControl> {
    const now = this.clock.now();
    const last = this.sightings.get(identity.id);
    // A worker that does not name its queues serves those it claimed from lately: one that takes
    // turns between queues serves them all, not only the last one it asked.
    let claimed = last?.claimed;
    if (claimedFrom !== undefined && identity.queues === undefined) {
      claimed ??= new Map();
      const changed = claimedNow(claimed, claimedFrom, now);
      const known = last?.identity?.queues;
      identity = { ...identity, queues: !changed && known ? known : [...claimed.keys()].sort() };
    }
    const bare = namesOnlyId(identity);
    if (last && now - last.writtenAt < this.refreshMs && (bare || (last.identity !== null && sameIdentity(identity, last.identity)))) return last.control;
    const control = this.store
      .workerSeen({ ...identity, forgetShutdownAfterMs: ONLINE_WINDOW_MS, now })
      .then(({ shutdownRequested }): WorkerControl => (shutdownRequested ? { shutdown: true } : {}));
    this.sightings.set(identity.id, { writtenAt: now, identity: bare ? (last?.identity ?? null) : identity, control, claimed });
    control.catch(() => this.sightings.delete(identity.id));
    this.trimNowAndThen(now);
    return control;
  }

  async list(): Promise<WorkerView[]> {
    const now = this.clock.now();
    return (await this.store.workersList({ now })).map((w) => this.view(w, now));
  }

  async get(id: string): Promise<WorkerView> {
    const now = this.clock.now();
    const worker = await this.store.workerGet({ id, now });
    if (!worker) throw notFound(`worker ${id}`);
    return this.view(worker, now);
  }

  /** The worker learns it in its next claim or heartbeat answer. */
  async requestShutdown(id: string): Promise<WorkerView> {
    const now = this.clock.now();
    const current = await this.store.workerGet({ id, now });
    const refusal = current && whyNoShutdown(current);
    if (refusal) throw conflict(refusal);
    const worker = await this.store.workerRequestShutdown({ id, now });
    if (!worker) throw notFound(`worker ${id}`);
    this.shutdownAsked(id);
    return this.view(worker, now);
  }

  /** A shutdown was asked for the worker (here or through another server): its next call reads it, its long polls end. */
  private shutdownAsked(id: string): void {
    this.sightings.delete(id);
    for (const poll of this.polls.get(id) ?? []) poll.abort();
  }

  /**
   * Runs a worker's long poll so that a shutdown request for it ends the wait: at once when it
   * is asked through this server, within SHARED_SHUTDOWN_CHECK_MS when through another sharing the store.
   */
  async polling<T>(id: string, signal: AbortSignal | undefined, wait: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const poll = new AbortController();
    const set = this.polls.get(id) ?? new Set();
    this.polls.set(id, set.add(poll));
    const watch = this.shared ? setInterval(() => void this.askedElsewhere(id, poll), SHARED_SHUTDOWN_CHECK_MS) : null;
    try {
      return await wait(signal ? AbortSignal.any([signal, poll.signal]) : poll.signal);
    } finally {
      if (watch) clearInterval(watch);
      set.delete(poll);
      if (set.size === 0) this.polls.delete(id);
    }
  }

  /** Ends a long poll whose worker was asked to shut down through another server. */
  private async askedElsewhere(id: string, poll: AbortController): Promise<void> {
    try {
      const worker = await this.store.workerGet({ id, now: this.clock.now() });
      if (worker?.shutdownRequestedAt == null || poll.signal.aborted) return;
      // The answer's control is read afresh, not from the sighting this server remembers.
      this.sightings.delete(id);
      poll.abort();
    } catch {
      // The store is away: the poll goes on; its claim answers when it can.
    }
  }

  /** Whether this process has seen the worker claim or heartbeat lately. */
  seenHere(id: string): boolean {
    return this.sightings.has(id);
  }

  /** Whether spool is shutting down: claims then get nothing. */
  get draining(): boolean {
    return this.closing !== null;
  }

  /** Marks the start of a shutdown; `closed()` resolves once `close()` is called. */
  drain(): void {
    if (this.closing) return;
    let close = () => {};
    const closed = new Promise<void>((resolve) => (close = resolve));
    this.closing = { closed, close };
  }

  close(): void {
    this.drain();
    this.closing!.close();
  }

  /** Resolves when the shutdown has finished (never, while spool runs normally). */
  closed(): Promise<void> {
    return this.closing?.closed ?? new Promise(() => {});
  }

  private view(worker: WorkerRecord, now: number): WorkerView {
    return { ...worker, online: now - worker.lastSeenAt <= ONLINE_WINDOW_MS };
  }

  /**
   * Forgets this process's memory of workers gone offline, about once an hour (the store's
   * records of long-gone workers go with the worker-expiry duty).
   */
  private trimNowAndThen(now: number): void {
    if (now - this.trimmedAt < 3_600_000) return;
    this.trimmedAt = now;
    for (const [id, s] of this.sightings) if (now - s.writtenAt > ONLINE_WINDOW_MS) this.sightings.delete(id);
  }
}

/**
 * How long a queue a worker claimed from stays among those it serves: the online window, plus
 * a long poll's longest wait, as a claim is noted when it starts (a worker long-polling two idle
 * queues in turn asks each about every 30 s).
 */
const SERVED_WINDOW_MS = ONLINE_WINDOW_MS + MAX_WAIT_MS;

/**
 * Notes in `claimed` (queue → when) a claim from `queue` now, dropping queues not claimed from
 * within SERVED_WINDOW_MS; answers whether that changed which queues it holds.
 */
function claimedNow(claimed: Map<string, number>, queue: string, now: number): boolean {
  let changed = !claimed.has(queue);
  claimed.set(queue, now);
  for (const [q, at] of claimed) if (now - at > SERVED_WINDOW_MS) changed = claimed.delete(q) || changed;
  return changed;
}

/** Whether a sighting names only the worker's id. */
function namesOnlyId(w: WorkerIdentity): boolean {
  return w.kind === undefined && w.name === undefined && w.host === undefined && w.queues === undefined && w.concurrency === undefined;
}

/**
 * Whether a sighting describes the worker as the last written one did (a missing field and a
 * null one alike). Compared field by field: a claim asks this every time, and a JSON key of
 * the fields cost a few microseconds of each.
 */
function sameIdentity(w: WorkerIdentity, last: WorkerIdentity): boolean {
  const same = (a: unknown, b: unknown) => (a ?? null) === (b ?? null);
  if (!same(w.kind, last.kind) || !same(w.name, last.name) || !same(w.host, last.host) || !same(w.concurrency, last.concurrency)) return false;
  const [a, b] = [w.queues ?? null, last.queues ?? null];
  if (a === null || b === null) return a === b;
  return a.length === b.length && a.every((q, i) => q === b[i]);
}
