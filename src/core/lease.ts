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

/*
 * A job's and a lane's times never run backwards, even when the clock that stamps them does
 * (servers sharing a Redis each stamp with their own clock; a clock can be stepped back): an
 * attempt starts no earlier than its lane was handed to it, and ends no earlier than it started.
 */

/** When an attempt claimed at `now` starts: not before `laneSince`, when its lane was handed to it. */
export function startedAt(now: number, laneSince: number | null | undefined): number {
  return laneSince == null ? now : Math.max(now, laneSince);
}

/** When an attempt that started at `started` ends, reported at `now`. */
export function endedAt(now: number, started: number | null): number {
  return started === null ? now : Math.max(now, started);
}
