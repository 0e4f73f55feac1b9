/** When a claimed attempt's lease runs out. */

/**
 * An attempt started at `now`: its deadline is `timeoutMs` after the start (none without a
 * timeout), and its lease runs `leaseMs`, renewed by heartbeats but never past the deadline.
 */
export function leaseFrom(now: number, leaseMs: number, timeoutMs: number | null): { deadlineAt: number | null; leaseExpiresAt: number } {
  const deadlineAt = timeoutMs === null ? null : now + timeoutMs;
  return { deadlineAt, leaseExpiresAt: deadlineAt === null ? now + leaseMs : Math.min(now + leaseMs, deadlineAt) };
}

/** A heartbeat's new lease end: `leaseMs` from now, never earlier than it was, never past the deadline. */
export function renewedLease(expiresAt: number, now: number, leaseMs: number, deadlineAt: number | null): number {
  const renewed = Math.max(expiresAt, now + leaseMs);
  return deadlineAt === null ? renewed : Math.min(renewed, deadlineAt);
}
