/**
 * Failures grouped by queue and error type over a window: count, first and last seen, a
 * series for a sparkline, and a sample. Counts come from the per-minute aggregates (they
 * outlive job rows and never cost a job scan); the sample is one indexed read per group.
 */
import { validationFailed } from "../core/errors.ts";
import type { ErrorMinute, ErrorSample } from "../core/monitor-store.ts";
import type { Store } from "../core/store.ts";
import { DAY_MS } from "./stats.ts";

const MINUTE_MS = 60_000;

/** Window when no `since` is given. */
export const ERROR_WINDOW_DEFAULT_MS = DAY_MS;
/** How far back `since` may reach. */
export const ERROR_WINDOW_MAX_MS = 7 * DAY_MS;
/** Points of each group's series at most: 24 hourly points over the default day; a short window gets fewer, as a step is whole minutes. */
export const ERROR_SERIES_POINTS = 24;

/**
 * The minutes counted: from the start of the minute holding `since` to the end of the minute
 * holding `until` (now). `stepMs` is the series' step, a whole number of minutes.
 */
export type ErrorWindow = { since: number; until: number; stepMs: number; points: number };

export type ErrorSeriesPoint = { at: number; n: number };

export type ErrorGroup = {
  queue: string;
  type: string;
  count: number;
  /** Start of the first and of the last minute with a failure in the window. */
  firstSeen: number;
  lastSeen: number;
  sample: ErrorSample | null;
  /** `points` steps from `since`, oldest first, empty steps included. */
  series: ErrorSeriesPoint[];
};

export type ErrorGroups = { since: number; until: number; stepMs: number; groups: ErrorGroup[] };

const minuteOf = (ms: number) => ms - (((ms % MINUTE_MS) + MINUTE_MS) % MINUTE_MS);

/**
 * The window for `since` (default: the last day, in whole minutes with the current one) up
 * to `now`. A `since` in the future or more than seven days back is refused.
 */
export function errorWindow(now: number, since?: number): ErrorWindow {
  const end = minuteOf(now) + MINUTE_MS;
  if (since !== undefined && (!Number.isFinite(since) || since > now)) {
    throw validationFailed("since must not be in the future", [{ path: "since", message: "must not be in the future" }]);
  }
  // A minute of slack: a caller that asks for exactly seven days reads its clock a moment before this does.
  if (since !== undefined && since < now - ERROR_WINDOW_MAX_MS - 60_000) {
    throw validationFailed("since reaches back at most 7 days", [{ path: "since", message: "must be within the last 7 days" }]);
  }
  const start = since === undefined ? end - ERROR_WINDOW_DEFAULT_MS : minuteOf(Math.max(since, now - ERROR_WINDOW_MAX_MS));
  const minutes = (end - start) / MINUTE_MS;
  const stepMs = Math.ceil(minutes / ERROR_SERIES_POINTS) * MINUTE_MS;
  return { since: start, until: now, stepMs, points: Math.ceil((end - start) / stepMs) };
}

/** Groups per-minute failure counts (all inside the window) by queue and type, most failures first. */
export function groupErrorMinutes(minutes: ErrorMinute[], window: ErrorWindow): Omit<ErrorGroup, "sample">[] {
  const groups = new Map<string, Omit<ErrorGroup, "sample">>();
  for (const { minute, queue, type, n } of minutes) {
    const id = JSON.stringify([queue, type]);
    let group = groups.get(id);
    if (!group) {
      const series = Array.from({ length: window.points }, (_, i) => ({ at: window.since + i * window.stepMs, n: 0 }));
      groups.set(id, (group = { queue, type, count: 0, firstSeen: minute, lastSeen: minute, series }));
    }
    group.count += n;
    group.firstSeen = Math.min(group.firstSeen, minute);
    group.lastSeen = Math.max(group.lastSeen, minute);
    group.series[Math.floor((minute - window.since) / window.stepMs)]!.n += n;
  }
  return [...groups.values()].sort(
    (a, b) => b.count - a.count || b.lastSeen - a.lastSeen || a.queue.localeCompare(b.queue) || a.type.localeCompare(b.type),
  );
}

/** The failures of all queues (or one) since `since`, grouped, each with a sample. */
export async function errorGroups(p: { store: Store; now: number; since?: number; queue?: string }): Promise<ErrorGroups> {
  const window = errorWindow(p.now, p.since);
  const minutes = await p.store.statsErrorMinutes({ from: window.since, to: minuteOf(p.now) + MINUTE_MS, queue: p.queue, now: p.now });
  const groups = await Promise.all(
    groupErrorMinutes(minutes, window).map(async (g) => ({ ...g, sample: await p.store.errorSample({ queue: g.queue, type: g.type }) })),
  );
  return { since: window.since, until: window.until, stepMs: window.stepMs, groups };
}
