/** When a claimed attempt's lease runs out. */

/**
 * An attempt started at `now`: its deadline is `timeoutMs` after the start (none without a
 * timeout), and its lease runs `leaseMs`, renewed by heartbeats but never past the deadline.
 */
export function leaseFrom(now: number, leaseMs: number, timeoutMs: number | null): { deadlineAt: number | null; leaseExpiresAt: number } {
  const deadlineAt = timeoutMs === null ? null : now + timeoutMs;
  return { deadlineAt, leaseExpiresAt: deadlineAt === null ? now + leaseMs : Math.min(now + leaseMs, deadlineAt) };
}
