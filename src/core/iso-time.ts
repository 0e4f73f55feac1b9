/** Epoch milliseconds as ISO 8601 text for JSON answers. */
import { MAX_TIME_MS } from "./job.ts";

/**
 * Never throws: a time outside what a date holds (a row written before limits were checked)
 * is shown at the nearest end of the range rather than failing every answer that reaches it.
 */
export function iso(ms: number): string {
  return new Date(Number.isFinite(ms) ? Math.min(Math.max(ms, 0), MAX_TIME_MS) : MAX_TIME_MS).toISOString();
}

export function isoOrNull(ms: number | null): string | null {
  return ms === null ? null : iso(ms);
}
