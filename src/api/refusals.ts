/**
 * API requests refused for want of a valid token, counted per minute over the last few: once
 * tokens exist, a worker or producer started without one is refused at every call, and the
 * overview says so instead of showing only the worker gone quiet.
 */

/** How far back the count reaches. */
export const REFUSALS_WINDOW_MS = 5 * 60_000;
const MINUTE_MS = 60_000;

export class RecentRefusals {
  /** Refusals by minute (epoch ms of its start), the last few minutes only. */
  private readonly byMinute = new Map<number, number>();
  private lastAt: number | null = null;

  note(now: number): void {
    const minute = now - (now % MINUTE_MS);
    this.byMinute.set(minute, (this.byMinute.get(minute) ?? 0) + 1);
    this.lastAt = now;
    if (this.byMinute.size > REFUSALS_WINDOW_MS / MINUTE_MS + 1) this.forget(now);
  }

  /** Refusals over the last REFUSALS_WINDOW_MS (whole minutes) and when the latest was; null when there were none. */
  recent(now: number): { count: number; lastAt: number } | null {
    this.forget(now);
    let count = 0;
    for (const n of this.byMinute.values()) count += n;
    return count > 0 && this.lastAt !== null ? { count, lastAt: this.lastAt } : null;
  }

  private forget(now: number): void {
    for (const minute of this.byMinute.keys()) if (minute <= now - REFUSALS_WINDOW_MS) this.byMinute.delete(minute);
  }
}
