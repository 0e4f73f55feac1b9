/**
 * Notices new entries in the event log (by reading its newest id every pollMs while anyone
 * listens) and wakes the listeners. Listeners thus read the log in batches of pollMs worth of
 * events, which keeps a busy stream cheap, at the cost of up to pollMs of delay.
 */
import type { Store } from "../core/store.ts";

type Waiter = { afterId: number; wake: (latest: number) => void };

export class EventFeed {
  private waiters = new Set<Waiter>();
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    private readonly store: Store,
    private readonly clock: { now(): number },
    /** How often the newest id is read while someone waits; a read costs one index lookup. */
    private readonly pollMs = 50,
  ) {}

  /**
   * Resolves with the log's newest id once it has moved from `afterId`: an event after it, or
   * a newest id below it, which means the log started over (Redis's data lost), so that a
   * reader starts again from the log's beginning rather than wait for the ids to catch up.
   * Resolves null after `timeoutMs` or on abort.
   */
  waitAfter(afterId: number, timeoutMs: number, signal?: AbortSignal): Promise<number | null> {
    return new Promise((resolve) => {
      if (signal?.aborted) return resolve(null);
      const finish = (latest: number | null) => {
        clearTimeout(timeout);
        this.waiters.delete(waiter);
        signal?.removeEventListener("abort", onAbort);
        resolve(latest);
      };
      const onAbort = () => finish(null);
      const waiter: Waiter = { afterId, wake: finish };
      const timeout = setTimeout(() => finish(null), timeoutMs);
      signal?.addEventListener("abort", onAbort, { once: true });
      this.waiters.add(waiter);
      this.schedule(this.pollMs);
    });
  }

  get listening(): number {
    return this.waiters.size;
  }

  private schedule(delay: number): void {
    if (this.timer || this.waiters.size === 0) return;
    this.timer = setTimeout(() => void this.poll(), delay);
  }

  private async poll(): Promise<void> {
    try {
      const latest = await this.store.eventsLatestId({ now: this.clock.now() });
      for (const w of [...this.waiters]) if (latest !== w.afterId) w.wake(latest);
    } catch {
      // Storage unavailable for a moment: listeners keep waiting and the next poll tries again.
    } finally {
      this.timer = null;
      this.schedule(this.pollMs);
    }
  }
}
